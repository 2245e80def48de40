/**
 * Browser-test set-up: the whole product started as `npm start` starts it
 * (scripts/lib/product.ts), on free ports, against the test run's database,
 * and Debian's Chromium driven by playwright-core.
 */
import { after } from "node:test";
import AxeBuilder from "@axe-core/playwright";
import { createPool } from "@tasks/db";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { startCuttableDatabaseProxy } from "../../scripts/lib/database-proxy";
import { freePort } from "../../scripts/lib/free-port";
import { type RunningProduct, startProduct } from "../../scripts/lib/product";

/** A new, empty database in the test cluster, for a test that changes what others share (e.g. the signing keys). */
export async function createTestDatabase(name: string): Promise<string> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: run the tests with `npm test`");
  const pool = createPool(databaseUrl, { max: 1 });
  const database = `${name}_${process.pid}`;
  await pool.query(`DROP DATABASE IF EXISTS ${database}`);
  await pool.query(`CREATE DATABASE ${database}`);
  await pool.end();
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function startTestProduct(
  env: Record<string, string> = {},
  databaseUrl = process.env.DATABASE_URL,
): Promise<RunningProduct> {
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: run the tests with `npm test`");
  const product = await startProduct({
    webPort: await freePort(),
    apiPort: await freePort(),
    databaseUrl,
    stdio: "ignore",
    log: () => {},
    // The tests stand in for a proxy: their X-Forwarded-For names the client, so that each test
    // has its own sign-in rate-limit bucket. (The product's default trusts no such header.)
    env: { LOG_LEVEL: "warn", TRUSTED_PROXY_HOPS: "1", ...env },
  });
  after(() => product.stop());
  return product;
}

/** A TCP pass-through to the test database that a test can cut and restore; closed after the file's tests. */
export async function startDatabaseProxy(databaseUrl: string) {
  const proxy = await startCuttableDatabaseProxy(databaseUrl);
  after(() => proxy.close());
  return proxy;
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  after(() => browser.close());
  return browser;
}

export interface Person {
  name: string;
  email: string;
  password: string;
}

export function newPerson(name = "Ada"): Person {
  return {
    name,
    email: `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}@example.test`,
    password: "correct horse battery",
  };
}

const addressed = new WeakSet<BrowserContext>();
/**
 * Gives a browser context a client address of its own toward the web app (the
 * tests stand in for the trusted proxy, TRUSTED_PROXY_HOPS=1), so the
 * per-address sign-up and sign-in limits do not add up across tests that run
 * at the same time. Requests to the Task API are left alone.
 */
async function useOwnClientAddress(context: BrowserContext, baseUrl: string): Promise<void> {
  if (addressed.has(context)) return;
  addressed.add(context);
  const address = `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  await context.route(`${baseUrl}/**`, (route) =>
    route.continue({ headers: { ...route.request().headers(), "x-forwarded-for": address } }),
  );
}

export async function signUp(page: Page, baseUrl: string, person: Person): Promise<void> {
  await useOwnClientAddress(page.context(), baseUrl);
  await page.goto(`${baseUrl}/sign-up`);
  await page.getByLabel("Name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL(`${baseUrl}/tasks`);
  // The empty state appears once the page has hydrated and loaded the list:
  // from then on the add form is handled by the app, not submitted natively.
  await page.getByText("No tasks yet").waitFor();
}

/**
 * A fresh browser context with a new person signed up and on the dashboard.
 * The context is closed after the file's tests, whether they passed or not.
 */
export async function newSignedInPage(browser: Browser, baseUrl: string, name: string) {
  const context = await browser.newContext();
  after(() => context.close().catch(() => {}));
  const page = await context.newPage();
  const person = newPerson(name);
  await signUp(page, baseUrl, person);
  return { context, page, person };
}

export async function addTask(page: Page, title: string, options: { priority?: string; due?: string } = {}) {
  await page.getByLabel("New task title").fill(title);
  if (options.priority) await page.getByLabel("Priority").selectOption(options.priority);
  if (options.due) await page.getByLabel("Due date").fill(options.due);
  await page.getByLabel("New task title").press("Enter");
  await page.getByRole("list", { name: "Your tasks" }).getByText(title, { exact: true }).waitFor();
}

/** Serious and critical accessibility violations on the page, as "rule: target" lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

/** Waits until the locator matches exactly `count` elements (the list re-renders after a search). */
export async function waitForCount(locator: Locator, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await locator.count()) !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} elements, found ${await locator.count()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
