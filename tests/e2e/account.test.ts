/**
 * The contract's "Accounts" on the account page, in a real browser with a real SMTP server in
 * the test (the product's emails arrive there and the tests follow their links), and "Revocation"
 * measured: every way a session ends refuses its token at two Task API processes within 2 s. The
 * confirmation email, a reset and password guessing: account-recovery.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createPool } from "@tasks/db";
import { decodeJwt, SignJWT } from "jose";
import type { Page } from "playwright-core";
import { backendPid, waitUntilBlockedBy } from "../../scripts/lib/lock-waits";
import { answeredAt, assertAccountEmail, changePasswordOnPage, startAccountsProduct } from "./account-shared";
import {
  accessToken,
  addTask,
  addVirtualAuthenticator,
  apiStatus,
  confirmEmailInDatabase,
  contrastViolationsUnderPointer,
  deleteAndLeaveWithTheApiDown,
  endSessionsElsewhere,
  expectFitsWidth,
  expectRefusedWithin,
  expectSaid,
  expectSaidAgain,
  fillSignInForm,
  followEmailLink,
  holdPageTime,
  holdRequests,
  launchBrowser,
  newPerson,
  newSignedInPage,
  newSignedOutPage,
  onPage,
  type Person,
  postAuth,
  problemOfField,
  routerRequestFor,
  seriousViolations,
  signIn,
  signUp,
  waitForCount,
} from "./product";

const databaseUrl = process.env.DATABASE_URL ?? "";
const { mailbox, product, apis } = await startAccountsProduct(databaseUrl);
const browser = await launchBrowser();

/** A second browser (another device) signed in as the same person; its access token. */
async function anotherDevice(person: Parameters<typeof signIn>[2]): Promise<{ page: Page; token: string }> {
  const page = await newSignedOutPage(browser, product.webUrl);
  await signIn(page, product.webUrl, person);
  return { page, token: await accessToken(page, product.webUrl) };
}

/** The account page's change of address (the page open), as whoever knows the password asks for it: the link sent. */
async function askToMoveTo(page: Page, address: string, password: string): Promise<string> {
  await page.getByLabel("New email address").fill(address);
  await page.getByLabel("Your password, to change the email").fill(password);
  await page.getByRole("button", { name: "Change email" }).click();
  await onPage(page, `open the link we sent to ${address}`).waitFor();
  return (await mailbox.waitFor(address, /Confirm your new email address/)).link ?? "";
}

/**
 * A change-of-address link that must move nothing: followed in a browser nobody is signed in to,
 * whose sign-in page says it did not go through and, once the owner signs in there, says `why`;
 * then on the owner's page, which says `why` too. The address is still the owner's.
 */
async function expectLinkMovesNothing(page: Page, link: string, why: string, owner: Person) {
  const elsewhere = await newSignedOutPage(browser, product.webUrl);
  await followEmailLink(elsewhere, link);
  await elsewhere.waitForURL(/\/sign-in\?next=/);
  await elsewhere
    .getByText("The link you opened did not go through. If it is for your account, sign in to see why.")
    .waitFor();
  const signUpHref = await elsewhere.getByRole("link", { name: "Create an account" }).getAttribute("href");
  assert.doesNotMatch(signUpHref ?? "", /error/, "a new account does not carry the link's refusal");
  await (await fillSignInForm(elsewhere, owner)).click();
  await elsewhere.getByText(why).waitFor();
  await followEmailLink(page, link);
  await onPage(page, why).waitFor();
  assert.equal(await page.getByTestId("account-email").textContent(), owner.email, "the address stayed");
}

/** A change-of-address link followed on the owner's page: the account is at `address`. */
async function expectLinkMoves(page: Page, link: string, address: string) {
  await followEmailLink(page, link);
  await page.waitForURL(`${product.webUrl}/account`);
  assert.equal(await page.getByTestId("account-email").textContent(), address);
}

