/**
 * Browser-test set-up: the whole product started as `npm start` starts it
 * (scripts/lib/product.ts), on free ports, against the test run's database,
 * and Debian's Chromium driven by playwright-core.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after } from "node:test";
import AxeBuilder from "@axe-core/playwright";
import { createPool } from "@tasks/db";
import { decodeJwt } from "jose";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
  type Request,
  type Route,
} from "playwright-core";
import { chromiumPath } from "../../scripts/lib/chromium";
import { startCuttableDatabaseProxy } from "../../scripts/lib/database-proxy";
import { freePort } from "../../scripts/lib/free-port";
import { stopProcess, waitForReady } from "../../scripts/lib/processes";
import { oneMachineEnvironment, type RunningProduct, root, startProduct } from "../../scripts/lib/product";

export async function startTestProduct(
  env: Record<string, string> = {},
  databaseUrl = process.env.DATABASE_URL,
  { keepOutput = false } = {},
): Promise<RunningProduct> {
  if (!databaseUrl) throw new Error("DATABASE_URL is not set: run the tests with `npm test`");
  const webPort = await freePort();
  const apiPort = await freePort();
  const product = await startProduct({
    webPort,
    apiPort,
    databaseUrl,
    // The apps' logs, for a test that reads them (RunningProduct.output).
    stdio: keepOutput ? "pipe" : "ignore",
    log: () => {},
    // Built once by scripts/test.ts before any file ran.
    build: false,
    // The tests stand in for a proxy: their X-Forwarded-For names the client, so that each test
    // has its own sign-in rate-limit bucket. (The product's default trusts no such header.)
    // The addresses are the test's, whatever the shell that runs the tests has set.
    env: {
      LOG_LEVEL: "warn",
      TRUSTED_PROXY_HOPS: "1",
      ...oneMachineEnvironment({ HOST: "127.0.0.1", ...env }, { webPort, apiPort }),
      ...env,
    },
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
    executablePath: chromiumPath(),
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
  // Every page of every context is watched for CSP violations (a policy that breaks the app
  // must not pass); they are checked when the file's tests are done.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    watchCspViolations(context);
    answerRoutesQuietly(context, context);
    context.on("page", (page) => answerRoutesQuietly(page, context));
    const close = context.close.bind(context);
    context.close = (closeOptions) => {
      closing.add(context);
      return close(closeOptions);
    };
    return context;
  };
  after(async () => {
    const reported = [...cspViolations.values()].flat();
    for (const context of browser.contexts()) closing.add(context);
    await browser.close();
    assert.deepEqual(reported, [], "no page reported a Content-Security-Policy violation");
  });
  return browser;
}

/** The contexts that are closing, or closed: what their route handlers were doing is over. */
const closing = new WeakSet<BrowserContext>();

/**
 * Every route handler of the tests answers its request through answerHeld: a request can be
 * answered before its handler gets to it (the page gave it up; `unroute` took the handler away,
 * and Playwright sent the request on), and the handler's late continue, fulfill or abort then
 * throws "Route is already handled!" where no test awaits it. That fails the whole file although
 * every test passed (CI did so on dashboard.test.ts). Once its context is closing, nothing a
 * handler throws counts (a `route.fetch()` under way: "Request context disposed"); before, any
 * other error still fails the file.
 */
function answerRoutesQuietly(target: Page | BrowserContext, context: BrowserContext): void {
  type Handler = Parameters<Page["route"]>[1];
  /** Each handler the tests gave, with what was routed for it (one each time it was given). */
  const quietOnes = new WeakMap<Handler, Handler[]>();
  const route = target.route.bind(target) as Page["route"];
  const unroute = target.unroute.bind(target) as Page["unroute"];
  target.route = (url, handler, options) => {
    const quiet: Handler = async (held, request) => {
      try {
        await answerHeld((async () => handler(held, request))());
      } catch (failure) {
        if (!closing.has(context)) throw failure;
      }
    };
    quietOnes.set(handler, [...(quietOnes.get(handler) ?? []), quiet]);
    return route(url, quiet, options);
  };
  target.unroute = async (url, handler) => {
    const quiet = handler && quietOnes.get(handler);
    if (!quiet) return unroute(url, handler);
    await Promise.all(quiet.map((one) => unroute(url, one)));
  };
}

