/**
 * Passkeys (contract: "Accounts") in Chromium with a virtual authenticator
 * (the DevTools protocol's WebAuthn domain): added and named on /account
 * (the owner gets an email),
 * "Sign in with a passkey" with neither password nor code (two-factor sign-in
 * on), "last used", renamed, and a passkey removed (with the password) no longer
 * signing in; a password reset lists the account's passkeys and removes
 * them unless the person unticks the box.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { createPool } from "@tasks/db";
import type { Page } from "playwright-core";
import { mailedTo, startMailbox } from "./mailbox";
import {
  accessToken,
  addVirtualAuthenticator,
  apiStatus,
  expectSaid,
  followEmailLink,
  launchBrowser,
  newSignedInPage,
  newSignedOutPage,
  type Person,
  postAuth,
  problemOfField,
  seriousViolations,
  startTestProduct,
} from "./product";
import { unusedCode } from "./totp";

const databaseUrl = process.env.DATABASE_URL ?? "";
const mailbox = await startMailbox();
const product = await startTestProduct(mailedTo(mailbox));
const browser = await launchBrowser();
const db = createPool(databaseUrl, { max: 1 });
after(() => db.end());

/** The ids of the passkeys on the account of `email`, read from the database. */
async function passkeysOf(email: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT p.id FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.email = $1",
    [email],
  );
  return rows.map((row) => row.id);
}

/** Follows the link the sign-up emailed: passkeys and a second factor need a confirmed address. */
async function confirmEmail(page: Page, person: Person): Promise<void> {
  const email = await mailbox.waitFor(person.email, /Confirm your email address/);
  await followEmailLink(page, email.link ?? "");
  await page.waitForURL(`${product.webUrl}/tasks`);
}

/** Two-factor sign-in turned on through Better Auth's endpoints, with this page's session: its setup key and backup codes. */
async function turnOnTwoFactorThroughApi(page: Page, person: Person): Promise<{ key: string; backupCodes: string[] }> {
  const post = (path: string, data: object) =>
    page.request.post(`${product.webUrl}/api/auth${path}`, { data, headers: { origin: product.webUrl } });
  const enabled = await post("/two-factor/enable", { password: person.password });
  assert.equal(enabled.status(), 200);
  const { totpURI, backupCodes } = (await enabled.json()) as { totpURI: string; backupCodes: string[] };
  const key = new URL(totpURI).searchParams.get("secret") ?? "";
  assert.equal((await post("/two-factor/verify-totp", { code: await unusedCode(key) })).status(), 200);
  return { key, backupCodes };
}

/** "Sign out" on the dashboard, which leads to the sign-in page. */
async function clickSignOut(page: Page): Promise<void> {
  await page.goto(`${product.webUrl}/tasks`);
  await page.getByRole("button", { name: "Sign out" }).click();
}

/** Signs out and waits for the sign-in page (with the autofill offer off, or it would sign in again). */
async function signOut(page: Page): Promise<void> {
  await clickSignOut(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
}

/**
 * "Sign in with a passkey" on the sign-in page; where the page ended up. The
 * caller has turned the autofill offer off first (see withoutAutofillOffer),
 * or both ceremonies would run.
 */
async function signInWithPasskey(page: Page): Promise<string> {
  await page.goto(`${product.webUrl}/sign-in`);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  // Signed in (the dashboard) or refused (a message on the sign-in page; Next.js's route
  // announcer is an alert too, but an empty one).
  const refusal = page.getByRole("alert").filter({ hasText: /\S/ });
  await page.getByRole("heading", { name: "Tasks", exact: true }).or(refusal).first().waitFor();
  return new URL(page.url()).pathname;
}

/** From the next page load on, the browser says it cannot offer passkeys in autofill. */
async function withoutAutofillOffer(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const credentials = (
      globalThis as unknown as { PublicKeyCredential: { isConditionalMediationAvailable?: unknown } }
    ).PublicKeyCredential;
    credentials.isConditionalMediationAvailable = async () => false;
  });
}