describe("the account page", () => {
  test("change password: a wrong current one is refused; with 'sign out my other devices' the other device is refused within 2 s", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Pia");
    const other = await anotherDevice(person);
    await page.getByRole("link", { name: "Account" }).click();
    await page.waitForURL(`${product.webUrl}/account`);

    // The new one is typed twice: a typo in one of them changes nothing.
    await changePasswordOnPage(page, person.password, "another good passphrase", "another good passphrase!");
    await onPage(page, "The two new passwords differ.").waitFor();
    // The field it is about says so, and is read with it; the others are not marked.
    const passwordFields = {
      current: page.getByLabel("Current password"),
      new: page.getByLabel("New password", { exact: true }),
      repeat: page.getByLabel("Repeat the new password"),
    };
    const problems = async () => ({
      current: await problemOfField(passwordFields.current),
      new: await problemOfField(passwordFields.new),
      repeat: await problemOfField(passwordFields.repeat),
    });
    assert.deepEqual(await problems(), { current: null, new: null, repeat: "The two new passwords differ." });
    // The same words again are a new message, which a screen reader announces (the same words set
    // again on the message already there would say nothing).
    await expectSaidAgain(page, page.getByRole("alert").filter({ hasText: "The two new passwords differ." }), () =>
      page.getByRole("button", { name: "Change password" }).click(),
    );

    await changePasswordOnPage(page, "not my password", "another good passphrase");
    await onPage(page, "That password is not right.").waitFor();
    assert.deepEqual(await problems(), { current: "That password is not right.", new: null, repeat: null });
    // The server's refusal again: the last one leaves while the request is on its way, and comes anew.
    await expectSaidAgain(page, page.getByRole("alert").filter({ hasText: "That password is not right." }), () =>
      changePasswordOnPage(page, "nor this one", "another good passphrase"),
    );
    const userId = String(decodeJwt(other.token).sub);
    assert.equal((await sessionTokensOf(userId)).length, 2, "no device was signed out");
    assert.equal(await signInStatus(person.email, "another good passphrase"), 401, "the password is unchanged");

    assert.equal(await apiStatus(product.apiUrl, other.token), 200, "the other device's token works before");
    const changedAt = answeredAt(page, "/change-password");
    await changePasswordOnPage(page, person.password, "another good passphrase");
    await onPage(page, "Your other devices are signed out").waitFor();
    await expectRefusedWithin(apis, other.token, await changedAt);
    assert.equal(await signInStatus(person.email, person.password), 401, "the old password no longer signs in");
    assert.equal(await signInStatus(person.email, "another good passphrase"), 200, "the new one does");

    // This device got a new session and goes on working.
    await page.getByRole("link", { name: "Back to your tasks" }).click();
    await onPage(page, "No tasks yet").waitFor();
    await addTask(page, "Still here");
  });

  test("sessions: listed in words with this device marked; one signed out, then everywhere, each refused within 2 s", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Sol");
    const other = await anotherDevice(person);
    const ownToken = await accessToken(page, product.webUrl);
    await page.goto(`${product.webUrl}/account`);
    const list = page.getByRole("list", { name: "Signed-in devices" });
    await list.getByRole("listitem").nth(1).waitFor();
    assert.equal(await list.getByRole("listitem").count(), 2);
    assert.equal(await list.getByText("this device").count(), 1);
    assert.match((await list.textContent()) ?? "", /(Chrome|Chromium) \d+ on Linux/, "browser and system in words");
    assert.doesNotMatch(await page.content(), /Mozilla\/5\.0/, "no raw user agent");
    // Two devices of one browser and system share a button name; each button is described by its own item's line.
    for (const item of await list.getByRole("listitem").all()) {
      const describedBy = (await item.getByRole("button").getAttribute("aria-describedby")) ?? "";
      assert.match(describedBy, /^[\w-]+$/, "one line describes the button");
      assert.match((await item.locator(`#${describedBy}`).textContent()) ?? "", /^Last active .+ signed in .+/);
    }

    // The list names sessions by id; their tokens (cookie values) never reach the page.
    const html = await page.content();
    for (const sessionToken of await sessionTokensOf(String(decodeJwt(ownToken).sub))) {
      assert.ok(!html.includes(sessionToken), "no session token in the page");
    }

    // The 2 s count from the server action's answer: the session has ended by then.
    const ended = page.waitForResponse(
      (answer) => answer.request().method() === "POST" && new URL(answer.url()).pathname === "/account",
    );
    // The list drawn again afterwards, held: until it comes, the device's button stays busy.
    const refresh = await holdRequests(page, routerRequestFor("/account"));
    const otherDevice = list.getByRole("button", { name: /^Sign out (?!.*this device)/ }).first();
    await otherDevice.click();
    await ended;
    await expectRefusedWithin(apis, other.token);
    await refresh.held;
    assert.equal(await otherDevice.isDisabled(), true, "signed out, and the list not yet drawn again: busy");
    refresh.release();
    await waitForCount(list.getByRole("listitem"), 1);
    // Its button went with its row: said, and the focus is on the section's heading, not the page's top.
    await expectSaid(page, page.getByRole("main"), /^Signed out (Chrome|Chromium) \d+ on Linux\.$/);
    assert.equal(await page.evaluate("document.activeElement?.id"), "sessions-heading");
    assert.equal(await apiStatus(product.apiUrl, ownToken), 200, "this device is still signed in");
    await other.page.goto(`${product.webUrl}/tasks`);
    await other.page.waitForURL(/\/sign-in\?next=/);

    // "Everywhere" reaches a device signed in since, not only this one.
    const third = await anotherDevice(person);
    const everywhere = page.waitForResponse((answer) => answer.url().endsWith("/api/auth/revoke-sessions"));
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await everywhere;
    await expectRefusedWithin(apis, [ownToken, third.token], Date.now());
    await page.waitForURL(/\/sign-in/);
    assert.deepEqual(await sessionTokensOf(String(decodeJwt(ownToken).sub)), [], "no session left");
  });

  test("signed out in another tab, the account page goes to sign in at once: nothing of the account stays on screen", async () => {
    const { context, page } = await newSignedInPage(browser, product.webUrl, "Ula");
    const account = await context.newPage();
    await account.goto(`${product.webUrl}/account`);
    // Taken over by React (its buttons wait for that): it listens from then on.
    await account.getByRole("button", { name: "Change email" }).and(account.locator(":enabled")).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    await account.waitForURL(`${product.webUrl}/sign-in?next=%2Faccount`);
  });

  test("a session from an IPv6 client shows the network it came from (its /64, all Better Auth keeps), written short", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ivo");
    // Groups of 1 to 4 hex digits, none of them 0 (which the short form would fold into a "::").
    const group = () => (1 + Math.floor(Math.random() * 0xfffe)).toString(16);
    // Stored in full ("2001:0db8:…:000a:0000:…"): leading zeros go, a lone 0 group stays, the zeros
    // at the end are the "::".
    const networks = [`2001:db8:${group()}:a`, `2001:db8:0:${group()}`];
    for (const network of networks) {
      const signedIn = await postAuth(
        product.webUrl,
        "/sign-in/email",
        { email: person.email, password: person.password },
        `${network}:${group()}:${group()}:${group()}:${group()}`,
      );
      assert.equal(signedIn.status, 200);
    }
    await page.goto(`${product.webUrl}/account`);
    const list = page.getByRole("list", { name: "Signed-in devices" });
    for (const network of networks) await list.getByText(`· ${network}::/64 ·`).waitFor();
    const listed = (await list.textContent()) ?? "";
    assert.doesNotMatch(listed, /0000|0db8/, "no address written out in full");
    assert.match(listed, /· 10\.\d+\.\d+\.\d+ ·/, "an IPv4 address (this page's session) as it is");
  });

  test("a device's Sign out that gets no answer says so after a while and frees the buttons; reloaded, the page signs it out", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Vic", { heldClock: true });
    await anotherDevice(person);
    await page.goto(`${product.webUrl}/account`);
    const list = page.getByRole("list", { name: "Signed-in devices" });
    await list.getByRole("listitem").nth(1).waitFor();
    // The server action (a POST to the page) gets no answer: a connection gone silent.
    const isAction = (url: URL) => url.pathname === "/account" && !url.searchParams.has("_rsc");
    const action = await holdRequests(page, isAction);
    await holdPageTime(page);
    const otherDevice = list.getByRole("button", { name: /^Sign out (?!.*this device)/ }).first();
    await otherDevice.click();
    const everywhere = page.getByRole("button", { name: "Sign out everywhere" });
    assert.equal(await everywhere.getAttribute("aria-disabled"), "true", "busy meanwhile");
    await page.clock.runFor(16_000); // past how long the page waits for an answer
    // Not "try again": Next.js sends a page's actions one at a time, and the next would wait behind this one.
    await page
      .getByText(
        "Could not tell whether that device is signed out. The server did not answer. Reload the page to see where things stand, and to try again.",
      )
      .waitFor();
    assert.equal(await everywhere.getAttribute("aria-disabled"), null, "its buttons work again");
    // The connection drops: the device was never signed out (the reload below shows it listed).
    await action.drop();
    await page.clock.resume();
    await page.reload();
    await waitForCount(list.getByRole("listitem"), 2);
    await otherDevice.click();
    await waitForCount(list.getByRole("listitem"), 1);
  });

  test("forgot password: an address the browser takes but no mail can go to is said to be wrong, not 'try again'", async () => {
    const page = await newSignedOutPage(browser, product.webUrl);
    await page.goto(`${product.webUrl}/forgot-password`);
    await page.getByLabel("Email").fill("me@localhost");
    await page.getByRole("button", { name: "Send the link" }).and(page.locator(":enabled")).click();
    await onPage(page, "That is not an email address we can send to. Check it and try again.").waitFor();
    assert.equal(
      await problemOfField(page.getByLabel("Email")),
      "That is not an email address we can send to. Check it and try again.",
      "the field says so, and is read with it",
    );
  });

  test("change email: asks for the password; confirmed through the new address, and the old one is told", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ida");
    const newEmail = `new-${person.email}`;
    await page.goto(`${product.webUrl}/account`);
    // Someone at an unlocked computer, without the password: neither the page nor the endpoint moves the account.
    const withoutPassword = await page.evaluate(async (to) => {
      const response = await fetch("/api/auth/change-email", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ newEmail: `thief-${to}`, callbackURL: "/account" }),
      });
      return { status: response.status, body: await response.text() };
    }, newEmail);
    assert.equal(withoutPassword.status, 400, withoutPassword.body);
    await page.getByLabel("New email address").fill(`thief-${newEmail}`);
    await page.getByLabel("Your password, to change the email").fill("not the password");
    await page.getByRole("button", { name: "Change email" }).click();
    await onPage(page, "That password is not right.").waitFor();

    await page.getByLabel("New email address").fill(newEmail);
    await page.getByLabel("Your password, to change the email").fill(person.password);
    await page.getByRole("button", { name: "Change email" }).click();
    await onPage(page, `open the link we sent to ${newEmail}`).waitFor();

    const notice = await mailbox.waitFor(person.email, /about to change/);
    assert.ok(notice.text.includes(newEmail), "the old address learns the new one");
    assert.match(notice.text, /wasn't you/);
    const confirm = await mailbox.waitFor(newEmail, /Confirm your new email address/);
    assertAccountEmail(confirm, product.webUrl);
    // Anyone can have it sent to any address: it names the account its link moves.
    assert.ok(confirm.text.includes(`The Tasks account of ${person.email} asked`), confirm.text);
    // Read again from the server: the page drawn before the request would say the same whatever happened.
    await page.reload();
    assert.equal(await page.getByTestId("account-email").textContent(), person.email, "unchanged until confirmed");
    assert.equal(await onPage(page, "not confirmed yet").count(), 1, "the first address was never confirmed");
    const early = await postAuth(product.webUrl, "/sign-in/email", { email: newEmail, password: person.password });
    assert.equal(early.status, 401, "the new address signs nobody in before its link is followed");

    // The refused attempts sent nothing anywhere.
    assert.equal(mailbox.to(`thief-${newEmail}`).length, 0, "no link went to the refused address");

    // Opened on a browser signed in to another account, the link says so, and changes nothing.
    const { page: otherPage, person: other } = await newSignedInPage(browser, product.webUrl, "Olga");
    await followEmailLink(otherPage, confirm.link ?? "");
    await otherPage.waitForURL(/\/account\?error=/);
    await otherPage.getByText("That link is for another account than the one signed in here.").waitFor();
    assert.equal(await otherPage.getByTestId("account-email").textContent(), other.email);

    // A reset link sent to the old address meanwhile (whoever reads that mailbox asked for it).
    assert.equal((await postAuth(product.webUrl, "/request-password-reset", { email: person.email })).status, 200);
    const oldMailboxReset = await mailbox.waitFor(person.email, /Reset your Tasks password/);

    await followEmailLink(page, confirm.link ?? "");
    await page.waitForURL(`${product.webUrl}/account`);
    assert.equal(await page.getByTestId("account-email").textContent(), newEmail);
    // Following the link proved the new address.
    await onPage(page, "confirmed", { exact: true }).waitFor();

    // The move ended the reset link sent to the old address: the password stays as it is.
    const token = new URL(oldMailboxReset.link ?? "").searchParams.get("token");
    const late = await postAuth(product.webUrl, "/reset-password", { token, newPassword: "the old mailbox's pick" });
    assert.equal(late.status, 400, await late.text());
    const signIn = await postAuth(product.webUrl, "/sign-in/email", { email: newEmail, password: person.password });
    assert.equal(signIn.status, 200);
  });

  test("each form of the profile is busy on its own: a name saved meanwhile does not free the change of address's button", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ines");
    await page.goto(`${product.webUrl}/account`);
    const change = await holdRequests(page, "**/api/auth/change-email");
    await page.getByLabel("New email address").fill(`new-${person.email}`);
    await page.getByLabel("Your password, to change the email").fill(person.password);
    await page.getByRole("button", { name: "Change email" }).click();
    await change.held;
    const changeButton = page.getByRole("button", { name: "Sending…" });
    await page.getByLabel("Name", { exact: true }).fill("Ines Renamed");
    await page.getByRole("button", { name: "Save name" }).click();
    await onPage(page, "Name saved.").waitFor();
    assert.equal(
      await changeButton.isDisabled(),
      true,
      "the change of address is still on its way: its button stays busy",
    );
    change.release();
    await onPage(page, `open the link we sent to new-${person.email}`).waitFor();
    assert.equal(await page.getByRole("button", { name: "Change email" }).isEnabled(), true);

    // A cancel on its way keeps the change's button busy too: it ends whichever change is the
    // latest, so one asked for meanwhile could be ended in its place.
    await page.getByTestId("pending-address").getByText(`new-${person.email}`).waitFor();
    const cancel = await holdRequests(page, (url) => url.pathname === "/account");
    await page.getByRole("button", { name: "Cancel the change" }).click();
    await cancel.held;
    assert.equal(await page.getByRole("button", { name: "Change email" }).isDisabled(), true, "busy while cancelling");
    cancel.release();
    await page.getByTestId("pending-address").waitFor({ state: "detached" });
    assert.equal(await page.getByRole("button", { name: "Change email" }).isEnabled(), true);
    // The name said saved is the account's: drawn again from the server, the page shows it.
    await page.reload();
    assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "Ines Renamed");
  });

  test("change email to an address that has an account: the same answer and page, the old address told, the other account's owner told that nothing changed", async () => {
    const owner = newPerson("Orla");
    await signUp(await newSignedOutPage(browser, product.webUrl), product.webUrl, owner);
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Imke");
    await page.goto(`${product.webUrl}/account`);
    await page.getByLabel("New email address").fill(owner.email);
    await page.getByLabel("Your password, to change the email").fill(person.password);
    const [answer] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith("/api/auth/change-email")),
      page.getByRole("button", { name: "Change email" }).click(),
    ]);
    assert.equal(answer.status(), 200);
    assert.deepEqual(await answer.json(), { status: true }, "the answer a free address gets");
    await onPage(page, `open the link we sent to ${owner.email}`).waitFor();

    // The person's own inbox says what it says for a free address (before, nothing came: it told
    // whoever asked which addresses have accounts).
    const notice = await mailbox.waitFor(person.email, /about to change/);
    assert.ok(notice.text.includes(owner.email));
    const told = await mailbox.waitFor(owner.email, /Someone tried to move a Tasks account to your address/);
    assert.match(told.text, /Nothing was changed/);
    assert.match(told.text, /wasn't you/);
    assert.equal(
      mailbox.to(owner.email).filter((email) => /Confirm your new email address/.test(email.subject)).length,
      0,
      "no link that could move the account to an address that is taken",
    );
    await page.reload();
    assert.equal(await page.getByTestId("account-email").textContent(), person.email);
  });

  test("an address taken by another account after the link was sent: following the link says so and changes nothing", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Tove");
    const wanted = `wanted-${person.email}`;
    await page.goto(`${product.webUrl}/account`);
    const link = await askToMoveTo(page, wanted, person.password);
    // Meanwhile someone signs up with that address.
    const quicker = { name: "Quicker", email: wanted, password: "another good passphrase" };
    assert.equal((await postAuth(product.webUrl, "/sign-up/email", quicker)).status, 200);

    await expectLinkMovesNothing(page, link, "That address now belongs to another account", person);
    assert.equal(await signInStatus(quicker.email, quicker.password), 200, "the other account keeps its address");

    // A link made up by someone else (not signed with the app's secret) tells nothing about addresses:
    // one naming an address with an account is answered as one naming an address without.
    const userId = String(decodeJwt(await accessToken(page, product.webUrl)).sub);
    const forged = (updateTo: string) =>
      new SignJWT({ email: person.email, updateTo, userId, requestType: "change-email-verification" })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode("not the app's secret, not the app's secret"));
    const answers = await Promise.all(
      [quicker.email, `nobody-${person.email}`].map(async (address) => {
        const url = `${product.webUrl}/api/auth/verify-email?token=${await forged(address)}&callbackURL=/account`;
        const answer = await fetch(url, { redirect: "manual" });
        return `${answer.status} ${answer.headers.get("location")}`;
      }),
    );
    assert.equal(answers[0], answers[1]);
    assert.match(answers[0] ?? "", /INVALID_TOKEN/);
  });

  test("an address taken while its link is being followed: the change fails cleanly and says so", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ines");
    const wanted = `raced-${person.email}`;
    await page.goto(`${product.webUrl}/account`);
    const link = await askToMoveTo(page, wanted, person.password);

    // Someone's sign-up with that address is written but not yet committed as the link is followed:
    // the app's look before the change finds the address free, and the change then waits for the
    // sign-up, which commits.
    const pool = createPool(databaseUrl, { max: 2 });
    const signUp = await pool.connect();
    try {
      await signUp.query("BEGIN");
      await signUp.query("INSERT INTO users (name, email) VALUES ('Racer', $1)", [wanted]);
      const holder = await backendPid(signUp);
      await page.goto(link);
      const followed = page.getByRole("button", { name: "Confirm" }).click();
      await waitUntilBlockedBy(pool, holder, "the change of address waits for the sign-up", { timeoutMs: 15_000 });
      await signUp.query("COMMIT");
      await followed;
    } finally {
      signUp.release();
      await pool.end();
    }
    await page.waitForURL(/\/account\?error=ADDRESS_TAKEN_SINCE$/);
    await onPage(page, "That address now belongs to another account").waitFor();
    assert.equal(await page.getByTestId("account-email").textContent(), person.email);
  });

  test("a new password ends a change of address asked for before it: its link moves the account no more", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Noor");
    const theirs = `theirs-${person.email}`;
    const newEmail = `new-${person.email}`;
    await page.goto(`${product.webUrl}/account`);
    // Someone who had the password asks to move the account to their address; the owner, told by
    // email, changes the password (in a later second: the link's time has whole seconds).
    const theirLink = await askToMoveTo(page, theirs, person.password);
    await mailbox.waitFor(person.email, /about to change/);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await page.getByTestId("pending-address").getByText(theirs).waitFor();
    await changePasswordOnPage(page, person.password, "a newer good passphrase");
    await onPage(page, "Password changed.").waitFor();
    await page.reload();
    assert.equal(await page.getByTestId("pending-address").count(), 0, "their change waits no more");

    // Their link, followed anywhere, changes nothing and says why.
    const withNewPassword = { ...person, password: "a newer good passphrase" };
    await expectLinkMovesNothing(page, theirLink, "asked for before the password changed", withNewPassword);
    assert.equal(await signInStatus(theirs, "a newer good passphrase"), 401, "their address signs in to nothing");

    // A change asked for with the new password goes through.
    await expectLinkMoves(page, await askToMoveTo(page, newEmail, "a newer good passphrase"), newEmail);
  });

  test("a second change of address ends the first one's link: a mistyped address's owner cannot move the account", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Tim");
    const mistyped = `typo-${person.email}`;
    const meant = `meant-${person.email}`;
    await page.goto(`${product.webUrl}/account`);
    const mistypedLink = await askToMoveTo(page, mistyped, person.password);
    const meantLink = await askToMoveTo(page, meant, person.password);

    // The stranger at the mistyped address follows theirs: nothing moves.
    const why = "Another change of address was asked for after that link was sent";
    await expectLinkMovesNothing(page, mistypedLink, why, person);
    await expectLinkMoves(page, meantLink, meant);
  });

  test("a change of address waits on the account page until its link is opened, and cancelled there, its link moves nothing", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Cleo");
    const unwanted = `unwanted-${person.email}`;
    await page.goto(`${product.webUrl}/account`);
    assert.equal(await page.getByTestId("pending-address").count(), 0, "nothing waits before a change is asked for");
    const unwantedLink = await askToMoveTo(page, unwanted, person.password);
    // Read from the server, not kept by the page: it still waits after a reload.
    await page.reload();
    await page.getByTestId("pending-address").getByText(unwanted).waitFor();
    const notice = await mailbox.waitFor(person.email, /about to change/);
    assert.match(notice.text, /Cancel the change/, "the old address is told how to stop it");
    // A change Better Auth refuses (to the address the account has) leaves the one waiting as it was.
    const refused = await page.request.post(`${product.webUrl}/api/auth/change-email`, {
      headers: { origin: product.webUrl },
      data: { newEmail: person.email, password: person.password, callbackURL: "/account" },
    });
    assert.equal(refused.status(), 400, await refused.text());
    await page.reload();
    await page.getByTestId("pending-address").getByText(unwanted).waitFor();

    await page.getByRole("button", { name: "Cancel the change" }).click();
    await onPage(page, `The change to ${unwanted} is cancelled`).waitFor();
    await page.getByTestId("pending-address").waitFor({ state: "detached" });
    assert.equal(
      await page.evaluate("document.activeElement?.id"),
      "profile-heading",
      "the focus stays in the section",
    );
    await page.reload();
    assert.equal(await page.getByTestId("pending-address").count(), 0, "cancelled on the server");
    await expectLinkMovesNothing(page, unwantedLink, "That change of address was cancelled", person);
    // Opened where another account is signed in, it says it is for another account, not why it was refused.
    const { page: otherAccount } = await newSignedInPage(browser, product.webUrl, "Cyd");
    await followEmailLink(otherAccount, unwantedLink);
    await otherAccount.getByText("That link is for another account than the one signed in here.").waitFor();
    assert.equal(await otherAccount.getByText("cancelled").count(), 0, "the other account is not told why");
    assert.equal(await signInStatus(unwanted, person.password), 401, "the unwanted address signs in to nothing");

    // A change asked for after the cancel goes through, and then nothing waits.
    const wanted = `wanted-${person.email}`;
    await expectLinkMoves(page, await askToMoveTo(page, wanted, person.password), wanted);
    assert.equal(await page.getByTestId("pending-address").count(), 0, "a change made waits no more");
  });

  test("a link opened where nobody is signed in: the sign-in page says what it did, and the new address signs in", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Lea");
    // The sign-up's confirmation link, opened where nobody is signed in (a phone's mail app, say).
    const confirmLink = (await mailbox.waitFor(person.email, /Confirm your email address/)).link ?? "";
    const phone = await newSignedOutPage(browser, product.webUrl);
    await followEmailLink(phone, confirmLink);
    await phone.waitForURL(/\/sign-in\?next=/);
    await phone.getByText("Your email address is confirmed. Sign in to go on.").waitFor();
    await (await fillSignInForm(phone, person)).click();
    await phone.waitForURL(`${product.webUrl}/tasks`);
    await phone.getByText("No tasks yet").waitFor();
    assert.equal(await phone.getByText("Please confirm your email address").count(), 0, "confirmed");

    // A change of address's link: made, and the sign-in page says to use the new address.
    const moved = `moved-${person.email}`;
    await page.goto(`${product.webUrl}/account`);
    const moveLink = await askToMoveTo(page, moved, person.password);
    // A mail scanner that opens every link to check it changes nothing: the link's page waits for "Confirm".
    const scanned = await fetch(moveLink);
    assert.equal(scanned.status, 200);
    assert.ok(
      (await scanned.text()).includes(`account of ${person.email} moves to ${moved}`),
      "names the account it moves",
    );
    await page.reload();
    assert.equal(await page.getByTestId("account-email").textContent(), person.email, "not moved by the scanner");
    const tablet = await newSignedOutPage(browser, product.webUrl);
    await followEmailLink(tablet, moveLink);
    await tablet.getByText("The link changed your account's email address: sign in with the new one.").waitFor();
    await (await fillSignInForm(tablet, { ...person, email: moved })).click();
    await tablet.waitForURL(`${product.webUrl}/account`);
    assert.equal(await tablet.getByTestId("account-email").textContent(), moved);

    // Confirmed again (opened twice): made, not "did not go through".
    const again = await newSignedOutPage(browser, product.webUrl);
    await followEmailLink(again, moveLink);
    await again.getByText("The link changed your account's email address: sign in with the new one.").waitFor();
    await followEmailLink(page, moveLink);
    await page.waitForURL(`${product.webUrl}/account`);
    assert.equal(await page.getByTestId("account-email").textContent(), moved);
    assert.equal(await page.getByText(/expired|did not go through/).count(), 0, "nothing said to have failed");
    // Its landing is ours to check (Better Auth's check of it comes later): never off this site.
    const offSite = new URL(moveLink); // as the link's page sends it on
    offSite.pathname = "/api/auth/verify-email";
    offSite.searchParams.set("callbackURL", "https://evil.example/account");
    const answer = await fetch(offSite, { redirect: "manual" });
    assert.equal(answer.status, 302);
    assert.ok(answer.headers.get("location")?.startsWith(`${product.webUrl}/`), `${answer.headers.get("location")}`);
    await page.goto(offSite.href);
    assert.equal(new URL(page.url()).origin, product.webUrl);
  });

  test("delete account: asks for the password; tasks, sessions, accounts and reset links go at once; the token is refused within 2 s", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Del");
    await addTask(page, "Doomed task");
    const token = await accessToken(page, product.webUrl);
    const userId = String(decodeJwt(token).sub);
    // A pending reset link too: it names the user only in its value.
    await postAuth(product.webUrl, "/request-password-reset", { email: person.email, redirectTo: "/reset-password" });
    await mailbox.waitFor(person.email, /Reset your Tasks password/);
    await page.goto(`${product.webUrl}/account`);
    await onPage(page, "with all your tasks").waitFor();

    // The endpoint itself asks for the password: a script holding the session (or someone at an
    // unlocked computer) that sends none deletes nothing.
    const withoutPassword = await page.evaluate(async () => {
      const response = await fetch("/api/auth/delete-user", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      return { status: response.status, body: await response.text() };
    });
    assert.equal(withoutPassword.status, 400, withoutPassword.body);
    // Read from the database: the API would answer this token for a while even for an account gone.
    const whole = { users: 1, tasks: 1, sessions: 1, accounts: 1, verifications: 1 };
    assert.deepEqual(await accountRows(userId), whole, "nothing was deleted");

    await page.getByLabel("Your password, to confirm").fill("wrong password");
    await page.getByRole("button", { name: "Delete my account and all my tasks" }).click();
    await onPage(page, "That password is not right.").waitFor();
    assert.deepEqual(await accountRows(userId), whole, "nothing was deleted");

    await page.getByLabel("Your password, to confirm").fill(person.password);
    // What the button shows from the press until the next page replaces this one, kept in the tab:
    // busy all along (pressed again, it would ask to delete an account that is gone, and be told
    // that the session had ended).
    const deleteButton = page.getByRole("button", { name: "Delete my account and all my tasks" });
    // (Script as text: this file is typed for Node, without the DOM's names.)
    await page.evaluate(`(() => {
      const button = [...document.querySelectorAll("button")].find(
        (each) => each.textContent === "Delete my account and all my tasks",
      );
      const shown = [];
      new MutationObserver(() => {
        shown.push(button.textContent + " (busy: " + (button.getAttribute("aria-disabled") === "true") + ")");
        sessionStorage.setItem("test:delete-button", JSON.stringify(shown));
      }).observe(button, { attributes: true, childList: true, characterData: true, subtree: true });
    })()`);
    assert.equal(await apiStatus(product.apiUrl, token), 200, "the token works before");
    const deletedAt = answeredAt(page, "/delete-user");
    await deleteButton.click();
    await page.waitForURL(/\/sign-up\?deleted=1/);
    const shown = JSON.parse(String(await page.evaluate(`sessionStorage.getItem("test:delete-button") ?? "[]"`)));
    assert.deepEqual([...new Set(shown)], ["Deleting… (busy: true)"], "busy until the next page came");
    await onPage(page, "Your account and all its tasks were deleted.").waitFor();
    await expectRefusedWithin(apis, token, await deletedAt);

    assert.deepEqual(await accountRows(userId), { users: 0, tasks: 0, sessions: 0, accounts: 0, verifications: 0 });
  });

  test("delete account: the person's other tabs go where this one went, keeping nothing of what was typed or left unmade in them", async () => {
    const {
      context,
      page: tasksTab,
      person,
    } = await newSignedInPage(browser, product.webUrl, "Nia", {
      heldClock: true,
    });
    await addTask(tasksTab, "Water the plants");
    await addTask(tasksTab, "Old love letters");
    await tasksTab.getByRole("button", { name: "Edit “Water the plants”" }).click();
    await tasksTab.getByLabel("Task title", { exact: true }).fill("The surprise party plan");
    await tasksTab.getByLabel("New task title").fill("Buy the present");
    // Another tab left the dashboard for the account page as its delete failed: the delete is kept
    // in that tab for the dashboard's next visit.
    const accountTab = await context.newPage();
    await accountTab.goto(`${product.webUrl}/tasks`);
    await deleteAndLeaveWithTheApiDown(accountTab, product.apiUrl, "Old love letters");
    await accountTab.getByText("with all your tasks").waitFor();
    const storedIn = async (tab: Page) => String(await tab.evaluate("JSON.stringify(sessionStorage)"));
    assert.match(await storedIn(accountTab), /Old love letters/, "kept for the dashboard's next visit");

    // A tab of the app's version before "account-deleted" (open across a deploy) listens for
    // "signed-out" alone: what it is told is recorded here.
    const olderTab = await context.newPage();
    await olderTab.goto(`${product.webUrl}/no-such-page`);
    await olderTab.evaluate(`(() => {
      window.told = [];
      new BroadcastChannel("tasks:auth").onmessage = (event) => window.told.push(event.data);
    })()`);

    const deletingTab = await context.newPage();
    await deletingTab.goto(`${product.webUrl}/account`);
    await deletingTab.getByLabel("Your password, to confirm").fill(person.password);
    await deletingTab.getByRole("button", { name: "Delete my account and all my tasks" }).click();
    for (const tab of [deletingTab, tasksTab, accountTab]) {
      await tab.waitForURL(/\/sign-up\?deleted=1/);
      await tab.getByText("Your account and all its tasks were deleted.").waitFor();
    }
    // A sign-out would have kept them for the person's sign-in; no one can sign in to this account.
    for (const tab of [tasksTab, accountTab]) {
      assert.doesNotMatch(await storedIn(tab), /surprise party|present|plants|love letters/);
    }
    assert.deepEqual(
      await olderTab.evaluate("window.told"),
      ["account-deleted", "signed-out"],
      "an older tab leaves too",
    );
  });

  test("a mail server that hangs or refuses: the request still answers at once, the app lives, asking again works", async () => {
    const { person } = await newSignedInPage(browser, product.webUrl, "Max");
    await mailbox.waitFor(person.email, /Confirm your email address/);
    const askForReset = async () => {
      const page = await newSignedOutPage(browser, product.webUrl);
      await page.goto(`${product.webUrl}/forgot-password`);
      await page.getByLabel("Email").fill(person.email);
      // How many stalled connections the sender had given up on when the product answered.
      const givenUpAtAnswer = page
        .waitForResponse((answer) => answer.url().includes("/request-password-reset"))
        .then(() => mailbox.stalledGivenUp);
      await page.getByRole("button", { name: "Send the link" }).click();
      return { page, givenUpAtAnswer };
    };
    // Hanging: never greeted, the sender gives up after its 5 s timeout; the page must not wait for that.
    mailbox.stalling = true;
    try {
      const givenUpBefore = mailbox.stalledGivenUp;
      const { page, givenUpAtAnswer } = await askForReset();
      await onPage(page, `If an account exists for ${person.email}`).waitFor();
      // The product answered while the sender still waited to be greeted: it did not wait for the mail.
      // (Told by order, not by a time limit: had it waited, the sender would have given up first.)
      assert.equal(await givenUpAtAnswer, givenUpBefore, "the page waited for the mail server");
      await mailbox.waitForTurnedAway(1);
    } finally {
      mailbox.stalling = false;
    }
    mailbox.refusing = true;
    try {
      const { page } = await askForReset();
      await onPage(page, `If an account exists for ${person.email}`).waitFor();
      await mailbox.waitForTurnedAway(2);
    } finally {
      mailbox.refusing = false;
    }
    assert.equal((await fetch(`${product.webUrl}/sign-in`)).status, 200, "the web app is alive");
    const resets = () => mailbox.to(person.email).filter((email) => /Reset your Tasks password/.test(email.subject));
    assert.equal(resets().length, 0, "neither turned-away email arrived later");
    await askForReset();
    await mailbox.waitFor(person.email, /Reset your Tasks password/);
  });

  test("a sign-in's date is the person's own day, not the server's", async () => {
    // A zone whose date differs from UTC's now, whatever the hour: twelve hours behind before 11:00
    // UTC, fourteen ahead after; either way an hour or more from that zone's midnight, which a test
    // started just before it would otherwise cross.
    const timezoneId = new Date().getUTCHours() < 11 ? "Etc/GMT+12" : "Etc/GMT-14";
    const context = await browser.newContext({ timezoneId });
    try {
      const page = await context.newPage();
      const person = newPerson("Zoe");
      await signUp(page, product.webUrl, person);
      await page.goto(`${product.webUrl}/account`);
      const local = new Date().toLocaleDateString("en", { timeZone: timezoneId });
      const list = page.getByRole("list", { name: "Signed-in devices" });
      await list.getByText(`signed in ${local}`).waitFor();
    } finally {
      await context.close();
    }
  });

  test("the account and password pages pass axe, light and dark, and fit a phone", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Axe");
    const signedOut = await newSignedOutPage(browser, product.webUrl);
    for (const colorScheme of ["light", "dark"] as const) {
      for (const [tab, path] of [
        [page, "/account"],
        [signedOut, "/forgot-password"],
        [signedOut, "/reset-password?token=abc"],
        [signedOut, "/confirm-email?callbackURL=%2Ftasks&token=abc"],
      ] as const) {
        await tab.emulateMedia({ colorScheme });
        await tab.setViewportSize({ width: 375, height: 740 });
        await tab.goto(`${product.webUrl}${path}`);
        await tab.getByRole("heading", { level: 1 }).waitFor();
        assert.deepEqual(await seriousViolations(tab), [], `${path} (${colorScheme})`);
        assert.deepEqual(await contrastViolationsUnderPointer(tab), [], `${path} (${colorScheme}), under the pointer`);
        await expectFitsWidth(tab, `${path} fits a phone's width`);
      }
    }
  });

  test("an address as long as many are (no spaces, nowhere to break) fits a phone on the account page and the tasks page, and so do a change of address waiting and a passkey's long name", async () => {
    const page = await newSignedOutPage(browser, product.webUrl);
    const longAddress = (first: string) =>
      `${first}averyveryverylongfirstnameandlastname${crypto.randomUUID().slice(0, 8)}@department.university.example.test`;
    const person = { ...newPerson("Lang"), email: longAddress("") };
    await signUp(page, product.webUrl, person);
    await page.setViewportSize({ width: 375, height: 740 });
    for (const path of ["/account", "/tasks"]) {
      await page.goto(`${product.webUrl}${path}`);
      await onPage(page, person.email, { exact: false }).first().waitFor();
      await expectFitsWidth(page, `${path} fits a phone's width`);
    }

    // Confirmed (a change of address and a passkey ask for that), then a move to another long address asked for.
    await confirmEmailInDatabase(person.email, databaseUrl);
    await page.goto(`${product.webUrl}/account`);
    const newAddress = longAddress("moved");
    await askToMoveTo(page, newAddress, person.password);
    await page.getByTestId("pending-address").getByText(newAddress).waitFor();
    await expectFitsWidth(page, "/account with a change of address waiting fits a phone's width");

    // A passkey named with as many characters as its name may have (60, the form's maxLength), none a place to break.
    await addVirtualAuthenticator(page);
    const section = page.getByRole("region", { name: "Passkeys" });
    const name = "Laptop".padEnd(60, "x");
    await section.getByLabel("Name of the new passkey").fill(name);
    await section.getByLabel("Your password, to add a passkey").fill(person.password);
    await section.getByRole("button", { name: "Add a passkey" }).click();
    await section.getByText(name, { exact: true }).first().waitFor();
    await expectFitsWidth(page, "/account with a passkey's long name fits a phone's width");
  });

  test("an action that finds the session ended (signed out everywhere from another device) offers the way back here", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Eve");
    await page.goto(`${product.webUrl}/account`);
    await page.getByLabel("Name", { exact: true }).waitFor();
    await endSessionsElsewhere(product.webUrl, person);
    await page.getByLabel("Name", { exact: true }).fill("Eve Again");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByRole("alert").getByText("Your session has ended.").waitFor();
    await page.getByRole("link", { name: "Sign in again" }).click();
    await page.waitForURL(/\/sign-in\?next=/);
    await (await fillSignInForm(page, person)).click();
    await page.waitForURL(`${product.webUrl}/account`);
  });
});

