/**
 * What the account tests share: the product they run against, the account page's change of
 * password, when a page's request to Better Auth was answered, what every account email holds, and a
 * wait for a condition.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { mailedTo, startMailbox } from "./mailbox";
import { startSecondApi, startTestProduct } from "./product";

/**
 * The product, mailing a mailbox of the test's, and the Task API processes to check a session's
 * end at: the product's and a second one on the same database. `keepOutput`: the apps' logs kept
 * for the test to read (product.output()).
 */
export async function startAccountsProduct(databaseUrl: string, { keepOutput = false } = {}) {
  const mailbox = await startMailbox();
  const product = await startTestProduct(mailedTo(mailbox), undefined, { keepOutput });
  const apis = [product.apiUrl, await startSecondApi(product, databaseUrl)];
  return { mailbox, product, apis };
}

/** The account page's "Change password" form, filled and sent (the new one repeated as typed in `repeat`). */
export async function changePasswordOnPage(page: Page, current: string, next: string, repeat = next) {
  await page.getByLabel("Current password").fill(current);
  await page.getByLabel("New password", { exact: true }).fill(next);
  await page.getByLabel("Repeat the new password").fill(repeat);
  await page.getByRole("button", { name: "Change password" }).click();
}

/**
 * When the page's next POST to Better Auth's `path` is answered (Date.now() then): what the contract's 2 s
 * for a revocation count from, not from whenever the test gets round to asking the API.
 */
export function answeredAt(page: Page, path: string): Promise<number> {
  return page
    .waitForResponse((answer) => answer.request().method() === "POST" && answer.url().endsWith(`/api/auth${path}`))
    .then(() => Date.now());
}

/** Every email names its action, carries its link on BETTER_AUTH_URL and says what to do if it was not the reader. */
export function assertAccountEmail(email: { text: string; from: string; link: string | undefined }, webUrl: string) {
  assert.match(email.from, /no-reply@tasks\.test/);
  assert.ok(email.link?.startsWith(`${webUrl}/`), `the link points at the web app: ${email.link}`);
  assert.match(email.text, /(wasn't you|did not)/i, "says what to do if it was not them");
}

/** Waits up to 10 s for `holds` to be true, asking every 50 ms. */
export async function until(holds: () => Promise<boolean>, what: string): Promise<void> {
  for (const started = Date.now(); !(await holds()); ) {
    assert.ok(Date.now() - started < 10_000, `waited 10 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
