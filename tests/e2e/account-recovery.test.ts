/**
 * Getting into an account without the dashboard: the confirmation email, a forgotten password's
 * reset, and password guessing paused, in a real browser with a real SMTP server in the test (the
 * product's emails arrive there and the tests follow their links). A reset's end of every session
 * is measured at two Task API processes: refused within 2 s. The account page: account.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createPool } from "@tasks/db";
import { decodeJwt, SignJWT } from "jose";
import type { Page } from "playwright-core";
import { answeredAt, assertAccountEmail, changePasswordOnPage, startAccountsProduct, until } from "./account-shared";
import {
  accessToken,
  apiStatus,
  confirmEmailInDatabase,
  cookiesOf,
  expectRefusedWithin,
  expectSaid,
  expectSaidAgain,
  fillSignIn,
  followEmailLink,
  launchBrowser,
  newPerson,
  newSignedInPage,
  newSignedOutPage,
  onPage,
  postAuth,
  problemOfField,
  randomClientAddress,
  sendSignUp,
  signIn,
} from "./product";
import { unusedCode } from "./totp";

const databaseUrl = process.env.DATABASE_URL ?? "";
// (Its logs kept: a test reads the web app's word that an email was not sent.)
const { mailbox, product, apis } = await startAccountsProduct(databaseUrl, { keepOutput: true });
const browser = await launchBrowser();

describe("email verification", () => {
  test("sign-up sends a link; the dashboard offers to resend it; following it confirms the address", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Vera");
    const first = await mailbox.waitFor(person.email, /Confirm your email address/);
    assertAccountEmail(first, product.webUrl);
    assert.match(first.link ?? "", /\/confirm-email\?callbackURL=%2Ftasks&token=/);
    // Opened by a mail scanner (a plain GET, as some mail services do to every link, or a browser that
    // renders it and waits): nothing confirmed, and the page stays where it is.
    assert.equal((await fetch(first.link ?? "")).status, 200);
    const scanner = await newSignedOutPage(browser, product.webUrl);
    await scanner.goto(first.link ?? "", { waitUntil: "networkidle" });
    assert.equal(new URL(scanner.url()).pathname, "/confirm-email");
    assert.equal(await scanner.locator('meta[name="referrer"]').getAttribute("content"), "no-referrer");
    await scanner.getByText(`Confirm that ${person.email} is your email address`).waitFor();
    // A token this site did not sign names no address there (anyone can make one up).
    const madeUp = await new SignJWT({ email: person.email, updateTo: `thief-${person.email}` })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode("not this site's secret, though long enough"));
    await scanner.goto(`${product.webUrl}/confirm-email?callbackURL=%2Faccount&token=${madeUp}`);
    await scanner.getByText("Confirm the email address this link was sent to.").waitFor();
    assert.equal(await scanner.getByText(/thief-/).count(), 0, "no address from a token not signed here");
    await page.reload();
    assert.equal(decodeJwt(await accessToken(page, product.webUrl)).email, person.email);

    await onPage(page, "Please confirm your email address").waitFor();
    await page.getByRole("button", { name: "Resend" }).click();
    await onPage(page, `We sent a new link to ${person.email}`).waitFor();
    const second = await mailbox.waitFor(person.email, /Confirm your email address/);

    // A link cut short on its way (a mail program wrapping it) is said to be so, not to have expired.
    await followEmailLink(page, (second.link ?? "").slice(0, -40));
    await page.waitForURL(/\/tasks\?error=/);
    await onPage(page, "That confirmation link is not whole").waitFor();
    assert.equal(await page.getByText(/expired/).count(), 0);

    await followEmailLink(page, second.link ?? "");
    await page.waitForURL(`${product.webUrl}/tasks`);
    await page.getByRole("list", { name: "Your tasks" }).or(onPage(page, "No tasks yet")).waitFor();
    assert.equal(await page.getByText("Please confirm your email address").count(), 0, "the notice is gone");
    await page.goto(`${product.webUrl}/account`);
    await onPage(page, "confirmed", { exact: true }).waitFor();
  });

  test("a link's ?error= that names no known problem, even one an object has by inheritance (toString, __proto__), shows the page and says the link did not work", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Rex");
    for (const code of ["toString", "constructor", "__proto__", "SOMETHING_ELSE"]) {
      await page.goto(`${product.webUrl}/tasks?error=${code}`);
      await onPage(page, "That confirmation link no longer works.").waitFor();
      await page.getByLabel("New task title").waitFor();
      await page.goto(`${product.webUrl}/account?error=${code}`);
      await onPage(page, "That link has expired or was already used.").waitFor();
      await page.getByLabel("Name", { exact: true }).waitFor();
    }
  });

  test("Resend on a page drawn before the address was confirmed elsewhere says it is confirmed, not 'try again'", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ria");
    await onPage(page, "Please confirm your email address").waitFor();
    await confirmEmailInDatabase(person.email); // the link followed on the phone meanwhile
    await page.getByRole("button", { name: "Resend" }).click();
    await onPage(page, "Your address is confirmed already").waitFor();
  });

  test("so does the account page's “Send a new confirmation link”, and it then shows the address confirmed", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Rue");
    await page.goto(`${product.webUrl}/account`);
    await onPage(page, "not confirmed yet").waitFor();
    await confirmEmailInDatabase(person.email); // the link followed on the phone meanwhile
    await page.getByRole("button", { name: "Send a new confirmation link" }).click();
    await expectSaid(page, page.getByRole("main"), "Your address is confirmed already");
    await onPage(page, "confirmed", { exact: true }).waitFor();
    assert.equal(await page.getByText("not confirmed yet").count(), 0);
    assert.equal(
      await page
        .getByRole("alert")
        .filter({ hasText: /verified|confirmed/ })
        .count(),
      0,
      "not said as a failure",
    );
  });

  test("and when the address itself changed meanwhile, “Send a new confirmation link” says so and shows the new one", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ray");
    await page.goto(`${product.webUrl}/account`);
    await onPage(page, "not confirmed yet").waitFor();
    // Moved to another address on the phone meanwhile, not yet confirmed there either.
    const moved = `moved-${person.email}`;
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      await pool.query("UPDATE users SET email = $2 WHERE email = $1", [person.email, moved]);
    } finally {
      await pool.end();
    }
    await page.getByRole("button", { name: "Send a new confirmation link" }).click();
    await expectSaid(page, page.getByRole("main"), /Your address changed since this page was opened/);
    await page.getByTestId("account-email").getByText(moved, { exact: true }).waitFor();
    assert.equal(
      await page
        .getByRole("alert")
        .filter({ hasText: /mismatch|match/i })
        .count(),
      0,
      "not said as a failure",
    );
    // Asked again, the link goes to the address the page now shows.
    await page.getByRole("button", { name: "Send a new confirmation link" }).click();
    await expectSaid(page, page.getByRole("main"), `We sent a new link to ${moved}.`);
    assert.ok((await mailbox.waitFor(moved, /Confirm your email address/)).link, "the link went to the new address");
  });
});

/** Waits until the page's focus is on an element (not the page's body) whose text has `words`. */
const waitForFocusOn = (page: Page, words: string) =>
  page.waitForFunction(
    `document.activeElement !== document.body && (document.activeElement?.textContent ?? "").includes(${JSON.stringify(words)})`,
  );

