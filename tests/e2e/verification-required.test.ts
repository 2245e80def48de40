/**
 * REQUIRE_EMAIL_VERIFICATION=true: a new account signs in only after
 * following the emailed link, and sign-up answers alike for a new and a taken
 * address (the owner of the taken one is told by email), so sign-up does not
 * reveal who has an account.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createPool } from "@tasks/db";
import { startMailbox } from "./mailbox";
import {
  fillSignIn,
  followEmailLink,
  launchBrowser,
  newPerson,
  newSignedOutPage,
  postAuth,
  randomClientAddress,
  sendSignUp,
  signIn,
  startTestProduct,
} from "./product";

const mailbox = await startMailbox();
const product = await startTestProduct({ SMTP_URL: mailbox.smtpUrl, REQUIRE_EMAIL_VERIFICATION: "true" });
const browser = await launchBrowser();
const db = createPool(process.env.DATABASE_URL ?? "", { max: 1 });
after(() => db.end());

test("sign-up starts no session; sign-in waits for the link; the link signs the person in", async () => {
  const person = newPerson("Una");
  const page = await newSignedOutPage(browser, product.webUrl);
  await sendSignUp(page, product.webUrl, person);
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  const first = await mailbox.waitFor(person.email, /Confirm your email address/);

  // Not yet: the right password is refused until the address is confirmed (and a new link goes out).
  await (await fillSignIn(page, product.webUrl, person)).click();
  await page.getByText("Confirm your email address first").waitFor();
  assert.equal((await page.request.get(`${product.webUrl}/api/auth/token`)).status(), 401, "no session, no token");
  await mailbox.waitFor(person.email, /Confirm your email address/);

  // The link signs the browser in: it goes to the tasks, not by way of sign-in.
  const pagesOpened: string[] = [];
  page.on("request", (request) => {
    if (request.isNavigationRequest()) pagesOpened.push(new URL(request.url()).pathname);
  });
  await followEmailLink(page, first.link ?? "");
  await page.waitForURL(`${product.webUrl}/tasks`);
  await page.getByText("No tasks yet").waitFor();
  assert.ok(!pagesOpened.includes("/sign-in"), `went by way of sign-in: ${pagesOpened.join(", ")}`);
  assert.equal(await page.getByText("Please confirm your email address").count(), 0);
  await signIn(await newSignedOutPage(browser, product.webUrl), product.webUrl, person);
});

test("a confirmation link opened in another browser confirms the address and signs nobody in there", async () => {
  // Someone signs up with their own address, and sends their link to a person whose browser is signed out:
  // signed in by it, that person would type into the sender's account.
  const sender = newPerson("Sid");
  await sendSignUp(await newSignedOutPage(browser, product.webUrl), product.webUrl, sender);
  const link = (await mailbox.waitFor(sender.email, /Confirm your email address/)).link ?? "";
  const other = await newSignedOutPage(browser, product.webUrl);
  await followEmailLink(other, link);
  await other.waitForURL(/\/sign-in\?/);
  await other.getByText("Your email address is confirmed. Sign in to go on.").waitFor();
  assert.equal((await other.request.get(`${product.webUrl}/api/auth/token`)).status(), 401, "signed in to no account");
  const sessions = await other.request.get(`${product.webUrl}/api/auth/get-session`);
  assert.equal(await sessions.text(), "null");
  // The address is confirmed all the same: its owner's password signs in, here as anywhere; and the
  // session the link made is gone, not merely its cookie.
  await signIn(other, product.webUrl, sender);
  const listed = (await (await other.request.get(`${product.webUrl}/api/auth/list-sessions`)).json()) as unknown[];
  assert.equal(listed.length, 1, "only the sign-in's session");
});

test("a confirmation link opened where another account is signed in says so, and signs nobody in", async () => {
  // Someone signs up with their own address and sends their link to a person signed in here.
  const sender = newPerson("Sly");
  assert.equal((await postAuth(product.webUrl, "/sign-up/email", sender)).status, 200);
  const link = (await mailbox.waitFor(sender.email, /Confirm your email address/)).link ?? "";
  const owner = newPerson("Ona");
  const page = await newSignedOutPage(browser, product.webUrl);
  await sendSignUp(page, product.webUrl, owner);
  await followEmailLink(page, (await mailbox.waitFor(owner.email, /Confirm your email address/)).link ?? "");
  await page.waitForURL(`${product.webUrl}/tasks`);

  await followEmailLink(page, link);
  await page.waitForURL(/\/account\?error=INVALID_USER/);
  await page.getByText("That link is for another account than the one signed in here.").waitFor();
  const session = (await (await page.request.get(`${product.webUrl}/api/auth/get-session`)).json()) as {
    user: { email: string };
  };
  assert.equal(session.user.email, owner.email, "still the owner's session");
  // The sender's account is not confirmed by it: their password still waits for the link.
  const signIn = await postAuth(product.webUrl, "/sign-in/email", { email: sender.email, password: sender.password });
  assert.equal(signIn.status, 403);
});

test("sign-up with a taken address answers as for a new one, and tells the owner", async () => {
  const owner = newPerson("Oda");
  const client = randomClientAddress();
  const signUp = (body: object) => postAuth(product.webUrl, "/sign-up/email", body, client);
  const fresh = await signUp(owner);
  await mailbox.waitFor(owner.email, /Confirm your email address/);
  /** The owner's name and password hash, read from the database: a second sign-up must change neither. */
  const ownerRow = async () =>
    (
      await db.query("SELECT u.name, a.password FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.email = $1", [
        owner.email,
      ])
    ).rows;
  const before = await ownerRow();
  assert.equal(before.length, 1);
  const taken = await signUp({ ...owner, name: "Someone else", password: "another passphrase" });
  assert.deepEqual(await ownerRow(), before, "the owner's name and password are unchanged");
  assert.equal(fresh.status, 200);
  assert.equal(taken.status, fresh.status);
  const [a, b] = [(await fresh.json()) as Record<string, unknown>, (await taken.json()) as Record<string, unknown>];
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), "the same shape");
  assert.equal(a.token, null);
  assert.equal(b.token, null);
  // No session for either; each browser is marked as the one that signed up (its link may sign it in).
  const cookieNames = (answer: Response) =>
    answer.headers.getSetCookie().map((cookie) => cookie.slice(0, cookie.indexOf("=")));
  assert.deepEqual(cookieNames(taken), cookieNames(fresh));
  assert.ok(!cookieNames(taken).some((name) => name.includes("session")), "no session for the taken address");

  const notice = await mailbox.waitFor(owner.email, /tried to sign up/);
  assert.match(notice.text, /already has one/);
  assert.match(notice.text, /wasn't you/);
  assert.ok(notice.text.includes(`${product.webUrl}/sign-in`));
});
