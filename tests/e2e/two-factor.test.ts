/**
 * Two-factor sign-in end to end (contract: "Accounts", two-factor): set up on
 * /account with codes computed here from the page's setup key (RFC 6238,
 * helper checked in totp.test.ts), the sign-in page's second step, backup
 * codes, and the other sessions refused at two API processes within 2 s.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createPool } from "@tasks/db";
import type { Page } from "playwright-core";
import { mailedTo, startMailbox } from "./mailbox";
import {
  accessToken,
  apiStatus,
  confirmEmailInDatabase,
  cookiesOf,
  expectRefusedWithin,
  expectSaid,
  expectSaidAgain,
  fillSignIn,
  holdRequests,
  launchBrowser,
  newSignedInPage,
  newSignedOutPage,
  onPage,
  type Person,
  postAuth,
  problemOfField,
  randomClientAddress,
  routerRequestFor,
  seriousViolations,
  signIn,
  startSecondApi,
  startTestProduct,
} from "./product";
import { base32Decode, currentCode, unusedCode } from "./totp";

const databaseUrl = process.env.DATABASE_URL ?? "";
const mailbox = await startMailbox();
const product = await startTestProduct(mailedTo(mailbox));
const secondApi = await startSecondApi(product, databaseUrl);
const browser = await launchBrowser();
const db = createPool(databaseUrl, { max: 2 });
after(() => db.end());

const twoFactorSection = (page: Page) => page.getByRole("region", { name: "Two-factor sign-in" });

/** Whether the account has two-factor sign-in on, and how many sessions it has, read from the database. */
async function accountState(email: string): Promise<{ enabled: boolean; sessions: number }> {
  const { rows } = await db.query<{ enabled: boolean; sessions: number }>(
    `SELECT u.two_factor_enabled AS enabled, (SELECT count(*)::int FROM sessions s WHERE s.user_id = u.id) AS sessions
     FROM users u WHERE u.email = $1`,
    [email],
  );
  assert.ok(rows[0], `the account ${email} exists`);
  return rows[0];
}

/**
 * Turns two-factor sign-in on from /account, as a person does: password, the
 * QR code (its key as text), a wrong first code (refused, still off), the
 * right one. Returns the setup key, the backup codes shown and the code that turned it on.
 */
async function turnOnTwoFactor(
  page: Page,
  person: Person,
): Promise<{ key: string; backupCodes: string[]; firstCode: string; activatedAt: number }> {
  await confirmEmailInDatabase(person.email);
  await page.goto(`${product.webUrl}/account`);
  const section = twoFactorSection(page);
  await section.getByLabel("Your password").fill(person.password);
  await section.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  await section.getByRole("img", { name: /QR code for your authenticator app/ }).waitFor();
  await waitForFocusOnHeading(page, "the new step is read from its heading");
  const key = ((await section.locator("code").textContent()) ?? "").replace(/\s+/g, "");
  assert.match(key, /^[A-Z2-7]{32,}$/, "the setup key is base32");
  assert.deepEqual(await seriousViolations(page), [], "the QR code step is accessible");

  const wrong = currentCode(key) === "000000" ? "111111" : "000000";
  await section.getByLabel("The 6-digit code the app shows").fill(wrong);
  await section.getByRole("button", { name: "Turn on" }).click();
  await section.getByText("That code is not right.").waitFor();
  assert.equal((await accountState(person.email)).enabled, false, "a wrong first code activates nothing");

  const firstCode = await unusedCode(key);
  await section.getByLabel("The 6-digit code the app shows").fill(firstCode);
  // The other sessions end as this answer is given: the contract's 2 s at the API count from here.
  const activation = page.waitForResponse((answer) => answer.url().endsWith("/api/auth/two-factor/verify-totp"));
  await section.getByRole("button", { name: "Turn on" }).click();
  await activation;
  const activatedAt = Date.now();
  const codes = section.getByRole("list", { name: "Backup codes" }).getByRole("listitem");
  await codes.first().waitFor();
  await waitForFocusOnHeading(page, "the backup codes are read from the heading");
  const backupCodes = await codes.allInnerTexts();
  assert.equal((await accountState(person.email)).enabled, true);
  return { key, backupCodes, firstCode, activatedAt };
}

/** Waits for the two-factor section's heading to have the focus (the page moves it there after rendering). */
async function waitForFocusOnHeading(page: Page, why: string): Promise<void> {
  const focused = "document.activeElement?.id === 'two-factor-heading'";
  await page.waitForFunction(focused).catch(() => {});
  assert.ok(await page.evaluate(focused), why);
}

/** The sign-in page up to its second step, in a fresh browser context. */
async function startSignIn(person: Person): Promise<Page> {
  const page = await newSignedOutPage(browser, product.webUrl);
  await (await fillSignIn(page, product.webUrl, person)).click();
  await page.getByRole("heading", { name: "Two-factor sign-in" }).waitFor();
  return page;
}

/** Types a code into the second step and submits it; the status of the product's answer. */
async function submitCode(page: Page, code: string): Promise<number> {
  await page.getByRole("textbox", { name: /Authentication code|Backup code/ }).fill(code);
  const [response] = await Promise.all([
    page.waitForResponse((answer) => /\/api\/auth\/two-factor\/verify-/.test(answer.url())),
    page.getByRole("button", { name: "Verify" }).click(),
  ]);
  return response.status();
}

/** A password sign-in over HTTP from `address`: the second step's cookies (the challenge) to send with a code. */
async function passwordStep(person: Person, address: string, cookie = ""): Promise<string> {
  const credentials = { email: person.email, password: person.password };
  const response = await postAuth(product.webUrl, "/sign-in/email", credentials, address, cookie);
  assert.equal(response.status, 200);
  const body = (await response.json()) as { twoFactorRedirect?: boolean };
  assert.equal(body.twoFactorRedirect, true, "the password alone asks for the second step");
  return cookiesOf(response);
}

/** A code sent for the challenge in `cookie`, each from an address of its own (the per-address limit is tested apart). */
function sendCode(cookie: string, code: string, extra: object = {}, address = randomClientAddress()) {
  return postAuth(product.webUrl, "/two-factor/verify-totp", { code, ...extra }, address, cookie);
}