describe("password reset", () => {
  test("an unknown address gets the same answer and no email; the link works once and signs every session out", async (t) => {
    const { page: device, person } = await newSignedInPage(browser, product.webUrl, "Rosa");
    const deviceToken = await accessToken(device, product.webUrl);
    assert.equal(await apiStatus(product.apiUrl, deviceToken), 200, "the other device's token works before");
    const unknown = `nobody-${person.email}`;
    const client = randomClientAddress();
    const ask = (email: string) =>
      postAuth(product.webUrl, "/request-password-reset", { email, redirectTo: "/reset-password" }, client);
    const [known, stranger] = [await ask(person.email), await ask(unknown)];
    assert.equal(known.status, stranger.status);
    assert.deepEqual(await known.json(), await stranger.json(), "the same answer for both");
    // That one was sent by the request above; it must not outlive the reset made with the next one.
    const earlier = await mailbox.waitFor(person.email, /Reset your Tasks password/);

    // The page, as a person uses it: "Forgot password?" from sign-in.
    const page = await newSignedOutPage(browser, product.webUrl);
    await page.goto(`${product.webUrl}/sign-in`);
    await page.getByRole("link", { name: "Forgot password?" }).click();
    await page.getByRole("heading", { name: "Reset your password" }).waitFor();
    await page.getByLabel("Email").fill(person.email);
    await page.getByRole("button", { name: "Send the link" }).click();
    await onPage(page, `If an account exists for ${person.email}`).waitFor();
    // The form and its button went: the focus is on what replaced them, not on the page's body.
    await waitForFocusOn(page, "we have sent it a link");
    const email = await mailbox.waitFor(person.email, /Reset your Tasks password/);
    assertAccountEmail(email, product.webUrl);
    assert.match(email.text, /works once, for one hour/);
    assert.equal(mailbox.to(unknown).length, 0, "no email for an unknown address");

    // Also open in a second tab, where the link is used up meanwhile.
    const secondTab = await page.context().newPage();
    await secondTab.goto(email.link ?? "");
    await page.goto(email.link ?? "");
    assert.equal(await page.locator('meta[name="referrer"]').getAttribute("content"), "no-referrer");
    // A too-short password is refused on the page (the field says why), without using up the link.
    const resets: string[] = [];
    page.on("request", (request) => {
      if (request.url().endsWith("/api/auth/reset-password")) resets.push(request.method());
    });
    await page.getByLabel("New password", { exact: true }).fill("short");
    await page.getByLabel("Repeat the new password").fill("short");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.locator("#password:invalid").waitFor();
    await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))");
    assert.deepEqual(resets, [], "nothing was sent");
    // Two new passwords that differ, twice: said twice, each time a new alert (the same words set
    // again on the alert there were not read out, nor changed anything on the screen).
    await page.getByLabel("New password", { exact: true }).fill("a brand new passphrase");
    await page.getByLabel("Repeat the new password").fill("a brand new passphrase!");
    await page.getByRole("button", { name: "Change password" }).click();
    const differ = page.getByRole("alert").filter({ hasText: "The two new passwords differ." });
    await differ.waitFor();
    await expectSaidAgain(page, differ, () => page.getByRole("button", { name: "Change password" }).click());
    assert.deepEqual(resets, [], "still nothing sent");
    const newPassword = "a brand new passphrase";
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("Repeat the new password").fill(newPassword);
    const resetAt = answeredAt(page, "/reset-password");
    await page.getByRole("button", { name: "Change password" }).click();
    await onPage(page, "every device was signed out").waitFor();
    await waitForFocusOn(page, "every device was signed out");

    const ms = await expectRefusedWithin(apis, deviceToken, await resetAt);
    t.diagnostic(`the other device's token was refused ${ms} ms after the reset`);

    // The same link a second time does nothing: in the tab that had it open, sent; opened again, said at once.
    await secondTab.getByLabel("New password", { exact: true }).fill("yet another passphrase");
    await secondTab.getByLabel("Repeat the new password").fill("yet another passphrase");
    await secondTab.getByRole("button", { name: "Change password" }).click();
    await secondTab.getByText("This link has expired or has already been used").waitFor();
    await page.goto(email.link ?? "");
    await onPage(page, "This link has expired or has already been used").waitFor();
    assert.equal(await page.getByLabel("New password", { exact: true }).count(), 0, "no form to fill in");
    // Nor does a link asked for before the reset.
    const earlierToken = new URL(earlier.link ?? "").searchParams.get("token");
    assert.ok(earlierToken, "the earlier email carries a link with its token");
    const late = await postAuth(product.webUrl, "/reset-password", { token: earlierToken, newPassword: "a late one!" });
    assert.equal(late.status, 400, "an earlier reset link ends with the reset");

    await signIn(page, product.webUrl, { ...person, password: newPassword });
  });

  test("one address gets at most 10 emails anyone can ask for in an hour, then one of a kind each 15 minutes, whatever its +tag; its account's notices still go", async () => {
    const person = newPerson("Una");
    const signedUp = await postAuth(product.webUrl, "/sign-up/email", person);
    assert.equal(signedUp.status, 200);
    await mailbox.waitFor(person.email, /Confirm your email address/); // the first of the ten
    const askReset = async () => {
      // Each from a client of its own: the per-client limit (3 a minute) does not stop this.
      const asked = await postAuth(product.webUrl, "/request-password-reset", { email: person.email });
      assert.equal(asked.status, 200);
      return asked.json();
    };
    const resets = () => mailbox.to(person.email).filter((email) => /Reset your Tasks password/.test(email.subject));
    const pool = createPool(databaseUrl, { max: 1 });
    const counted = async (key: string) =>
      (await pool.query("SELECT count FROM rate_limits WHERE key = $1", [key])).rows[0]?.count;
    try {
      const answers = [];
      for (let i = 0; i < 10; i++) answers.push(await askReset());
      // The tenth reset (the eleventh email) is past the hour's ten: the first reset link past them goes.
      await until(async () => (await counted(`email:reset:${person.email}`)) === 1, "one past the ten counted");
      await until(async () => resets().length === 10, "ten reset links arrived");
      // The next does not, and is answered as the others: it tells nothing.
      answers.push(await askReset());
      assert.deepEqual(answers[10], answers[0]);
      await until(
        async () => (await counted(`email:reset:${person.email}`)) === 2,
        "the next one counted (and refused)",
      );

      // A +tag reaches the same inbox: its sign-up's confirmation is one past the ten, of its kind the first.
      const [local, domain] = person.email.split("@");
      const tagged = (tag: string) => ({ ...newPerson("Una"), email: `${local}+${tag}@${domain}` });
      assert.equal((await postAuth(product.webUrl, "/sign-up/email", tagged("one"))).status, 200);
      await mailbox.waitFor(`${local}+one@${domain}`, /Confirm your email address/);
      assert.equal((await postAuth(product.webUrl, "/sign-up/email", tagged("two"))).status, 200);
      await until(async () => (await counted(`email:confirm:${person.email}`)) === 2, "the second +tag counted");

      // A notice of the account's own goes still: a change of password.
      const changed = await postAuth(
        product.webUrl,
        "/change-password",
        { currentPassword: person.password, newPassword: "a passphrase of her own" },
        randomClientAddress(),
        cookiesOf(signedUp),
      );
      assert.equal(changed.status, 200);
      await mailbox.waitFor(person.email, /Your Tasks password was changed/);
      assert.equal(resets().length, 10, "ten reset links, not eleven");
      assert.equal(mailbox.to(`${local}+two@${domain}`).length, 0, "nothing to the second +tag");

      // 15 minutes on, one more reset link goes: a flood cannot keep the owner from one for longer.
      await pool.query("UPDATE rate_limits SET last_request = last_request - 900000 WHERE key = $1", [
        `email:reset:${person.email}`,
      ]);
      await askReset();
      await until(async () => resets().length === 11, "a reset link 15 minutes later");
    } finally {
      await pool.end();
    }
  });

  test("another account asking again and again to move to an address does not keep the address's confirmation of someone else's move from it", async () => {
    const address = `moving-${crypto.randomUUID()}@example.test`;
    const signUpConfirmed = async (person: ReturnType<typeof newPerson>) => {
      const signedUp = await postAuth(product.webUrl, "/sign-up/email", person);
      assert.equal(signedUp.status, 200);
      await confirmEmailInDatabase(person.email, databaseUrl);
      return { cookie: cookiesOf(signedUp), id: ((await signedUp.json()) as { user: { id: string } }).user.id };
    };
    const asker = newPerson("Mallory");
    const owner = newPerson("Vera");
    const { cookie: askerCookie, id: askerId } = await signUpConfirmed(asker);
    const { cookie: ownerCookie, id: ownerId } = await signUpConfirmed(owner);
    const moveTo = async (person: ReturnType<typeof newPerson>, cookie: string) => {
      const asked = await postAuth(
        product.webUrl,
        "/change-email",
        { newEmail: address, password: person.password },
        randomClientAddress(),
        cookie,
      );
      assert.equal(asked.status, 200);
    };
    const confirmations = (account: string) =>
      mailbox.to(address).filter((email) => email.text.includes(`The Tasks account of ${account} asked`));
    // The hour's ten, then the one of a kind past them: all the asker's.
    for (let i = 0; i < 11; i++) await moveTo(asker, askerCookie);
    await until(async () => confirmations(asker.email).length === 11, "eleven confirmations for the asker");

    await moveTo(owner, ownerCookie);
    await until(async () => confirmations(owner.email).length === 1, "the owner's confirmation arrived");
    // Each account's next is held back for 15 minutes: counted, and not sent.
    await moveTo(asker, askerCookie);
    await moveTo(owner, ownerCookie);
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      const counted = async (account: string) =>
        (
          await pool.query("SELECT count FROM rate_limits WHERE key = $1", [
            `email:confirm-new-address:${account}:${address}`,
          ])
        ).rows[0]?.count;
      await until(async () => (await counted(askerId)) === 2, "the asker's twelfth counted (and refused)");
      await until(async () => (await counted(ownerId)) === 2, "the owner's second counted (and refused)");
      assert.equal(mailbox.to(address).length, 12, "eleven for the asker, one for the owner");

      // Many accounts do not fill the inbox instead: four accounts' in 15 minutes at most.
      const more = [newPerson("Nia"), newPerson("Oli"), newPerson("Pia")];
      for (const person of more) await moveTo(person, (await signUpConfirmed(person)).cookie);
      await until(
        async () =>
          (await pool.query("SELECT count FROM rate_limits WHERE key = $1", [`email:confirm-new-address:${address}`]))
            .rows[0]?.count === 5,
        "five accounts' confirmations counted",
      );
      // The fifth's is not sent (the web app says so: the asker's and the owner's next were the first two).
      const notSent = () =>
        product.output().split(`[email] not sent: "Confirm your new email address for Tasks" to ${address}`);
      await until(async () => notSent().length - 1 === 3, "the fifth account's held back");
      await until(async () => confirmations(more[1]?.email ?? "").length === 1, "the fourth account's arrived");
      assert.deepEqual(
        more.map((person) => confirmations(person.email).length),
        [1, 1, 0],
        "the third and fourth accounts' went, the fifth's did not",
      );
    } finally {
      await pool.end();
    }
  });

  test("Gmail's dots and googlemail.com reach one inbox, so they count as one address", async () => {
    const name = `g${crypto.randomUUID().slice(0, 8)}`;
    for (const email of [`${name.slice(0, 4)}.${name.slice(4)}@gmail.com`, `${name}@GoogleMail.com`]) {
      assert.equal((await postAuth(product.webUrl, "/sign-up/email", { ...newPerson("Gail"), email })).status, 200);
    }
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      const counted = async () =>
        (await pool.query("SELECT count FROM rate_limits WHERE key = $1", [`email:${name}@gmail.com`])).rows[0]?.count;
      await until(async () => (await counted()) === 2, "both confirmations counted for one inbox");
    } finally {
      await pool.end();
    }
  });
});