/** CSP violations the console reported, per browser context, not yet taken by a test that expects them. */
const cspViolations = new Map<BrowserContext, string[]>();

function watchCspViolations(context: BrowserContext): void {
  const reported: string[] = [];
  cspViolations.set(context, reported);
  context.on("console", (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) {
      reported.push(`${message.page()?.url() ?? "?"}: ${message.text()}`);
    }
  });
}

/** For a test that provokes violations on purpose: the ones reported in this context so far, now cleared. */
export function takeCspViolations(context: BrowserContext): string[] {
  const reported = cspViolations.get(context) ?? [];
  return reported.splice(0, reported.length);
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

/** Asserts that nothing makes the page wider than its viewport (a phone's, where a test set one): no sideways scrolling. */
export async function expectFitsWidth(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate("document.documentElement.scrollWidth > window.innerWidth");
  assert.equal(overflow, false, what);
}

/** A made-up client address (the tests stand in for the trusted proxy that appends it). */
export function randomClientAddress(): string {
  return `10.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
}

/**
 * A POST to one of Better Auth's endpoints (`path` like "/sign-in/email"), as
 * a browser on the web app's origin would send it, from `clientAddress`, with
 * `cookie` (see cookiesOf) when it is part of a sign-in or a session.
 */
export function postAuth(
  webUrl: string,
  path: string,
  body: object,
  clientAddress = randomClientAddress(),
  cookie = "",
) {
  return fetch(`${webUrl}/api/auth${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: webUrl, "x-forwarded-for": clientAddress, cookie },
    body: JSON.stringify(body),
  });
}

/** The cookies an answer set, as a `Cookie` header sends them back. */
export function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
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
  const address = randomClientAddress();
  await context.route(`${baseUrl}/**`, (route) =>
    route.continue({ headers: { ...route.request().headers(), "x-forwarded-for": address } }),
  );
}

export async function signUp(page: Page, baseUrl: string, person: Person): Promise<void> {
  await useOwnClientAddress(page.context(), baseUrl);
  await sendSignUp(page, baseUrl, person);
  await page.waitForURL(`${baseUrl}/tasks`);
  // The empty state appears once the page has hydrated and loaded the list:
  // from then on the add form is handled by the app, not submitted natively.
  await page.getByText("No tasks yet").waitFor();
}

/** The sign-up form filled in with the person and sent (what follows depends on the product's settings). */
export async function sendSignUp(page: Page, baseUrl: string, person: Person): Promise<void> {
  await page.goto(`${baseUrl}/sign-up`);
  await page.getByLabel("Name").fill(person.name);
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign up" }).click();
}

/** Signs an existing person in (in this page's context, from its own client address) and waits for the dashboard. */
export async function signIn(page: Page, baseUrl: string, person: Person): Promise<void> {
  await useOwnClientAddress(page.context(), baseUrl);
  await (await fillSignIn(page, baseUrl, person)).click();
  await page.waitForURL(`${baseUrl}/tasks`);
}

/**
 * The sign-in page with the person's email and password typed in, not yet sent: its "Sign in"
 * button. Typed once the page is live (the button is enabled then), as a person sees it ready;
 * security-headers.test.ts types before that on purpose.
 */
export async function fillSignIn(
  page: Page,
  baseUrl: string,
  person: { email: string; password: string },
): Promise<Locator> {
  await page.goto(`${baseUrl}/sign-in`);
  return fillSignInForm(page, person);
}

/** The sign-in page as it is (its `next` and notice kept): filled in once it is live, not yet sent. */
export async function fillSignInForm(page: Page, person: { email: string; password: string }): Promise<Locator> {
  const button = page.getByRole("button", { name: "Sign in", exact: true });
  await button.and(page.locator(":enabled")).waitFor();
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  return button;
}