/**
 * A request to one of Better Auth's endpoints with the signed-in `page`'s session (a POST of
 * `body`, else a GET), from an address of its own: its status, its code, and the backup codes it
 * handed out, if any.
 */
async function withSession(
  page: Page,
  path: string,
  { body, headers = {} }: { body?: object; headers?: Record<string, string> },
): Promise<{ status: number; code?: string; backupCodes?: string[] }> {
  const url = `${product.webUrl}/api/auth${path}`;
  const options = { headers: { origin: product.webUrl, "x-forwarded-for": randomClientAddress(), ...headers } };
  const answer = body ? await page.request.post(url, { ...options, data: body }) : await page.request.get(url, options);
  const parsed = (await answer.json().catch(() => ({}))) as { code?: string; backupCodes?: string[] };
  return {
    status: answer.status(),
    ...(parsed.code === undefined ? {} : { code: parsed.code }),
    ...(parsed.backupCodes === undefined ? {} : { backupCodes: parsed.backupCodes }),
  };
}

/** A 6-digit code no authenticator shows now (outside the step of tolerance either side). */
function wrongCode(key: string): string {
  return wrongCodes(key, 1)[0] as string;
}

/** `count` different wrong codes (codes sent at once must differ: each is claimed while it is checked). */
function wrongCodes(key: string, count: number): string[] {
  const near = new Set([-1, 0, 1, 2].map((steps) => currentCode(key, steps)));
  const codes: string[] = [];
  for (let n = 0; codes.length < count; n++) {
    const code = String(n).padStart(6, "0");
    if (!near.has(code)) codes.push(code);
  }
  return codes;
}