describe("words and tabs", () => {
  test("an address the browser takes and the server does not (ana@gmail.c) is said in plain words, at sign-up and as a new address", async () => {
    const page = await newSignedOutPage(browser, product.webUrl);
    await sendSignUp(page, product.webUrl, { ...newPerson("Ana"), email: `ana-${crypto.randomUUID()}@gmail.c` });
    await page
      .getByRole("alert")
      .getByText("That is not an email address we can send to. Check it and try again.")
      .waitFor();
    assert.equal(await page.getByText(/\[body\./).count(), 0, "not Better Auth's own words");
    // The field it is about says so, and is read with it; the others are not marked.
    const notAnAddress = "That is not an email address we can send to. Check it and try again.";
    assert.equal(await problemOfField(page.getByLabel("Email", { exact: true })), notAnAddress);
    assert.equal(await problemOfField(page.getByLabel("Name", { exact: true })), null);

    const { page: signedIn, person } = await newSignedInPage(browser, product.webUrl, "Ada");
    await signedIn.goto(`${product.webUrl}/account`);
    await signedIn.getByLabel("New email address").fill(`ada-${crypto.randomUUID()}@example.c`);
    await signedIn.getByLabel("Your password, to change the email").fill(person.password);
    await signedIn.getByRole("button", { name: "Change email" }).click();
    await signedIn.getByText(notAnAddress).waitFor();
    assert.equal(await problemOfField(signedIn.getByLabel("New email address")), notAnAddress);
    assert.equal(await problemOfField(signedIn.getByLabel("Your password, to change the email")), null);
    // And a name of spaces alone, in its own form: that field alone.
    await signedIn.getByLabel("Name", { exact: true }).fill("   ");
    await signedIn.getByRole("button", { name: "Save name" }).click();
    await signedIn.getByText("Give a name.").waitFor();
    assert.equal(await problemOfField(signedIn.getByLabel("Name", { exact: true })), "Give a name.");
    assert.equal(await problemOfField(signedIn.getByLabel("New email address")), notAnAddress);
  });

  test("a password reset in another tab of the browser sends the account's open tabs to sign in; someone else's reset there does not", async () => {
    const { page, context, person } = await newSignedInPage(browser, product.webUrl, "Rae");
    await page.goto(`${product.webUrl}/account`);
    await page.getByRole("heading", { name: "Profile" }).waitFor();
    const resetIn = async (tab: Page, email: string, newPassword: string) => {
      assert.equal((await postAuth(product.webUrl, "/request-password-reset", { email })).status, 200);
      const link = (await mailbox.waitFor(email, /Reset your Tasks password/)).link ?? "";
      await tab.goto(link);
      await tab.getByLabel("New password", { exact: true }).fill(newPassword);
      await tab.getByLabel("Repeat the new password").fill(newPassword);
      // The page then asks whether this browser is still signed in, to tell its tabs if not.
      const asked = tab.waitForResponse((answer) => answer.url().endsWith("/api/auth/get-session"));
      await tab.getByRole("button", { name: "Change password" }).click();
      await tab.getByText(/every device was signed out/).waitFor();
      await asked;
    };

    // What the browser's tabs are told, heard by a page of the app that does not act on it, with when.
    const listener = await context.newPage();
    await listener.goto(`${product.webUrl}/no-such-page`);
    await listener.evaluate(
      "window.heard = []; window.channel = new BroadcastChannel('tasks:auth'); window.channel.onmessage = () => window.heard.push(Date.now())",
    );
    const heard = async () => (await listener.evaluate("window.heard")) as number[];

    // Another person's account, reset in this browser (a shared computer): nothing is said to the tabs.
    const other = newPerson("Sol");
    assert.equal((await postAuth(product.webUrl, "/sign-up/email", other)).status, 200);
    const second = await context.newPage();
    await resetIn(second, other.email, "another good passphrase");

    // The account's own: said, and its tab leaves for sign-in, with nothing of the account on screen.
    const ownResetAt = Date.now();
    await resetIn(second, person.email, "a good new passphrase");
    await page.waitForURL(/\/sign-in/, { timeout: 5_000 });
    // A message from the first reset would have come before this one (one sender's come in order).
    const told = await heard();
    assert.equal(told.length, 1, "told once");
    assert.ok((told[0] ?? 0) >= ownResetAt, "by the account's own reset, not by the other person's");
  });
});

describe("password guessing", () => {
  // Each from a client address of its own, as a botnet spreads them.
  const signInAs = (email: string, password: string) => postAuth(product.webUrl, "/sign-in/email", { email, password });
  const wrongTimes = async (email: string, times: number) => {
    for (let i = 0; i < times; i++) assert.equal((await signInAs(email, "not the password")).status, 401);
  };

  test("ten wrong passwords for an address, from as many clients, pause password sign-in for 15 minutes, unknown addresses alike; a reset ends it", async () => {
    const { page: device, person } = await newSignedInPage(browser, product.webUrl, "Gil");
    const unknown = `nobody-${person.email}`;
    // A right password between them gives back its own attempt only: a reset of the count would
    // tell whoever counts that the address has an account (and that its owner signed in).
    await wrongTimes(person.email.toUpperCase(), 5);
    await wrongTimes(person.email, 4);
    assert.equal((await signInAs(person.email, person.password)).status, 200);
    const pausedAt = Date.now();
    await wrongTimes(person.email, 1);
    await wrongTimes(unknown, 10);
    const paused = await signInAs(person.email, person.password);
    const pausedUnknown = await signInAs(unknown, "not the password");
    assert.equal(paused.status, 429, "the right password is refused too");
    assert.equal(pausedUnknown.status, 429);
    assert.deepEqual(
      await paused.json(),
      await pausedUnknown.json(),
      "the same answer: it tells nobody who has an account",
    );
    for (const answer of [paused, pausedUnknown]) {
      const retryAfter = Number(answer.headers.get("retry-after"));
      // 15 minutes from the tenth wrong password, less what has passed since (however long that took).
      const since = Math.ceil((Date.now() - pausedAt) / 1000);
      assert.ok(retryAfter >= 900 - since && retryAfter <= 900, `Retry-After: ${retryAfter}, ${since} s after`);
    }
    assert.deepEqual(paused.headers.getSetCookie(), [], "no session");

    // The page says so and how out; the devices signed in already go on.
    const page = await newSignedOutPage(browser, product.webUrl);
    await (await fillSignIn(page, product.webUrl, person)).click();
    await onPage(page, "the password is not accepted for 15 minutes").waitFor();
    assert.equal(await apiStatus(product.apiUrl, await accessToken(device, product.webUrl)), 200);

    // The owner's way out: a password reset, which works meanwhile and ends the pause.
    assert.equal((await postAuth(product.webUrl, "/request-password-reset", { email: person.email })).status, 200);
    const email = await mailbox.waitFor(person.email, /Reset your Tasks password/);
    const token = new URL(email.link ?? "").searchParams.get("token");
    const reset = await postAuth(product.webUrl, "/reset-password", { token, newPassword: "a fresh good passphrase" });
    assert.equal(reset.status, 200, await reset.text());
    assert.equal((await signInAs(person.email, "a fresh good passphrase")).status, 200);
  });

  test("a browser that has signed in to the account before is not paused with its address: it has ten wrong passwords of its own", async () => {
    const person = newPerson("Jon");
    assert.equal((await postAuth(product.webUrl, "/sign-up/email", person)).status, 200);
    const wrong = await signInAs(person.email, "not the password either");
    assert.equal(wrong.status, 401);
    assert.ok(!cookiesOf(wrong).includes("known_device"), "a wrong password marks nothing");
    // The owner's browser signs in once with the password, then its session ends.
    const page = await newSignedOutPage(browser, product.webUrl);
    await signIn(page, product.webUrl, person);
    const knownCookie = async () => {
      const known = (await page.context().cookies()).find((cookie) => cookie.name.endsWith("known_device"));
      assert.ok(known, "the browser is marked");
      assert.equal(known.httpOnly, true);
      return { name: known.name, value: known.value, header: `${known.name}=${known.value}` };
    };
    const first = await knownCookie();
    await page.context().clearCookies({ name: /session/ });

    // Someone else's wrong passwords (ten with the one above) pause the address for every other
    // client, not for the owner's browser.
    await wrongTimes(person.email, 9);
    assert.equal((await signInAs(person.email, person.password)).status, 429);
    await signIn(page, product.webUrl, person);

    // A new password voids the cookies issued before it (whoever kept one from a time they knew the
    // password is paused with the address again), but the browser that set it stays known.
    const changed = "a changed good passphrase";
    await page.goto(`${product.webUrl}/account`);
    await changePasswordOnPage(page, person.password, changed);
    await onPage(page, "Password changed.").waitFor();
    const owners = await knownCookie();
    await page.context().clearCookies({ name: /session/ });
    await wrongTimes(person.email, 10);
    const asBrowser = (password: string, cookie: string) =>
      postAuth(product.webUrl, "/sign-in/email", { email: person.email, password }, randomClientAddress(), cookie);
    assert.equal((await asBrowser(changed, first.header)).status, 429, "a cookie from before the new password");
    await signIn(page, product.webUrl, { ...person, password: changed });

    // Only the account's own cookie, as it was signed: another account's (a guesser signs in to
    // their own) or one altered counts for nothing.
    const guesser = newPerson("Kit");
    assert.equal((await postAuth(product.webUrl, "/sign-up/email", guesser)).status, 200);
    const guessers = cookiesOf(await signInAs(guesser.email, guesser.password))
      .split("; ")
      .find((cookie) => cookie.startsWith(`${owners.name}=`));
    assert.ok(guessers, "the guesser's own sign-in marked their client");
    assert.equal((await asBrowser(changed, guessers)).status, 429, "another account's cookie");
    const altered = `${owners.name}=${owners.value[0] === "a" ? "b" : "a"}${owners.value.slice(1)}`;
    assert.equal((await asBrowser(changed, altered)).status, 429, "an altered cookie");

    // The owner's browser's own wrong passwords pause it alone; a reset ends that.
    for (let i = 0; i < 10; i++) assert.equal((await asBrowser("not the password", owners.header)).status, 401);
    const paused = await asBrowser(changed, owners.header);
    assert.equal(paused.status, 429);
    assert.equal(((await paused.json()) as { code?: string }).code, "PASSWORD_PAUSED");
    assert.equal((await postAuth(product.webUrl, "/request-password-reset", { email: person.email })).status, 200);
    const email = await mailbox.waitFor(person.email, /Reset your Tasks password/);
    const token = new URL(email.link ?? "").searchParams.get("token");
    const newPassword = "a fresh good passphrase";
    assert.equal((await postAuth(product.webUrl, "/reset-password", { token, newPassword })).status, 200);
    assert.equal((await asBrowser(newPassword, owners.header)).status, 200);
  });

  test("ten attempts under way refuse the next for a moment; guesses through the account page's forms count too", async () => {
    // Attempts are counted as they start, so that a burst sent at once cannot all slip under the
    // limit while their passwords are checked: ten counted and none answered yet, as a burst leaves
    // them, refuse the next; ten that never ended (a crash) count no more a minute later.
    const [burst, crashed] = [`burst-${crypto.randomUUID()}@example.test`, `crash-${crypto.randomUUID()}@example.test`];
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      await pool.query(
        `INSERT INTO password_attempts (email, wrong, under_way, last_attempt_at)
         VALUES ($1, 0, 10, now()), ($2, 0, 10, now() - interval '61 seconds')`,
        [burst, crashed],
      );
    } finally {
      await pool.end();
    }
    const eleventh = await signInAs(burst, "not the password");
    const answer = await eleventh.text();
    assert.equal(eleventh.status, 429, answer);
    assert.equal((JSON.parse(answer) as { code?: string }).code, "PASSWORD_ATTEMPTS_UNDER_WAY");
    assert.equal(eleventh.headers.get("retry-after"), "60");
    assert.equal((await signInAs(crashed, "not the password")).status, 401);

    // Someone with a session (a stolen cookie) guessing the password through "Change password";
    // requests without one guess nothing and count for nothing.
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Hal");
    const changePassword = (currentPassword: string) =>
      page.request.post(`${product.webUrl}/api/auth/change-password`, {
        data: { currentPassword, newPassword: "a stolen new passphrase" },
        headers: { origin: product.webUrl, "x-forwarded-for": randomClientAddress() },
      });
    // (Change email is one where the hook, not Better Auth, checks the password. The address has a
    // count already: a sign-in.)
    assert.equal((await signInAs(person.email, person.password)).status, 200);
    const changeEmail = (password: string) =>
      page.request.post(`${product.webUrl}/api/auth/change-email`, {
        data: { newEmail: `stolen-${person.email}`, password },
        headers: { origin: product.webUrl, "x-forwarded-for": randomClientAddress() },
      });
    for (let i = 0; i < 10; i++) {
      assert.equal((await changePassword("")).status(), 400);
      assert.equal((await changeEmail("")).status(), 400);
    }
    assert.equal((await signInAs(person.email, person.password)).status, 200, "nothing was paused");
    const verify = await page.request.post(`${product.webUrl}/api/auth/verify-password`, {
      data: { password: person.password },
      headers: { origin: product.webUrl },
    });
    assert.equal(verify.status(), 404, "Better Auth's /verify-password, which no limit of ours covered, is off");
    for (let i = 0; i < 10; i++) {
      const guess = await changePassword(`guess ${i}`);
      assert.equal(guess.status(), 400, await guess.text());
    }
    assert.equal((await signInAs(person.email, person.password)).status, 429, "the owner's sign-in is paused too");
    await page.goto(`${product.webUrl}/account`);
    await changePasswordOnPage(page, person.password, "another good passphrase");
    await onPage(page, "the password is not accepted for 15 minutes").waitFor();
  });

  test("a wrong password counts wherever it is checked: each account endpoint's guess adds to sign-in's ten", async () => {
    const person = newPerson("Ida");
    const signedUp = await postAuth(product.webUrl, "/sign-up/email", person);
    assert.equal(signedUp.status, 200);
    // A confirmed address (passkeys and two-factor need one), and two-factor on, over HTTP as the page does it.
    await confirmEmailInDatabase(person.email);
    let cookie = cookiesOf(signedUp);
    const asPerson = (path: string, body?: object, method = "POST", headers: Record<string, string> = {}) =>
      fetch(`${product.webUrl}/api/auth${path}`, {
        method,
        headers: {
          "content-type": "application/json",
          origin: product.webUrl,
          "x-forwarded-for": randomClientAddress(),
          cookie,
          ...headers,
        },
        body: body && JSON.stringify(body),
      });
    const enabled = await asPerson("/two-factor/enable", { password: person.password });
    assert.equal(enabled.status, 200);
    const secret = new URL(((await enabled.json()) as { totpURI: string }).totpURI).searchParams.get("secret") ?? "";
    const verified = await asPerson("/two-factor/verify-totp", { code: await unusedCode(secret) });
    assert.equal(verified.status, 200, await verified.clone().text());
    cookie = cookiesOf(verified) || cookie;

    // One wrong guess through each endpoint that checks the password (the passkey ones read it from
    // a header, as the account page sends it), then two through sign-in: ten, and the right password
    // no longer signs in.
    const wrong = "not the password at all";
    const passwordHeader = { "x-account-password": encodeURIComponent(wrong) };
    const guesses: [string, Response][] = [
      ["change-email", await asPerson("/change-email", { newEmail: `new-${person.email}`, password: wrong })],
      [
        "change-password",
        await asPerson("/change-password", { currentPassword: wrong, newPassword: "a new passphrase" }),
      ],
      ["delete-user", await asPerson("/delete-user", { password: wrong })],
      ["passkey options", await asPerson("/passkey/generate-register-options", undefined, "GET", passwordHeader)],
      [
        "passkey registration",
        await asPerson("/passkey/verify-registration", { response: {} }, "POST", passwordHeader),
      ],
      ["two-factor enable", await asPerson("/two-factor/enable", { password: wrong })],
      ["two-factor disable", await asPerson("/two-factor/disable", { password: wrong })],
      ["backup codes", await asPerson("/two-factor/generate-backup-codes", { password: wrong })],
    ];
    for (const [name, answer] of guesses) {
      assert.equal(answer.status, 400, name);
      assert.equal(((await answer.json()) as { code?: string }).code, "INVALID_PASSWORD", name);
    }
    await wrongTimes(person.email, 2);
    const paused = await signInAs(person.email, person.password);
    assert.equal(paused.status, 429, "ten wrong passwords in all pause sign-in");
    assert.equal(((await paused.json()) as { code?: string }).code, "PASSWORD_PAUSED");
  });
});