/**
 * From here every request of the page to the Task API at `apiUrl` fails as a server out of reach
 * does (until the test unroutes it).
 */
export async function cutOffTaskApi(page: Page, apiUrl: string): Promise<void> {
  await page.route(
    (url) => url.href.startsWith(apiUrl),
    (route) => route.abort("connectionrefused"),
  );
}

/**
 * Ends every session of `person` from another device ("sign out everywhere" there): no word of it
 * reaches a browser of theirs.
 */
export async function endSessionsElsewhere(baseUrl: string, person: Person): Promise<void> {
  const elsewhere = await postAuth(baseUrl, "/sign-in/email", { email: person.email, password: person.password });
  assert.equal(elsewhere.status, 200);
  const revoked = await postAuth(baseUrl, "/revoke-sessions", {}, randomClientAddress(), cookiesOf(elsewhere));
  assert.equal(revoked.status, 200, await revoked.text());
}

/**
 * Does `act`, which must say the message `alert` finds again, and checks it is said as a new element
 * (the one there now leaves the page): a screen reader says nothing when a message on the page is set
 * to the words it already has.
 */
export async function expectSaidAgain(page: Page, alert: Locator, act: () => Promise<unknown>): Promise<void> {
  const said = await alert.elementHandle();
  await act();
  await page.waitForFunction((shown) => !shown?.isConnected, said);
  await alert.waitFor();
}

/**
 * What a field says is wrong with it: null if it is not marked invalid (`aria-invalid`), else the
 * words it is read with (its `aria-describedby`), which must then say why.
 */
export async function problemOfField(field: Locator): Promise<string | null> {
  // (Untyped: these tests are compiled without the DOM's types.)
  return field.evaluate((input) => {
    if (input.getAttribute("aria-invalid") !== "true") return null;
    const ids: string[] = (input.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
    return ids.map((id) => input.ownerDocument.getElementById(id)?.textContent ?? "").join(" ");
  });
}

/**
 * `text` in the page's own content (its `main`): not in the page's live region, which repeats what
 * was said there (the web app's announcer), nor anywhere else on it.
 */
export function onPage(page: Page, text: string | RegExp, options?: { exact?: boolean }): Locator {
  return page.getByRole("main").getByText(text, options);
}

/**
 * `words` shown in `where`, and read out: put in the page's polite live region (the web app's
 * announcer, on the page from its start: a region drawn already holding its words is often not read).
 * Each saying counts once: the region keeps words for seconds, so the same words checked again must
 * have been said again (the one found is marked as heard).
 */
export async function expectSaid(page: Page, where: Locator, words: string | RegExp): Promise<void> {
  await where.getByText(words).waitFor();
  const said = page.locator("#announcer > :not([data-test-heard])").filter({ hasText: words }).first();
  await said.waitFor({ state: "attached" });
  await said.evaluate((element) => element.setAttribute("data-test-heard", ""));
}

/** A fresh browser context, nobody signed in, with a client address of its own; closed after the file's tests. */
export async function newSignedOutPage(browser: Browser, baseUrl: string): Promise<Page> {
  const context = await browser.newContext();
  after(() => context.close().catch(() => {}));
  await useOwnClientAddress(context, baseUrl);
  return context.newPage();
}

/**
 * A fresh browser context with a new person signed up and on the dashboard.
 * The context is closed after the file's tests, whether they passed or not.
 * `heldClock`: the pages' clock is Playwright's, so that `withPageTimeHeld` can stop it.
 */
export async function newSignedInPage(browser: Browser, baseUrl: string, name: string, { heldClock = false } = {}) {
  const context = await browser.newContext();
  after(() => context.close().catch(() => {}));
  if (heldClock) await context.clock.install();
  const page = await context.newPage();
  const person = newPerson(name);
  await signUp(page, baseUrl, person);
  return { context, page, person };
}

/**
 * Stops the page's timers (setTimeout, Date and the like; its context's clock installed before it
 * loaded, see newSignedInPage's heldClock): from then on its time moves only when the test moves
 * it (page.clock.runFor) or lets it flow again (page.clock.resume). Network, rendering and events
 * go on meanwhile; every timer of the page waits (the search's 250 ms pause after typing too).
 */
export async function holdPageTime(page: Page): Promise<void> {
  // A moment ahead of the page's own now (which a hold before this one, or runFor, left apart from
  // ours): its clock moves only forward, and on its own meanwhile.
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);
}