describe("passkeys", () => {
  test("an unconfirmed address can add neither a passkey nor a second factor (page and endpoints); confirmed, it can", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Una");
    await addVirtualAuthenticator(page);
    await page.goto(`${product.webUrl}/account`);
    await page.getByRole("region", { name: "Passkeys" }).getByText("To add a passkey, first confirm").waitFor();
    await page.getByRole("region", { name: "Two-factor sign-in" }).getByText("To add two-factor sign-in").waitFor();
    assert.equal(await page.getByRole("button", { name: "Add a passkey" }).count(), 0);
    assert.equal(await page.getByRole("button", { name: "Set up two-factor sign-in" }).count(), 0);
    // The endpoints refuse too: the page is not the only way in.
    const headers = { origin: product.webUrl };
    const options = await page.request.get(`${product.webUrl}/api/auth/passkey/generate-register-options`, { headers });
    assert.equal(options.status(), 403, await options.text());
    const enable = await page.request.post(`${product.webUrl}/api/auth/two-factor/enable`, {
      data: { password: person.password },
      headers,
    });
    assert.equal(enable.status(), 403, await enable.text());
    const { rows } = await db.query<{ passkeys: number; twoFactor: boolean }>(
      `SELECT (SELECT count(*)::int FROM passkeys p WHERE p.user_id = u.id) AS passkeys,
              u.two_factor_enabled AS "twoFactor" FROM users u WHERE u.email = $1`,
      [person.email],
    );
    assert.deepEqual(rows[0], { passkeys: 0, twoFactor: false });

    // Once the address is confirmed (its emailed link), both can be added.
    await confirmEmail(page, person);
    await page.goto(`${product.webUrl}/account`);
    await page.getByRole("button", { name: "Add a passkey" }).waitFor();
    await page.getByRole("button", { name: "Set up two-factor sign-in" }).waitFor();
  });

  test("added on /account, they sign in without password or code; removed, they no longer do", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Pia");
    const device = await addVirtualAuthenticator(page);
    await confirmEmail(page, person);
    const { key, backupCodes } = await turnOnTwoFactorThroughApi(page, person);

    await page.goto(`${product.webUrl}/account`);
    const section = page.getByRole("region", { name: "Passkeys" });
    await section.getByText("You have no passkeys yet.").waitFor();
    await section.getByLabel("Name of the new passkey").fill("Laptop");
    // Whoever holds the session for a moment cannot add one: the password is asked for, and checked.
    // (Any characters: a password is not Latin-1 text, as a header's value must be.)
    await section.getByLabel("Your password, to add a passkey").fill("не мой пароль €");
    // With two-factor sign-in on, a code too (see two-factor.test.ts): a passkey signs in without one.
    await section.getByLabel("A code, to add a passkey").fill(await unusedCode(key));
    await section.getByRole("button", { name: "Add a passkey" }).click();
    await section.getByText("That password is not right.").waitFor();
    assert.equal(await device.credentials(), 0, "the device was not asked to make one");
    assert.deepEqual(await passkeysOf(person.email), [], "no passkey was added");
    // The endpoints ask for it too, before the device makes anything: the page is not the only way in.
    const options = await page.request.get(`${product.webUrl}/api/auth/passkey/generate-register-options`, {
      headers: { origin: product.webUrl },
    });
    assert.equal(options.status(), 400, await options.text());
    assert.equal(((await options.json()) as { code?: string }).code, "INVALID_PASSWORD", "for want of the password");
    await section.getByLabel("Your password, to add a passkey").fill(person.password);
    const announcer = await page.locator("#announcer").elementHandle();
    await section.getByRole("button", { name: "Add a passkey" }).click();
    const listed = section.getByRole("list", { name: "Your passkeys" }).getByRole("listitem");
    await listed.filter({ hasText: "Laptop" }).getByText("never used yet").waitFor();
    await expectSaid(page, section, "Added the passkey Laptop.");
    // Read out by a region that was on the page before (not one drawn holding its words).
    // (Its words typed here: these tests are compiled without the DOM's types.)
    const saidThere = await page.evaluate(
      (region) => region.isConnected && [...region.children].map((said: { textContent: string }) => said.textContent),
      announcer,
    );
    assert.ok(Array.isArray(saidThere) && saidThere.includes("Added the passkey Laptop."), String(saidThere));
    // Each message read alone, not with those still in the region (a status is atomic unless told).
    assert.equal(await page.locator("#announcer").getAttribute("aria-atomic"), "false");
    assert.deepEqual(await seriousViolations(page), [], "the account page with a passkey is accessible");
    const [passkeyId] = await passkeysOf(person.email);
    assert.ok(passkeyId, "the passkey is on the account");
    // "Remove", then "Cancel" from the keyboard: the form goes, and the focus goes back to "Remove".
    await section.getByRole("button", { name: "Remove the passkey Laptop" }).click();
    await section.getByRole("button", { name: "Cancel" }).focus();
    await page.keyboard.press("Enter");
    await section.getByLabel("Your password, to remove Laptop").waitFor({ state: "detached" });
    assert.equal(
      await page.evaluate("document.activeElement?.getAttribute('aria-label')"),
      "Remove the passkey Laptop",
      "the focus is back on the button that opened the form",
    );
    // The same device again: it makes none, and the code it took is said to be used, and cleared.
    await section.getByLabel("Your password, to add a passkey").fill(person.password);
    await section.getByLabel("A code, to add a passkey").fill(backupCodes[0] as string);
    await section.getByRole("button", { name: "Add a passkey" }).click();
    await section.getByText("The code you typed has been used: type a new one to try again.").waitFor();
    assert.equal(await section.getByLabel("A code, to add a passkey").inputValue(), "");
    assert.deepEqual(await passkeysOf(person.email), [passkeyId], "no second passkey");
    // It signs in without the password: the owner is told.
    const notice = await mailbox.waitFor(person.email, /A passkey was added/);
    assert.match(notice.text, /"Laptop"/);
    assert.match(notice.text, /If this wasn't you/);

    // The sign-in page that signing out leads to offers the passkey in the email field's autofill,
    // and the virtual authenticator takes the offer at once: back on the dashboard, no click.
    const signedInByAutofill = page.waitForResponse(
      (answer) => answer.url().endsWith("/api/auth/passkey/verify-authentication") && answer.status() === 200,
    );
    await clickSignOut(page);
    await signedInByAutofill;
    await page.waitForURL(`${product.webUrl}/tasks`);
    // Before signing out: the sign-in page that follows would take the autofill offer at once.
    await withoutAutofillOffer(page);
    await signOut(page);
    assert.equal(await signInWithPasskey(page), "/tasks", "with the button");
    assert.equal(await apiStatus(product.apiUrl, await accessToken(page, product.webUrl)), 200);

    await page.goto(`${product.webUrl}/account`);
    await listed.filter({ hasText: "Laptop" }).getByText("last used").waitFor();
    // Whoever holds the session for a moment cannot take it away either: removing asks for the
    // password, at the endpoint as on the page.
    const withoutPassword = await page.request.post(`${product.webUrl}/api/auth/passkey/delete-passkey`, {
      headers: { origin: product.webUrl },
      data: { id: passkeyId },
    });
    assert.equal(withoutPassword.status(), 400, await withoutPassword.text());
    await section.getByRole("button", { name: "Remove the passkey Laptop" }).click();
    const removal = section.getByLabel("Your password, to remove Laptop");
    await removal.fill("not the password");
    await section.getByRole("button", { name: "Remove this passkey" }).click();
    // Said in the form that asked, in the passkey's row, not under "Add a passkey" at the section's end.
    await listed.filter({ hasText: "Laptop" }).getByRole("alert").getByText("That password is not right.").waitFor();
    assert.equal(await problemOfField(removal), "That password is not right.", "the field is marked with it");
    assert.equal(
      await problemOfField(section.getByLabel("Your password, to add a passkey")),
      null,
      "not the add form's field: the failure is the row's",
    );
    assert.deepEqual(await passkeysOf(person.email), [passkeyId], "a wrong password removes nothing");
    await removal.fill(person.password);
    await section.getByRole("button", { name: "Remove this passkey" }).click();
    await section.getByText("You have no passkeys yet.").waitFor();
    assert.deepEqual(await passkeysOf(person.email), []);
    // Its form went with it: said, and the focus is on the section's heading, not the page's top.
    await expectSaid(page, section, "Removed the passkey Laptop.");
    assert.equal(await page.evaluate("document.activeElement?.id"), "passkeys-heading");

    await signOut(page);
    assert.equal(await signInWithPasskey(page), "/sign-in");
    await page.getByText("This passkey is no longer on your account.").waitFor();
    const token = await page.request.get(`${product.webUrl}/api/auth/token`);
    assert.equal(token.status(), 401, "no session");
  });
  test("a browser signed in with a passkey is known to the account: ten wrong passwords from elsewhere do not pause its own", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Kim");
    await addVirtualAuthenticator(page);
    await confirmEmail(page, person);
    await page.goto(`${product.webUrl}/account`);
    const section = page.getByRole("region", { name: "Passkeys" });
    await section.getByLabel("Name of the new passkey").fill("Phone");
    await section.getByLabel("Your password, to add a passkey").fill(person.password);
    await section.getByRole("button", { name: "Add a passkey" }).click();
    await expectSaid(page, section, "Added the passkey Phone.");
    // A browser that has only ever signed in with the passkey: none of its cookies are left.
    await page.context().clearCookies();
    await withoutAutofillOffer(page);
    assert.equal(await signInWithPasskey(page), "/tasks");
    const signInWith = (password: string) =>
      postAuth(product.webUrl, "/sign-in/email", { email: person.email, password });
    for (let i = 0; i < 10; i++) assert.equal((await signInWith("not the password")).status, 401);
    assert.equal((await signInWith(person.password)).status, 429, "the address is paused for other clients");
    // The account page's actions ask for the password: this browser's is counted on its own.
    const own = await page.request.post(`${product.webUrl}/api/auth/sign-in/email`, {
      data: { email: person.email, password: person.password },
      headers: { origin: product.webUrl },
    });
    assert.equal(own.status(), 200, await own.text());
  });

  test("a password reset lists the passkeys and removes them, unless unticked; a reset refused removes none", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Rhea");
    await addVirtualAuthenticator(page);
    await confirmEmail(page, person);
    await page.goto(`${product.webUrl}/account`);
    const section = page.getByRole("region", { name: "Passkeys" });
    await section.getByLabel("Name of the new passkey").fill("Someone's laptop");
    await section.getByLabel("Your password, to add a passkey").fill(person.password);
    await section.getByRole("button", { name: "Add a passkey" }).click();
    await section.getByRole("list", { name: "Your passkeys" }).getByText("Someone's laptop").waitFor();
    const passkeyIds = await passkeysOf(person.email);
    assert.equal(passkeyIds.length, 1);

    /** A reset link for the account, as "Forgot password?" sends it. */
    const resetLink = async (): Promise<string> => {
      await postAuth(product.webUrl, "/request-password-reset", { email: person.email, redirectTo: "/reset-password" });
      const email = await mailbox.waitFor(person.email, /Reset your Tasks password/);
      return email.link ?? "";
    };
    const reset = await newSignedOutPage(browser, product.webUrl);
    const changePassword = async (
      link: string,
      password: string,
      removePasskeys: boolean,
      meanwhile: () => Promise<unknown> = async () => {},
    ) => {
      await reset.goto(link);
      const listed = reset.getByRole("list", { name: "Passkeys on this account" }).getByRole("listitem");
      // (One read: the date is the server's until the page comes alive, then the browser's own day.)
      const shown = await listed.allTextContents();
      assert.equal(shown.length, 1, shown.join(" | "));
      assert.match(shown[0] ?? "", /^Someone's laptop, added \S.*, never used$/);
      const remove = reset.getByLabel("Remove them too");
      assert.equal(await remove.isChecked(), true, "ticked unless the person unticks it");
      assert.deepEqual(await seriousViolations(reset), [], "the reset page with passkeys is accessible");
      await remove.setChecked(removePasskeys);
      await meanwhile();
      await reset.getByLabel("New password", { exact: true }).fill(password);
      await reset.getByLabel("Repeat the new password").fill(password);
      await reset.getByRole("button", { name: "Change password" }).click();
      await reset.getByText("every device was signed out").waitFor();
    };

    // A reset the server refuses (a password too short, past the page's check) removes nothing.
    const first = await resetLink();
    const token = new URL(first).searchParams.get("token");
    const refused = await postAuth(product.webUrl, "/reset-password", {
      token,
      newPassword: "short",
      keptPasskeys: [],
    });
    assert.equal(refused.status, 400);
    assert.deepEqual(await passkeysOf(person.email), passkeyIds, "a refused reset removes no passkey");

    // Unticked: the passkey listed stays, and the page says it still signs in. One added while the
    // reset page was open (by whoever else has the password, still signed in) was not listed, so not
    // kept: it goes.
    await changePassword(first, "a first new passphrase", false, async () => {
      // (Written as Better Auth stores one made on another device: this browser's authenticator holds
      // one passkey for the account already, and would not make a second.)
      await db.query(
        `INSERT INTO passkeys (name, public_key, user_id, credential_id, counter, device_type, backed_up)
         SELECT 'Added meanwhile', 'a key', id, $2, 0, 'singleDevice', false FROM users WHERE email = $1`,
        [person.email, `credential-${crypto.randomUUID()}`],
      );
      assert.equal((await passkeysOf(person.email)).length, 2);
    });
    await reset.getByText("The account's passkeys still sign in.").waitFor();
    assert.deepEqual(await passkeysOf(person.email), passkeyIds);

    // Left ticked: gone with the reset, and it no longer signs in.
    await changePassword(await resetLink(), "a second new passphrase", true);
    await reset.getByText("The passkeys were removed.").waitFor();
    assert.deepEqual(await passkeysOf(person.email), []);
    await withoutAutofillOffer(page);
    assert.equal(await signInWithPasskey(page), "/sign-in");
    await page.getByText("This passkey is no longer on your account.").waitFor();

    // The link once used says so before a password is typed.
    await reset.goto(first);
    await reset.getByText("This link has expired or has already been used").waitFor();
    assert.equal(await reset.getByLabel("New password", { exact: true }).count(), 0, "no form to fill in");
  });
  test("a sign-in days old adds one with the password alone (no second sign-in), and lists its sessions", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ned");
    const device = await addVirtualAuthenticator(page);
    await confirmEmail(page, person);
    // Signed in two days ago, of a session that lasts seven.
    await db.query(
      "UPDATE sessions SET created_at = now() - interval '2 days' WHERE user_id = (SELECT id FROM users WHERE email = $1)",
      [person.email],
    );
    await page.goto(`${product.webUrl}/account`);
    const section = page.getByRole("region", { name: "Passkeys" });
    await section.getByLabel("Name of the new passkey").fill("Phone");
    await section.getByLabel("Your password, to add a passkey").fill(person.password);
    await section.getByRole("button", { name: "Add a passkey" }).click();
    await section
      .getByRole("list", { name: "Your passkeys" })
      .getByRole("listitem")
      .filter({ hasText: "Phone" })
      .waitFor();
    assert.equal(await device.credentials(), 1);
    assert.equal((await passkeysOf(person.email)).length, 1);
    // Renamed (no password: a name opens nothing): said, listed, stored, and the focus back on "Rename".
    await section.getByRole("button", { name: "Rename the passkey Phone" }).click();
    const newName = section.getByLabel("New name for Phone");
    await newName.fill("  ");
    await section.getByRole("button", { name: "Save the name" }).click();
    const row = section.getByRole("list", { name: "Your passkeys" }).getByRole("listitem").filter({ hasText: "Phone" });
    await row.getByRole("alert").getByText("Give the passkey a name.").waitFor();
    assert.equal(await problemOfField(newName), "Give the passkey a name.", "the field is marked with it");
    await newName.fill("My phone");
    await section.getByRole("button", { name: "Save the name" }).click();
    await expectSaid(page, section, "Renamed the passkey to My phone.");
    await section.getByRole("list", { name: "Your passkeys" }).getByText("My phone", { exact: true }).waitFor();
    const { rows: named } = await db.query(
      "SELECT p.name FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.email = $1",
      [person.email],
    );
    assert.deepEqual(named, [{ name: "My phone" }]);
    assert.equal(
      await page.evaluate("document.activeElement?.getAttribute('aria-label')"),
      "Rename the passkey My phone",
      "the focus is back on the button that opened the form",
    );
    // Removed meanwhile (another tab or device): its row, drawn before, is refused once, said, and goes.
    await db.query("DELETE FROM passkeys WHERE user_id = (SELECT id FROM users WHERE email = $1)", [person.email]);
    await section.getByRole("button", { name: "Rename the passkey My phone" }).click();
    await section.getByLabel("New name for My phone").fill("Old phone");
    await section.getByRole("button", { name: "Save the name" }).click();
    await section
      .getByText("The passkey My phone had been removed already, in another tab or on another device.")
      .waitFor();
    await section.getByRole("list", { name: "Your passkeys" }).waitFor({ state: "detached" });
    assert.equal(await section.getByLabel("New name for My phone").count(), 0, "its form went with it");
    // Better Auth's own list of sessions (the contract's) is served with each one's token, which ends a
    // session through revoke-session and opens none: a cookie of it alone is no session.
    const listed = await page.request.get(`${product.webUrl}/api/auth/list-sessions`, {
      headers: { origin: product.webUrl },
    });
    assert.equal(listed.status(), 200);
    const sessions = (await listed.json()) as { token: string; userId: string }[];
    assert.equal(sessions.length, 1);
    const bare = await fetch(`${product.webUrl}/api/auth/get-session`, {
      headers: { cookie: `better-auth.session_token=${sessions[0]?.token}` },
    });
    assert.equal(await bare.text(), "null", "an unsigned token is no session");
  });
});