describe("two-factor sign-in", () => {
  test("turning it on needs the password and a valid first code, hands out backup codes once, and signs the other devices out", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Tess");
    const other = await newSignedOutPage(browser, product.webUrl);
    await signIn(other, product.webUrl, person);
    const otherToken = await accessToken(other, product.webUrl);

    // A wrong password starts nothing.
    await confirmEmailInDatabase(person.email);
    await page.goto(`${product.webUrl}/account`);
    await twoFactorSection(page).getByLabel("Your password").fill("not the password");
    await twoFactorSection(page).getByRole("button", { name: "Set up two-factor sign-in" }).click();
    await twoFactorSection(page).getByText("That password is not right.").waitFor();
    assert.equal(
      await problemOfField(twoFactorSection(page).getByLabel("Your password")),
      "That password is not right.",
    );
    // A wrong first code, then Cancel: the form it goes back to does not say that code was wrong.
    await twoFactorSection(page).getByLabel("Your password").fill(person.password);
    await twoFactorSection(page).getByRole("button", { name: "Set up two-factor sign-in" }).click();
    await twoFactorSection(page).getByLabel("The 6-digit code the app shows").fill("000000");
    await twoFactorSection(page).getByRole("button", { name: "Turn on" }).click();
    await twoFactorSection(page)
      .getByText(/That code is not right/)
      .waitFor();
    assert.match(
      String(await problemOfField(twoFactorSection(page).getByLabel("The 6-digit code the app shows"))),
      /^That code is not right/,
    );
    await twoFactorSection(page).getByRole("button", { name: "Cancel" }).click();
    await twoFactorSection(page).getByRole("button", { name: "Set up two-factor sign-in" }).waitFor();
    assert.equal(
      await twoFactorSection(page)
        .getByText(/That code is not right/)
        .count(),
      0,
      "not said any more",
    );

    const { key, backupCodes, activatedAt } = await turnOnTwoFactor(page, person);
    assert.equal(backupCodes.length, 10);
    const { rows } = await db.query<{ secret: string; backup_codes: string }>(
      "SELECT t.secret, t.backup_codes FROM two_factors t JOIN users u ON u.id = t.user_id WHERE u.email = $1",
      [person.email],
    );
    assert.equal(rows.length, 1, "one row holds the secret");
    const stored = `${rows[0]?.secret} ${rows[0]?.backup_codes}`;
    for (const plain of [key, base32Decode(key).toString(), ...backupCodes]) {
      assert.ok(!stored.includes(plain), "the secret and the backup codes are stored encrypted");
    }
    assert.equal(new Set(backupCodes).size, 10, "the backup codes differ");
    assert.deepEqual(await seriousViolations(page), [], "the backup codes step is accessible");

    await expectRefusedWithin([product.apiUrl, secondApi], otherToken, activatedAt);
    // This device goes on, with a new session.
    assert.equal(await apiStatus(product.apiUrl, await accessToken(page, product.webUrl)), 200);
    assert.equal((await accountState(person.email)).sessions, 1, "only this device's session is left");
    // The owner hears of it: whoever turned it on with the password alone would lock them out.
    assert.match((await mailbox.waitFor(person.email, /Two-factor sign-in is on/)).text, /If this wasn't you/);

    // The page drawn again from the server held on its way: the section says On all the same (it
    // said Off, with the set-up form, until that came).
    const redrawn = await holdRequests(page, routerRequestFor("/account"));
    await twoFactorSection(page).getByRole("button", { name: "I have saved them" }).click();
    await twoFactorSection(page).getByText(/^On\./).waitFor();
    assert.equal(
      await twoFactorSection(page)
        .getByText(/^Off\./)
        .count(),
      0,
    );
    redrawn.release();
    await waitForFocusOnHeading(page, "back in the section, not at the top of the page");
  });

  test("pages drawn before it was turned on in another tab: 'Set up' says it is on and shows it; Delete account asks for a code and keeps the focus", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Stan");
    await confirmEmailInDatabase(person.email);
    const [setUpTab, deleteTab] = [await page.context().newPage(), await page.context().newPage()];
    for (const tab of [setUpTab, deleteTab]) {
      await tab.goto(`${product.webUrl}/account`);
      await twoFactorSection(tab).getByRole("button", { name: "Set up two-factor sign-in", disabled: false }).waitFor();
    }
    await turnOnTwoFactor(page, person);

    const section = twoFactorSection(setUpTab);
    // Every alert that appears, as it appears: each is read out by a screen reader.
    // (Script as text: this file is typed for Node, without the DOM's names.)
    await setUpTab.evaluate(`(() => {
      const alerts = [];
      new MutationObserver((changes) => {
        for (const added of changes.flatMap((change) => [...change.addedNodes])) {
          if (added.nodeType !== Node.ELEMENT_NODE) continue;
          for (const alert of [added, ...added.querySelectorAll("[role=alert]")]) {
            if (alert.getAttribute("role") === "alert") alerts.push(alert.textContent);
          }
        }
        sessionStorage.setItem("test:alerts", JSON.stringify(alerts));
      }).observe(document.body, { childList: true, subtree: true });
    })()`);
    await section.getByLabel("Your password").fill(person.password);
    await section.getByRole("button", { name: "Set up two-factor sign-in" }).click();
    const alreadyOn = "Two-factor sign-in is on already: it was turned on in another tab.";
    await section.getByText(alreadyOn).waitFor();
    await section.getByText(/^On\./).waitFor();
    await section.getByText(alreadyOn).waitFor(); // still in view once the form it was said in has gone
    const alerts: string[] = JSON.parse(String(await setUpTab.evaluate(`sessionStorage.getItem("test:alerts")`)));
    assert.deepEqual(
      alerts.filter((alert) => alert.includes(alreadyOn)),
      [alreadyOn],
      "said once, not again as the section is drawn without its form",
    );

    // Drawn again for the code, the page leaves the focus in the form being used (the two-factor
    // section, now on, does not take it to its heading).
    const deleting = deleteTab.getByRole("region", { name: "Delete account" });
    await deleting.getByLabel("Your password, to confirm").fill(person.password);
    await deleting.getByRole("button", { name: "Delete my account and all my tasks" }).click();
    await deleting.getByLabel("A code, to delete the account").waitFor();
    await deleting.getByText("Enter the code your authenticator app shows").waitFor();
    // The field it is about is marked, and read with its hint and the problem; the password's is not.
    assert.equal(
      await problemOfField(deleting.getByLabel("A code, to delete the account")),
      "The 6 digits your authenticator app shows, or one of your backup codes. Enter the code your authenticator app shows, or one of your backup codes.",
    );
    assert.equal(await problemOfField(deleting.getByLabel("Your password, to confirm")), null);
    await twoFactorSection(deleteTab).getByText(/^On\./).waitFor();
    await deleteTab.evaluate("new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))");
    assert.equal(
      await deleteTab.evaluate("document.activeElement?.closest('section')?.getAttribute('aria-labelledby')"),
      "delete-heading",
      "the focus stays where the person was (not on the two-factor section's heading, nor dropped to the page)",
    );
    assert.deepEqual(await accountState(person.email), { enabled: true, sessions: 1 }, "nothing else changed");
  });

  test("'Sign out' of this device, in a list drawn before turning it on gave this browser a new session, signs this browser out", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Tess");
    // The backup codes still shown: the page (and its list of sessions) is the one drawn before.
    await turnOnTwoFactor(page, person);
    await page
      .getByRole("region", { name: "Where you are signed in" })
      .getByRole("button", { name: /\(this device\)$/ })
      .click();
    await page.waitForURL(`${product.webUrl}/sign-in`);
    const session = await page.request.get(`${product.webUrl}/api/auth/get-session`);
    assert.equal(await session.text(), "null", "this browser is signed out");
    assert.deepEqual(await accountState(person.email), { enabled: true, sessions: 0 });
  });

  test("turned on by someone else who knows the password, its email's link lets the owner turn it off with a new password, once", async () => {
    const { page: owner, person } = await newSignedInPage(browser, product.webUrl, "Olga");
    // Someone with the password, in a browser of theirs, turns it on with their own app: the owner's
    // session ends, and a reset by email would not get the owner past the code.
    const thief = await newSignedOutPage(browser, product.webUrl);
    await signIn(thief, product.webUrl, person);
    await turnOnTwoFactor(thief, person);
    const told = await mailbox.waitFor(person.email, /Two-factor sign-in is on/);
    assert.match(told.text, /If this wasn't you, whoever did it knows your password/);
    assert.match(told.text, /within 7 days/);
    const link = told.link ?? "";
    assert.match(link, /^http:\/\/localhost:\d+\/undo-two-factor\?token=/);

    // Opened (as a mail scanner opens every link), the page changes nothing.
    await owner.goto(link);
    await owner.getByRole("heading", { name: "Turn off two-factor sign-in" }).waitFor();
    await owner.getByText(`Two-factor sign-in was turned on for the Tasks account of ${person.email}`).waitFor();
    assert.equal(await owner.locator('meta[name="referrer"]').getAttribute("content"), "no-referrer");
    assert.deepEqual(await seriousViolations(owner), [], "the page is accessible");
    assert.deepEqual(
      await accountState(person.email),
      { enabled: true, sessions: 1 },
      "only the other browser's session",
    );

    /** Opens `url`, which must say the link no longer works. */
    const deadLink = await newSignedOutPage(browser, product.webUrl);
    const expectDeadLink = async (url: string) => {
      await deadLink.goto(url);
      await deadLink.getByText("This link no longer works").waitFor();
    };
    // Nor once the account has moved to another address (whoever reads the old mailbox is often why).
    await db.query("UPDATE users SET email = $2 WHERE email = $1", [person.email, `moved-${person.email}`]);
    await expectDeadLink(link);
    await db.query("UPDATE users SET email = $2 WHERE email = $1", [`moved-${person.email}`, person.email]);
    // A token this site did not sign (the same claims, another signature) works not at all.
    const token = new URL(link).searchParams.get("token") ?? "";
    await expectDeadLink(
      `${product.webUrl}/undo-two-factor?token=${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`,
    );

    // Opened in a second tab too, whose form is sent once the first has used the link.
    const secondTab = await newSignedOutPage(browser, product.webUrl);
    await secondTab.goto(link);
    await secondTab.getByLabel("New password", { exact: true }).waitFor();

    const newPassword = "the owner's own passphrase";
    await owner.getByLabel("New password", { exact: true }).fill(newPassword);
    await owner.getByLabel("Repeat the new password").fill(newPassword);
    await owner.getByRole("button", { name: "Turn it off and change the password" }).click();
    await owner
      .getByText("Two-factor sign-in is off, your password is changed and every device was signed out")
      .waitFor();
    assert.deepEqual(await accountState(person.email), { enabled: false, sessions: 0 }, "off, and nobody signed in");
    const undone = await mailbox.waitFor(person.email, /^Two-factor sign-in was turned off/);
    assert.match(undone.text, /If this wasn't you, someone reads this mailbox/);
    const { rows } = await db.query("SELECT 1 FROM two_factors t JOIN users u ON u.id = t.user_id WHERE u.email = $1", [
      person.email,
    ]);
    assert.equal(rows.length, 0, "the other person's authenticator secret and backup codes are gone");
    // The second tab's form is refused (changing nothing: the new password signs in below), and
    // offers the way on.
    await secondTab.getByLabel("New password", { exact: true }).fill("the second tab's passphrase");
    await secondTab.getByLabel("Repeat the new password").fill("the second tab's passphrase");
    await secondTab.getByRole("button", { name: "Turn it off and change the password" }).click();
    await secondTab.getByRole("alert").getByText("This link no longer works").waitFor();
    await secondTab.getByRole("link", { name: "Go to sign in" }).waitFor();
    // The old password no longer signs in; the new one does, with no code asked.
    const old = await postAuth(product.webUrl, "/sign-in/email", { email: person.email, password: person.password });
    assert.equal(old.status, 401);
    await signIn(owner, product.webUrl, { ...person, password: newPassword });

    // The link works once: not again, nor once the owner has turned it on again with their own app (a
    // second factor of their own, which whoever reads the mailbox must not undo with the old link).
    const later = await newSignedOutPage(browser, product.webUrl);
    await later.goto(link);
    await later.getByText("This link no longer works").waitFor();
    await turnOnTwoFactor(owner, { ...person, password: newPassword });
    await later.goto(link);
    await later.getByText("This link no longer works").waitFor();
    assert.equal(await later.getByLabel("New password", { exact: true }).count(), 0, "no form to fill in");
  });

  test("a password alone starts no session; the second step refuses wrong and stale codes and takes the current one", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Otto");
    const { key, firstCode } = await turnOnTwoFactor(page, person);
    const before = await accountState(person.email);

    const response = await postAuth(product.webUrl, "/sign-in/email", {
      email: person.email,
      password: person.password,
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.twoFactorRedirect, true);
    assert.equal(body.token, undefined, "no session token in the answer");
    const cookies = response.headers.getSetCookie().map((cookie) => cookie.split(";")[0]);
    assert.ok(!cookies.some((cookie) => /session_token=[^;]+/.test(cookie ?? "")), `no session cookie: ${cookies}`);
    assert.equal((await accountState(person.email)).sessions, before.sessions, "no session row was left behind");
    const token = await fetch(`${product.webUrl}/api/auth/token`, {
      headers: { cookie: cookies.join("; "), origin: product.webUrl, "x-forwarded-for": randomClientAddress() },
    });
    assert.equal(token.status, 401, "no access token before the second step");

    const signingIn = await startSignIn(person);
    assert.deepEqual(await seriousViolations(signingIn), [], "the second step is accessible");
    const wrong = currentCode(key) === "123456" ? "654321" : "123456";
    assert.equal(await submitCode(signingIn, wrong), 401);
    await signingIn.getByText("That code is not right.").waitFor();
    // The code's field says so, and is read with its hint and the problem.
    assert.equal(
      await problemOfField(signingIn.getByLabel("Authentication code")),
      "The 6 digits your authenticator app shows for Tasks. That code is not right. Check your authenticator app and try again.",
    );
    // Two or three steps old: outside the one step of tolerance either side, and not the code that
    // turned it on (refused as used, which is not what this checks).
    const stale = [2, 3].map((stepsAgo) => currentCode(key, stepsAgo)).find((code) => code !== firstCode) ?? "";
    let staleAnswer = 0;
    // Said again (a new alert), not the wrong code's message still on the page.
    await expectSaidAgain(
      signingIn,
      signingIn.getByRole("alert").filter({ hasText: "That code is not right." }),
      async () => {
        staleAnswer = await submitCode(signingIn, stale);
      },
    );
    assert.equal(staleAnswer, 401, "a stale code is refused");
    assert.equal(new URL(signingIn.url()).pathname, "/sign-in", "still on the second step");

    // Pasted as authenticator apps show it, with a dash: read as its six digits.
    const current = await unusedCode(key);
    await submitCode(signingIn, `${current.slice(0, 3)}-${current.slice(3)}`);
    await signingIn.waitForURL(`${product.webUrl}/tasks`);
    assert.equal(await apiStatus(product.apiUrl, await accessToken(signingIn, product.webUrl)), 200);
    // A second step passed elsewhere signs nobody out.
    assert.equal(await apiStatus(product.apiUrl, await accessToken(page, product.webUrl)), 200);
  });

  test("a backup code signs in once; new ones (with the password and a code) void the old ones", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Bea");
    const { backupCodes } = await turnOnTwoFactor(page, person);
    const [first, second, third] = backupCodes as [string, string, string];
    await twoFactorSection(page).getByRole("button", { name: "I have saved them" }).click();

    const signingIn = await startSignIn(person);
    await signingIn.getByRole("button", { name: "Lost your phone? Use a backup code" }).click();
    // Codes are mixed case: a phone's keyboard must not make the first letter a capital, nor correct one.
    const field = signingIn.getByRole("textbox", { name: "Backup code" });
    assert.equal(await field.getAttribute("autocapitalize"), "none");
    assert.equal(await field.getAttribute("autocorrect"), "off");
    // Typed from paper: a space for the dash.
    await submitCode(signingIn, `${first.slice(0, 5)} ${first.slice(6)}`);
    await signingIn.waitForURL(`${product.webUrl}/tasks`);
    const reused = await startSignIn(person);
    await reused.getByRole("button", { name: "Lost your phone? Use a backup code" }).click();
    assert.equal(await submitCode(reused, first), 401, "a used backup code is refused");
    await reused.getByText("That backup code is not right, or it has been used already.").waitFor();
    // "Start over" goes back to the password form (the email kept), with the focus in the password field.
    await reused.getByRole("button", { name: "Start over" }).click();
    await reused.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    assert.equal(await reused.getByLabel("Email").inputValue(), person.email);
    await reused.waitForFunction("document.activeElement?.id === 'password'").catch(() => {});
    assert.equal(await reused.evaluate("document.activeElement?.id"), "password", "the focus is in the password field");

    const section = twoFactorSection(page);
    const formOf = (button: string) =>
      section.locator("form").filter({ has: page.getByRole("button", { name: button }) });
    // A wrong password is said in the form that asked, not under "Turn off" beside it; the code stays unused.
    await section.getByLabel("Your password, for new backup codes").fill("not the password");
    await section.getByLabel("A code, for new backup codes").fill(third);
    await section.getByRole("button", { name: "New backup codes" }).click();
    await formOf("New backup codes").getByRole("alert").getByText("That password is not right.").waitFor();
    assert.equal(await formOf("Turn off two-factor sign-in").getByRole("alert").count(), 0);
    await section.getByLabel("Your password, for new backup codes").fill(person.password);
    await section.getByRole("button", { name: "New backup codes" }).click();
    const listed = section.getByRole("list", { name: "Backup codes" }).getByRole("listitem");
    await listed.first().waitFor();
    const fresh = await listed.allInnerTexts();
    assert.equal(fresh.length, 10);
    assert.ok(!fresh.includes(second), "new codes");
    await mailbox.waitFor(person.email, /New backup codes for your Tasks account/); // the owner hears of it

    const again = await startSignIn(person);
    await again.getByRole("button", { name: "Lost your phone? Use a backup code" }).click();
    assert.equal(await submitCode(again, second), 401, "an old code is void once new ones are made");
    await again.getByText("That backup code is not right, or it has been used already.").waitFor();
    await submitCode(again, (fresh[0] as string).replace("-", "")); // and without it
    await again.waitForURL(`${product.webUrl}/tasks`);
  });

  test("turned off (with the password and a code) and on again, sign-in asks for the new secret's code (better-auth#10923)", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Remy");
    const { key: oldKey, backupCodes } = await turnOnTwoFactor(page, person);
    await twoFactorSection(page).getByRole("button", { name: "I have saved them" }).click();

    const other = await startSignIn(person);
    await submitCode(other, await unusedCode(oldKey));
    await other.waitForURL(`${product.webUrl}/tasks`);
    const otherToken = await accessToken(other, product.webUrl);

    const section = twoFactorSection(page);
    await section.getByLabel("Your password, to turn it off").fill("not the password");
    // A backup code, typed from paper: the wrong password must not use it up (it is checked first).
    await section.getByLabel("A code, to turn it off").fill((backupCodes[0] as string).replace("-", " "));
    await section.getByRole("button", { name: "Turn off two-factor sign-in" }).click();
    await section.getByText("That password is not right.").waitFor();
    assert.equal((await accountState(person.email)).enabled, true);
    await section.getByLabel("Your password, to turn it off").fill(person.password);
    // Turned off, the section is drawn again from the server: until it is, its buttons stay busy
    // (a second click would only be told that two-factor sign-in is not on).
    const refresh = await holdRequests(page, routerRequestFor("/account"));
    const turnOff = section.getByRole("button", { name: "Turn off two-factor sign-in" });
    const disabling = page.waitForResponse((answer) => answer.url().endsWith("/api/auth/two-factor/disable"));
    await turnOff.click();
    const disabled = await disabling;
    const turnedOffAt = Date.now();
    // (The backup code that came with the wrong password is still good.)
    assert.equal(disabled.status(), 200, await disabled.text());
    await refresh.held;
    assert.equal(await turnOff.isDisabled(), true, "turned off and being drawn again: the button is busy");
    refresh.release();
    await section.getByText(/^Off\./).waitFor();
    await waitForFocusOnHeading(page, "turned off, the focus stays in the section");
    await expectSaid(page, section, "Two-factor sign-in is off. Your other devices were signed out.");
    assert.equal((await accountState(person.email)).enabled, false);
    await expectRefusedWithin([product.apiUrl, secondApi], otherToken, turnedOffAt);
    await mailbox.waitFor(person.email, /Two-factor sign-in is off/); // the owner hears of it

    const plain = await postAuth(product.webUrl, "/sign-in/email", { email: person.email, password: person.password });
    assert.equal(((await plain.json()) as { twoFactorRedirect?: boolean }).twoFactorRedirect, undefined);

    const { key: newKey } = await turnOnTwoFactor(page, person);
    assert.notEqual(newKey, oldKey, "a new secret");
    const signingIn = await startSignIn(person);
    // A code the old secret makes now, never used (a used one would be refused for that alone).
    const oldSecretsCode = await unusedCode(oldKey);
    if (oldSecretsCode !== currentCode(newKey) && oldSecretsCode !== currentCode(newKey, -1)) {
      assert.equal(await submitCode(signingIn, oldSecretsCode), 401, "the old secret's code is refused");
      await signingIn.getByText("That code is not right.").waitFor();
    }
    await submitCode(signingIn, await unusedCode(newKey));
    await signingIn.waitForURL(`${product.webUrl}/tasks`);
  });

  test("with it on, the session and the password alone cannot get round it: turning it off, new backup codes and a passkey each ask for a code, take it once, and ten wrong ones lock codes", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Zed");
    const { key, backupCodes } = await turnOnTwoFactor(page, person);
    const backupCodesStored = async () =>
      (
        await db.query<{ codes: string }>(
          "SELECT t.backup_codes AS codes FROM two_factors t JOIN users u ON u.id = t.user_id WHERE u.email = $1",
          [person.email],
        )
      ).rows[0]?.codes;
    const storedBefore = await backupCodesStored();
    const { password } = person;
    const passkeyOptions = (code?: string) =>
      withSession(page, "/passkey/generate-register-options", {
        headers: { "x-account-password": encodeURIComponent(password), ...(code ? { "x-two-factor-code": code } : {}) },
      });
    const wrong = wrongCode(key);

    // Whoever holds the session (an unlocked computer, a stolen cookie) and knows the password.
    const refusals = [
      ["no code to turn it off", await withSession(page, "/two-factor/disable", { body: { password } })],
      ["a wrong code", await withSession(page, "/two-factor/disable", { body: { password, code: wrong } })],
      [
        "a made-up backup code",
        await withSession(page, "/two-factor/disable", { body: { password, code: "abcde-fghij" } }),
      ],
      [
        "no code for new backup codes",
        await withSession(page, "/two-factor/generate-backup-codes", { body: { password } }),
      ],
      [
        "a wrong code",
        await withSession(page, "/two-factor/generate-backup-codes", { body: { password, code: wrong } }),
      ],
      ["no code for a passkey", await passkeyOptions()],
      ["a wrong code", await passkeyOptions(wrong)],
    ] as const;
    assert.deepEqual(
      refusals.map(([what, answer]) => [what, answer.status, answer.code]),
      [
        ["no code to turn it off", 400, "TWO_FACTOR_CODE_REQUIRED"],
        ["a wrong code", 400, "INVALID_CODE"],
        ["a made-up backup code", 400, "INVALID_BACKUP_CODE"],
        ["no code for new backup codes", 400, "TWO_FACTOR_CODE_REQUIRED"],
        ["a wrong code", 400, "INVALID_CODE"],
        ["no code for a passkey", 400, "TWO_FACTOR_CODE_REQUIRED"],
        ["a wrong code", 400, "INVALID_CODE"],
      ],
    );
    // Nor are the plugin's own code checks open to the session (they count toward no lock, and
    // would use up backup codes).
    const checks = [
      await withSession(page, "/two-factor/verify-totp", { body: { code: wrong } }),
      await withSession(page, "/two-factor/verify-backup-code", { body: { code: backupCodes[3] } }),
    ];
    assert.deepEqual(checks, Array(2).fill({ status: 400, code: "TOTP_ALREADY_ENABLED" }), "no code checks");
    assert.deepEqual(await accountState(person.email), { enabled: true, sessions: 1 }, "still on, nobody signed out");
    assert.equal(await backupCodesStored(), storedBefore, "the backup codes are the same");

    // A right code is taken once: what it allowed, and nothing more (nobody is signed in by it).
    const code = await unusedCode(key);
    assert.equal((await passkeyOptions(code)).status, 200, "a passkey's options, with a code");
    assert.deepEqual(await accountState(person.email), { enabled: true, sessions: 1 }, "no session was started");
    for (const path of ["/two-factor/disable", "/two-factor/generate-backup-codes", "/two-factor/disable"]) {
      const again = await withSession(page, path, { body: { password, code } });
      assert.deepEqual(again, { status: 400, code: "CODE_ALREADY_USED" }, `the same code again (${path})`);
    }
    // A backup code is used up by what it allowed.
    const [, once, another] = backupCodes as [string, string, string];
    assert.equal((await passkeyOptions(once)).status, 200, "a passkey's options, with a backup code");
    assert.deepEqual(await passkeyOptions(once), { status: 400, code: "INVALID_BACKUP_CODE" }, "used up");
    const storedBeforeNew = await backupCodesStored();
    const fresh = await withSession(page, "/two-factor/generate-backup-codes", { body: { password, code: another } });
    assert.equal(fresh.status, 200, "new backup codes, with a backup code");
    assert.notEqual(await backupCodesStored(), storedBeforeNew);
    assert.deepEqual(
      fresh.backupCodes?.filter((made) => backupCodes.includes(made)),
      [],
      "ten new codes, none of the old",
    );

    // Ten wrong codes in a row lock codes for the account, here and at sign-in's second step, a
    // right one included (a backup code, not used up).
    for (let i = 0; i < 10; i++) {
      const answer = await withSession(page, "/two-factor/disable", { body: { password, code: wrong } });
      assert.deepEqual(answer, { status: 400, code: "INVALID_CODE" });
    }
    const storedAtLock = await backupCodesStored();
    const [right, atSignIn] = fresh.backupCodes as [string, string];
    const locked = await withSession(page, "/two-factor/disable", { body: { password, code: right } });
    assert.deepEqual(locked, { status: 429, code: "ACCOUNT_TEMPORARILY_LOCKED" }, "ten wrong codes lock codes");
    const signingIn = await postAuth(
      product.webUrl,
      "/two-factor/verify-backup-code",
      { code: atSignIn },
      randomClientAddress(),
      await passwordStep(person, randomClientAddress()),
    );
    assert.equal(signingIn.status, 429, "and at sign-in");
    assert.equal(((await signingIn.json()) as { code?: string }).code, "ACCOUNT_TEMPORARILY_LOCKED");
    assert.deepEqual(await accountState(person.email), { enabled: true, sessions: 1 }, "still on, no new session");
    assert.equal(await backupCodesStored(), storedAtLock, "the backup codes are not used up");
  });

  test("with it on, a new password and a new address ask for a code too (the session and the password cannot shut the owner out), and the owner hears of a new password", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ray");
    const { key, backupCodes } = await turnOnTwoFactor(page, person);
    const { password } = person;
    const thief = `thief-${person.email}`;
    const theirs = (code?: string) => ({
      password: { currentPassword: password, newPassword: "the thief's passphrase", revokeOtherSessions: true, code },
      address: { newEmail: thief, password, callbackURL: "/account", code },
    });
    const wrong = wrongCode(key);
    const refusals = [
      ["no code for a new password", await withSession(page, "/change-password", { body: theirs().password })],
      ["a wrong code", await withSession(page, "/change-password", { body: theirs(wrong).password })],
      ["no code for a new address", await withSession(page, "/change-email", { body: theirs().address })],
      ["a wrong code", await withSession(page, "/change-email", { body: theirs(wrong).address })],
      [
        "a wrong password, with a backup code",
        await withSession(page, "/change-password", {
          body: { ...theirs(backupCodes[0]).password, currentPassword: "not the password" },
        }),
      ],
      // What the endpoint would refuse anyway is refused before the code is checked, or used up.
      [
        "a new password too short, with a backup code",
        await withSession(page, "/change-password", {
          body: { ...theirs(backupCodes[1]).password, newPassword: "short" },
        }),
      ],
      [
        "the account's own address, with a backup code",
        await withSession(page, "/change-email", {
          body: { ...theirs(backupCodes[1]).address, newEmail: person.email.toUpperCase() },
        }),
      ],
    ] as const;
    assert.deepEqual(
      refusals.map(([what, answer]) => [what, answer.status, answer.code]),
      [
        ["no code for a new password", 400, "TWO_FACTOR_CODE_REQUIRED"],
        ["a wrong code", 400, "INVALID_CODE"],
        ["no code for a new address", 400, "TWO_FACTOR_CODE_REQUIRED"],
        ["a wrong code", 400, "INVALID_CODE"],
        ["a wrong password, with a backup code", 400, "INVALID_PASSWORD"],
        ["a new password too short, with a backup code", 400, "PASSWORD_TOO_SHORT"],
        ["the account's own address, with a backup code", 400, undefined],
      ],
    );
    // Nothing changed: nobody signed out, the password still the one that signs in, no link to the other address.
    assert.deepEqual(await accountState(person.email), { enabled: true, sessions: 1 });
    await passwordStep(person, randomClientAddress());
    assert.equal(mailbox.to(thief).length, 0, "no link went to the other address");

    // The owner, on the account page, with the backup code the wrong password did not use up.
    await page.goto(`${product.webUrl}/account`);
    const newPassword = "the owner's new passphrase";
    await page.getByLabel("Current password").fill(password);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Repeat the new password").fill(newPassword);
    await page.getByLabel("A code, to change the password").fill(backupCodes[0] as string);
    await page.getByRole("button", { name: "Change password" }).click();
    await onPage(page, "Password changed. Your other devices are signed out.").waitFor();
    const told = await mailbox.waitFor(person.email, /^Your Tasks password was changed$/);
    assert.match(told.text, /and every other device was signed out/);
    assert.match(told.text, /If this wasn't you.*Forgot password\?/);
    // And a new address, with the backup code the refused changes above did not use up.
    await page.getByLabel("New email address").fill(`new-${person.email}`);
    await page.getByLabel("Your password, to change the email").fill(newPassword);
    await page.getByLabel("A code, to change the email").fill(backupCodes[1] as string);
    await page.getByRole("button", { name: "Change email" }).click();
    await onPage(page, `To finish, open the link we sent to new-${person.email}.`, { exact: false }).waitFor();
  });

  test("with it on, deleting the account asks for a code too, and a wrong password uses up no backup code", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Dell");
    const { key, backupCodes } = await turnOnTwoFactor(page, person);
    const { password } = person;
    const refusals = [
      ["no code", await withSession(page, "/delete-user", { body: { password } })],
      ["a wrong code", await withSession(page, "/delete-user", { body: { password, code: wrongCode(key) } })],
      [
        "a wrong password, with a backup code",
        await withSession(page, "/delete-user", { body: { password: "not the password", code: backupCodes[0] } }),
      ],
      ["no password, with a backup code", await withSession(page, "/delete-user", { body: { code: backupCodes[0] } })],
    ] as const;
    assert.deepEqual(
      refusals.map(([what, answer]) => [what, answer.status, answer.code]),
      [
        ["no code", 400, "TWO_FACTOR_CODE_REQUIRED"],
        ["a wrong code", 400, "INVALID_CODE"],
        ["a wrong password, with a backup code", 400, "INVALID_PASSWORD"],
        ["no password, with a backup code", 400, "INVALID_PASSWORD"],
      ],
    );
    assert.deepEqual(await accountState(person.email), { enabled: true, sessions: 1 }, "the account is still there");

    // The owner, on the account page, with the backup code the refusals did not use up.
    await page.goto(`${product.webUrl}/account`);
    const section = page.getByRole("region", { name: "Delete account" });
    await section.getByLabel("Your password, to confirm").fill(password);
    await section.getByLabel("A code, to delete the account").fill(backupCodes[0] as string);
    await section.getByRole("button", { name: "Delete my account and all my tasks" }).click();
    await page.waitForURL(/\/sign-up\?deleted=1/);
    const { rows } = await db.query("SELECT 1 FROM users WHERE email = $1", [person.email]);
    assert.equal(rows.length, 0, "the account is gone");
  });

  test("the page says a sign-in ended for too many wrong codes, not that it expired", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Hal");
    const { key } = await turnOnTwoFactor(page, person);
    await twoFactorSection(page).getByRole("button", { name: "I have saved them" }).click();
    const signingIn = await startSignIn(person);
    for (let i = 0; i < 5; i++) assert.equal(await submitCode(signingIn, wrongCode(key)), 401);
    assert.equal(await submitCode(signingIn, wrongCode(key)), 400);
    await signingIn.getByText("Too many wrong codes for this sign-in. Enter your password again.").waitFor();
    assert.equal(await signingIn.getByText(/expired/).count(), 0);
  });

  test("guessing is bounded: a challenge ends after 5 wrong codes, 10 in a row lock the second step, and no device is trusted", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Gus");
    const { key } = await turnOnTwoFactor(page, person);
    const before = await accountState(person.email);

    // Five wrong codes end the challenge: the right code after them starts no session.
    const first = await passwordStep(person, randomClientAddress());
    for (let i = 0; i < 5; i++) assert.equal((await sendCode(first, wrongCode(key))).status, 401);
    // A right code, refused with its challenge (and given back for another try: see the lock below).
    const rightCode = await unusedCode(key);
    const late = await sendCode(first, rightCode);
    assert.equal(late.status, 400, "the challenge is over");
    assert.equal(((await late.json()) as { code?: string }).code, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE");
    assert.equal((await accountState(person.email)).sessions, before.sessions, "no session was started");

    // Five more on a new challenge: ten in a row lock the second step, the right code included.
    const second = await passwordStep(person, randomClientAddress());
    for (let i = 0; i < 4; i++) assert.equal((await sendCode(second, wrongCode(key))).status, 401);
    const lockedAt = Date.now();
    assert.equal((await sendCode(second, wrongCode(key))).status, 401);
    const third = await passwordStep(person, randomClientAddress());
    const locked = await sendCode(third, rightCode);
    assert.equal(locked.status, 429, "locked after ten wrong codes in a row");
    // 15 minutes from the tenth wrong code, less what has passed since (however long that took).
    const retryAfter = Number(locked.headers.get("retry-after"));
    const since = Math.ceil((Date.now() - lockedAt) / 1000);
    assert.ok(retryAfter >= 900 - since && retryAfter <= 900, `Retry-After: ${retryAfter}, ${since} s after`);
    assert.equal((await accountState(person.email)).sessions, before.sessions, "still no session");
  });

  test("codes sent at once, one on each of many sign-ins, are counted as they start: ten are checked, then codes lock", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Pia");
    const { key } = await turnOnTwoFactor(page, person);
    const before = await accountState(person.email);
    // Whoever has the password makes as many sign-ins as they like, each with its own tries at a code,
    // and sends one try on each at the same moment (authenticator codes and backup codes alike), each
    // from an address of its own.
    const challenges: string[] = [];
    for (let i = 0; i < 14; i++) challenges.push(await passwordStep(person, randomClientAddress()));
    const codes = wrongCodes(key, 14);
    const answers = await Promise.all(
      challenges.map((challenge, i) =>
        i % 2 === 0
          ? sendCode(challenge, codes[i] as string)
          : postAuth(
              product.webUrl,
              "/two-factor/verify-backup-code",
              { code: `wrong-${i}` },
              randomClientAddress(),
              challenge,
            ),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    assert.equal(statuses.filter((status) => status === 401).length, 10, `ten checked and refused: ${statuses}`);
    assert.equal(statuses.filter((status) => status === 429).length, 4, `the rest refused as locked: ${statuses}`);
    // The lock holds for the right code too, and says when it ends.
    const locked = await sendCode(await passwordStep(person, randomClientAddress()), await unusedCode(key));
    assert.equal(locked.status, 429);
    assert.equal(((await locked.json()) as { code?: string }).code, "ACCOUNT_TEMPORARILY_LOCKED");
    assert.ok(Number(locked.headers.get("retry-after")) > 800, "says when the lock ends");
    assert.equal((await accountState(person.email)).sessions, before.sessions, "no session was started");
  });

  test("a right code at sign-in ends the count of wrong ones: the lock is for ten wrong in a row", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Rex");
    const { key } = await turnOnTwoFactor(page, person);
    /** `count` wrong codes, five to a sign-in (a sign-in's challenge ends after five): each refused as wrong. */
    const wrongTries = async (count: number) => {
      for (let done = 0; done < count; ) {
        const challenge = await passwordStep(person, randomClientAddress());
        for (let i = 0; i < 5 && done < count; i++, done++) {
          assert.equal(
            (await sendCode(challenge, wrongCode(key))).status,
            401,
            `wrong code ${done + 1} refused as wrong`,
          );
        }
      }
    };
    await wrongTries(9);
    const signedIn = await sendCode(await passwordStep(person, randomClientAddress()), await unusedCode(key));
    assert.equal(signedIn.status, 200, "the right code, the tenth try, signs in");
    await wrongTries(9); // counted from nought again: none of these is locked
  });

  test("a device is never trusted to skip the code, the secret is not handed out again, and an address gets 10 tries a minute", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ivo");
    const { key } = await turnOnTwoFactor(page, person);

    const challenge = await passwordStep(person, randomClientAddress());
    const passed = await sendCode(challenge, await unusedCode(key), { trustDevice: true });
    assert.equal(passed.status, 200);
    // Whatever cookies that answer set, the next password sign-in with them still asks for a code.
    await passwordStep(person, randomClientAddress(), [challenge, cookiesOf(passed)].filter(Boolean).join("; "));

    const uri = await postAuth(
      product.webUrl,
      "/two-factor/get-totp-uri",
      { password: person.password },
      randomClientAddress(),
      cookiesOf(passed),
    );
    assert.equal(uri.status, 404, "the TOTP secret is not handed out again");
    assert.doesNotMatch(await uri.text(), /otpauth:/);

    // Without a challenge each try is refused before any code is checked (so no account lockout
    // plays a part): only the per-address limit can make the 11th a 429.
    const address = randomClientAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await sendCode("", "000000", {}, address)).status);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401), "refused for want of a challenge");
    assert.equal(statuses[10], 429, "the 11th try in a minute from one address is refused");
  });

  test("a code signs in once: used again, even at the same moment, it is refused; one refused for another reason can be typed again", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Una");
    const { key, firstCode } = await turnOnTwoFactor(page, person);
    const before = await accountState(person.email);
    const code = await unusedCode(key);

    // Right, but its challenge had ended (five wrong codes): refused, and not spent.
    const ended = await passwordStep(person, randomClientAddress());
    for (let i = 0; i < 5; i++) assert.equal((await sendCode(ended, wrongCode(key))).status, 401);
    assert.equal((await sendCode(ended, code)).status, 400);

    // Sent with two sign-ins at once (someone who saw it typed, racing its owner): one gets in.
    const [one, two] = [
      await passwordStep(person, randomClientAddress()),
      await passwordStep(person, randomClientAddress()),
    ];
    const answers = await Promise.all([sendCode(one, code), sendCode(two, code)]);
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 401], "one of the two is refused");
    const refused = answers.find((answer) => answer.status === 401) as Response;
    assert.equal(((await refused.json()) as { code?: string }).code, "CODE_ALREADY_USED");
    assert.equal((await accountState(person.email)).sessions, before.sessions + 1, "one session was started");

    // Later, in the sign-in page, and the code that turned it on too: refused, in words.
    const signingIn = await startSignIn(person);
    assert.equal(await submitCode(signingIn, code), 401);
    await signingIn.getByText("That code has been used already. Wait for your app to show the next one.").waitFor();
    const again = await sendCode(await passwordStep(person, randomClientAddress()), firstCode);
    assert.equal(((await again.json()) as { code?: string }).code, "CODE_ALREADY_USED");
    assert.equal((await accountState(person.email)).sessions, before.sessions + 1, "no other session");
  });

  test("a new password ends the sign-ins still waiting for their second step", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Cyd");
    const { key, backupCodes } = await turnOnTwoFactor(page, person);
    const before = await accountState(person.email);
    // Someone who knows the old password is at the second step, with a code to try.
    const challenge = await passwordStep(person, randomClientAddress());

    const changed = await page.request.post(`${product.webUrl}/api/auth/change-password`, {
      data: {
        currentPassword: person.password,
        newPassword: "a brand new passphrase",
        revokeOtherSessions: false,
        code: backupCodes[0],
      },
      headers: { origin: product.webUrl },
    });
    assert.equal(changed.status(), 200, await changed.text());
    const late = await sendCode(challenge, await unusedCode(key));
    const answer = await late.text();
    assert.equal(late.status, 401, answer);
    assert.equal((JSON.parse(answer) as { code?: string }).code, "INVALID_TWO_FACTOR_COOKIE", "the challenge is gone");
    assert.equal((await accountState(person.email)).sessions, before.sessions, "no session was started");
  });
});