/**
 * Runs `steps` with the page's time held (holdPageTime), then lets it flow again: steps that must
 * fall inside one of the page's windows of time (the five seconds to undo a delete) do, however
 * slowly this machine runs them.
 */
export async function withPageTimeHeld<T>(page: Page, steps: () => Promise<T>): Promise<T> {
  await holdPageTime(page);
  try {
    return await steps();
  } finally {
    await page.clock.resume();
  }
}

/**
 * Deletes the task `title` on the dashboard and, inside its undo window (the page's time held, its
 * context's clock installed), leaves for the account page as the Task API cannot be reached: the
 * delete is sent as the dashboard goes, and fails once it has gone.
 */
export async function deleteAndLeaveWithTheApiDown(page: Page, apiUrl: string, title: string): Promise<void> {
  await withPageTimeHeld(page, async () => {
    await page.getByRole("button", { name: `Delete “${title}”` }).click();
    await page.getByRole("button", { name: "Undo" }).waitFor();
    await page.route(
      (url) => url.href.startsWith(apiUrl),
      (route) => (route.request().method() === "DELETE" ? route.abort("connectionrefused") : route.fallback()),
    );
    const refused = page.waitForEvent("requestfailed", (request) => request.method() === "DELETE");
    await page.getByRole("link", { name: "Account" }).click(); // the app's own navigation, no page load
    await page.waitForURL(/\/account$/);
    await refused;
    await page.unrouteAll({ behavior: "wait" });
  });
}

export async function addTask(page: Page, title: string, options: { priority?: string; due?: string } = {}) {
  await page.getByLabel("New task title").fill(title);
  if (options.priority) await page.getByLabel("Priority").selectOption(options.priority);
  if (options.due) await page.getByLabel("Due date").fill(options.due);
  await page.getByLabel("New task title").press("Enter");
  await page.getByRole("list", { name: "Your tasks" }).getByText(title, { exact: true }).waitFor();
}

/**
 * addTask, then waits for the answers to the reload that follows an add (the list, and the tabs'
 * two counts), so that a test's next step does not meet them on their way: a page whose clock a
 * test then moves on by minutes would take a request still out for one that never answered. (The
 * page's first load is over once newSignedInPage returns.)
 */
export async function addTaskAndItsReload(page: Page, title: string): Promise<void> {
  const reloaded = Promise.all(
    ["sort=created", "status=pending&limit=1", "status=completed&limit=1"].map((query) =>
      page.waitForResponse((response) => response.url().includes(query)),
    ),
  );
  await addTask(page, title);
  await reloaded;
}

/**
 * The tasks, opened again in `context` (its page with a delete inside its undo window closed): how
 * many tasks titled `deleted` are still listed once it is gone, or after 5 s. The delete was sent
 * as the page went away, and may land just after the next page asks. `kept` is listed throughout.
 */
export async function listedAfterClose(
  context: BrowserContext,
  webUrl: string,
  { kept, deleted }: { kept: string; deleted: string },
): Promise<number> {
  const again = await context.newPage();
  const list = again.getByRole("list", { name: "Your tasks" });
  const deadline = Date.now() + 5_000;
  do {
    await again.goto(`${webUrl}/tasks`);
    await list.getByText(kept).waitFor();
  } while ((await list.getByText(deleted).count()) > 0 && Date.now() < deadline);
  return list.getByText(deleted).count();
}