/** The answer to a password sign-in through Better Auth's endpoint, from an address of its own. */
async function signInStatus(email: string, password: string): Promise<number> {
  return (await postAuth(product.webUrl, "/sign-in/email", { email, password })).status;
}

/** How many rows the person has in each table that deleting the account must empty (read from the database). */
async function accountRows(userId: string): Promise<Record<string, number>> {
  const pool = createPool(databaseUrl, { max: 1 });
  try {
    const { rows } = await pool.query(
      `SELECT (SELECT count(*) FROM users WHERE id = $1)::int AS users,
              (SELECT count(*) FROM tasks WHERE user_id = $1)::int AS tasks,
              (SELECT count(*) FROM sessions WHERE user_id = $1)::int AS sessions,
              (SELECT count(*) FROM accounts WHERE user_id = $1)::int AS accounts,
              (SELECT count(*) FROM verifications WHERE value = $1::text)::int AS verifications`,
      [userId],
    );
    return rows[0];
  } finally {
    await pool.end();
  }
}

/** Straight from the database: the cookie tokens of a user's sessions. */
async function sessionTokensOf(userId: string): Promise<string[]> {
  const pool = createPool(databaseUrl, { max: 1 });
  try {
    const { rows } = await pool.query<{ token: string }>("SELECT token FROM sessions WHERE user_id = $1", [userId]);
    return rows.map((row) => row.token);
  } finally {
    await pool.end();
  }
}