/**
 * Follows an emailed confirmation link (a sign-up's or a change of address's) as a person does: its
 * page, which changes nothing, then "Confirm", which sends the browser on to what the link does.
 */
export async function followEmailLink(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.getByRole("button", { name: "Confirm" }).click();
}

/** A promise and the function that settles it: a route held until the test says so, or a sign it was reached. */
export function signal(): { fire: () => void; fired: Promise<void> } {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fire, fired };
}

/**
 * Holds the page's requests that `matches` on their way until `release` is
 * called; `held` settles when the first of them arrives, `answered()` once
 * every one held so far has its answer (or has failed). (Playwright's own
 * route: a request held is not yet sent.)
 * `drop()`: the held requests fail as a connection lost, and no more are held. A request that is
 * never to reach the server must be dropped, not left held: once the page has no route left,
 * Chromium sends on what was held (a server action held so, a device's "Sign out", then ended
 * the device's session during the test's next steps).
 */
export async function holdRequests(
  page: Page,
  matches: string | ((url: URL) => boolean),
): Promise<{ held: Promise<void>; release: () => void; answered: () => Promise<void>; drop: () => Promise<void> }> {
  const arrived = signal();
  const released = signal();
  const dropped = signal();
  const requests: Request[] = [];
  /** Each held request's way out, from when it arrives: continued when released, aborted when dropped. */
  const wayOut: Promise<void>[] = [];
  const hold = async (route: Route) => {
    requests.push(route.request());
    const out = Promise.race([released.fired.then(() => true), dropped.fired.then(() => false)]).then((go) =>
      // The page may have given the request up meanwhile (a reload): nothing is left to answer.
      answerHeld(go ? route.continue() : route.abort("connectionclosed")),
    );
    wayOut.push(out);
    arrived.fire();
    await out;
  };
  await page.route(matches, hold);
  const answered = async () => {
    await Promise.all(requests.map((request) => request.response()));
  };
  const drop = async () => {
    dropped.fire();
    // Each held request aborted before the route goes (Chromium would send on one still held).
    await Promise.all(wayOut);
    await page.unroute(matches, hold);
  };
  return { held: arrived.fired, release: released.fire, answered, drop };
}

/**
 * A held request's answer (route.continue, fulfill or abort), sent once a test lets it go: by then
 * the page may have given the request up (a reload, its own time limit) or closed, and Playwright
 * says the route is already handled. Nothing is left to answer then; any other failure is thrown.
 * (Every route handler's answer goes through it: answerRoutesQuietly.)
 */
async function answerHeld(answer: Promise<void>): Promise<void> {
  try {
    await answer;
  } catch (failure) {
    if (!/already handled|has been closed/i.test(String(failure))) throw failure;
  }
}

/** The router's request for a page's server-drawn content (a refresh, a client-side navigation): `/path?_rsc=…`. */
export const routerRequestFor =
  (pathname: string) =>
  (url: URL): boolean =>
    url.pathname === pathname && url.searchParams.has("_rsc");

/** Serious and critical accessibility violations on the page, as "rule: target" lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

/**
 * The page's controls (buttons, links, tabs, checkboxes) whose text lacks contrast while the pointer
 * is on them, each named with its axe target: a state that seriousViolations, run with the pointer
 * elsewhere, never sees. Each is checked alone, as it is hovered.
 */
export async function contrastViolationsUnderPointer(page: Page): Promise<string[]> {
  const controls = page
    .getByRole("button")
    .or(page.getByRole("link"))
    .or(page.getByRole("tab"))
    .or(page.getByRole("checkbox"));
  const found: string[] = [];
  for (const control of await controls.all()) {
    if (!(await control.isVisible()) || !(await control.isEnabled())) continue;
    await control.hover();
    // axe checks this control alone (the rest of the page, with no pointer on it, is seriousViolations's).
    await control.evaluate((element) => element.setAttribute("data-under-pointer", ""));
    const results = await new AxeBuilder({ page })
      .include("[data-under-pointer]")
      .withRules(["color-contrast"])
      .analyze();
    await control.evaluate((element) => element.removeAttribute("data-under-pointer"));
    for (const node of results.violations.flatMap((violation) => violation.nodes)) found.push(node.target.join(" "));
  }
  await page.mouse.move(0, 0);
  return found;
}

/**
 * Colour helpers for page.evaluate (as text: these tests are compiled without the DOM's types):
 * `rgba(css)` reads any CSS colour (Tailwind's oklch too) through a canvas as [r, g, b, a];
 * `contrast(a, b)` is WCAG's ratio of two opaque colours; `backgroundOf(element)` the first opaque
 * background at or behind it.
 */
const COLOURS = `
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const paint = canvas.getContext("2d", { willReadFrequently: true });
  const rgba = (colour) => {
    paint.clearRect(0, 0, 1, 1);
    paint.fillStyle = colour;
    paint.fillRect(0, 0, 1, 1);
    return [...paint.getImageData(0, 0, 1, 1).data];
  };
  const luminance = (rgb) =>
    rgb.slice(0, 3)
      .map((c) => c / 255)
      .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
      .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const contrast = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const backgroundOf = (element) => {
    for (let at = element; at; at = at.parentElement) {
      const colour = rgba(getComputedStyle(at).backgroundColor);
      if (colour[3] > 0) return colour;
    }
    return [255, 255, 255, 255];
  };
`;

/**
 * The fields whose placeholder text is below WCAG's 4.5:1 against the field's background (axe does
 * not check placeholders): where a field's only visible label is its placeholder, it must be read.
 * Each as `id: ratio`.
 */
export async function faintPlaceholders(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    ${COLOURS}
    const faint = [];
    for (const field of document.querySelectorAll("[placeholder]")) {
      if (!field.checkVisibility()) continue;
      const back = backgroundOf(field);
      const text = rgba(getComputedStyle(field, "::placeholder").color);
      // The placeholder's own alpha laid over the field's background.
      const alpha = text[3] / 255;
      const seen = [0, 1, 2].map((i) => text[i] * alpha + back[i] * (1 - alpha));
      const ratio = contrast(seen, back);
      if (ratio < 4.5) faint.push((field.id || field.name) + ": " + ratio.toFixed(2));
    }
    return faint;
  })()`);
}

/**
 * The contrast of what the browser drew for `control` (a checked checkbox: its fill, in the accent
 * colour) against the background behind it, which WCAG asks to be 3:1 for what shows a control's
 * state (1.4.11; axe does not look at a native checkbox's drawing). Read from a screenshot of it: the
 * colour drawn most in its box.
 */
export async function drawnContrast(control: Locator): Promise<number> {
  const png = (await control.screenshot()).toString("base64");
  await control.evaluate((element) => element.setAttribute("data-drawn", ""));
  const ratio = await control.page().evaluate(`(async () => {
    ${COLOURS}
    const control = document.querySelector("[data-drawn]");
    control.removeAttribute("data-drawn");
    const bytes = Uint8Array.from(atob("${png}"), (c) => c.charCodeAt(0));
    const image = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
    const drawing = document.createElement("canvas");
    drawing.width = image.width;
    drawing.height = image.height;
    const pen = drawing.getContext("2d", { willReadFrequently: true });
    pen.drawImage(image, 0, 0);
    const pixels = pen.getImageData(0, 0, image.width, image.height).data;
    const counts = new Map();
    for (let i = 0; i < pixels.length; i += 4) {
      const key = pixels[i] + "," + pixels[i + 1] + "," + pixels[i + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const [most] = [...counts].sort((a, b) => b[1] - a[1])[0];
    return contrast(most.split(",").map(Number), backgroundOf(control));
  })()`);
  return Number(ratio);
}

/** Waits until the locator matches exactly `count` elements (the list re-renders after a search). */
export async function waitForCount(locator: Locator, count: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await locator.count()) !== count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} elements, found ${await locator.count()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Task API's status for listing the token's own tasks with this token. */
export async function apiStatus(apiUrl: string, token: string): Promise<number> {
  const response = await fetch(`${apiUrl}/api/${String(decodeJwt(token).sub)}/tasks?limit=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return response.status;
}

/** The contract's bound: a token of an ended session is refused by every API process within this. */
const REVOCATION_BOUND_MS = 2_000;

/**
 * Asks each Task API with each of these tokens, all at once, until each
 * answers 401, and fails if any takes longer than the contract's 2 s from
 * `started` (when the session ended; by default, now); the slowest time, in ms.
 */
export async function expectRefusedWithin(
  apiUrls: string | string[],
  tokens: string | string[],
  started = Date.now(),
): Promise<number> {
  const pairs = [apiUrls].flat().flatMap((apiUrl) => [tokens].flat().map((token) => ({ apiUrl, token })));
  const times = await Promise.all(
    pairs.map(async ({ apiUrl, token }) => {
      for (;;) {
        const status = await apiStatus(apiUrl, token);
        const elapsed = Date.now() - started;
        if (status === 401) return elapsed;
        assert.equal(status, 200, `until refused, the token works (got ${status} from ${apiUrl})`);
        assert.ok(elapsed <= REVOCATION_BOUND_MS, `${apiUrl} still accepted the token after ${elapsed} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
  return Math.max(...times);
}

/** The access token of the session a page's browser context is signed in with. */
export async function accessToken(page: Page, baseUrl: string): Promise<string> {
  const response = await page.request.get(`${baseUrl}/api/auth/token`);
  assert.equal(response.status(), 200, "signed in");
  return ((await response.json()) as { token: string }).token;
}

/**
 * The page's person's tasks as another device of theirs reaches them ("the phone"): straight to
 * the Task API with a token of theirs. `tasksUrl` is their `/api/{user_id}/tasks`.
 */
export async function theirTasksApi(
  page: Page,
  product: { webUrl: string; apiUrl: string },
): Promise<{ tasksUrl: string; headers: { authorization: string } }> {
  const token = await accessToken(page, product.webUrl);
  return {
    tasksUrl: `${product.apiUrl}/api/${String(decodeJwt(token).sub)}/tasks`,
    headers: { authorization: `Bearer ${token}` },
  };
}

/**
 * Another Task API process on the same database as the product's (scale-out:
 * N stateless processes), accepting the same tokens. Stopped after the file's tests.
 */
export async function startSecondApi(product: RunningProduct, databaseUrl: string): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ["apps/api/dist/server.mjs"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      BETTER_AUTH_URL: product.webUrl,
      API_URL: product.apiUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
  after(() => stopProcess(child, 5_000));
  await waitForReady(`http://127.0.0.1:${port}/readyz`, child, "the second Task API");
  return `http://127.0.0.1:${port}`;
}

/**
 * Marks a person's address confirmed in the database, as following the
 * emailed link does (account-recovery.test.ts and passkeys.test.ts follow the link
 * itself), for tests that need a confirmed address but read no mail: a
 * passkey or a second factor is added only to one.
 */
export async function confirmEmailInDatabase(
  email: string,
  databaseUrl = process.env.DATABASE_URL ?? "",
): Promise<void> {
  const db = createPool(databaseUrl, { max: 1 });
  try {
    await db.query("UPDATE users SET email_verified = true WHERE email = $1", [email]);
  } finally {
    await db.end();
  }
}

/**
 * A platform authenticator for this page, as a laptop's fingerprint reader
 * would be (the DevTools protocol's WebAuthn domain): it holds discoverable
 * credentials, verifies its user and answers at once, the autofill's offer
 * included. It tells what it holds (the credentials it has made).
 */
export async function addVirtualAuthenticator(page: Page): Promise<{ credentials: () => Promise<number> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials.length,
  };
}

/** The URLs of the DELETE requests `page` sends from now on, as they go. */
export function deletesSentBy(page: Page): string[] {
  const sent: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "DELETE") sent.push(request.url());
  });
  return sent;
}
