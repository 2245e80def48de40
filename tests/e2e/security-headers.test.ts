/**
 * The contract's "Web pages": every page carries a nonce-based
 * Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval' in
 * script-src, frame-ancestors 'none', and the other security headers; the
 * scripts the page serves carry the nonce; a page framed by another site is
 * refused. (Every browser test also fails on any CSP violation a page reports:
 * see launchBrowser in product.ts.) And `npm start` listens on loopback only:
 * a development stack with a development secret must not be reachable from a
 * café's network (read from the kernel's socket table, so no packet leaves).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import type { Locator } from "playwright-core";
import {
  confirmEmailInDatabase,
  launchBrowser,
  newPerson,
  newSignedInPage,
  newSignedOutPage,
  postAuth,
  routerRequestFor,
  startTestProduct,
  takeCspViolations,
} from "./product";

const product = await startTestProduct();
const browser = await launchBrowser();

/** The directives of a policy, by name. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name = "", ...values]) => [name, values]),
  );
}

/** Pages that are not there, some beside the static files the policy is not for: each is a page with its policy. */
const NOT_FOUND = ["/nope", "/favicon.ico", "/favicon.ico.x", "/faviconXico", "/_next/imagex", "/_next/image/x"];
const PAGES = [
  "/sign-in",
  "/sign-up",
  "/forgot-password",
  "/reset-password?token=x",
  "/confirm-email?token=x&callbackURL=%2Ftasks",
  "/undo-two-factor?token=x",
  "/tasks",
  "/account",
  "/",
  ...NOT_FOUND,
];

test("every page: a strict nonce CSP and the security headers, a new nonce each time, on every script", async () => {
  const { page } = await newSignedInPage(browser, product.webUrl, "Hedda");
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  for (const path of PAGES) {
    for (const signedIn of [false, true]) {
      const response = await fetch(`${product.webUrl}${path}`, {
        redirect: "manual",
        headers: signedIn ? { cookie } : {},
      });
      const where = `${path} (${signedIn ? "signed in" : "signed out"}, ${response.status})`;
      if (path === "/") {
        // The front door: a signed-in person to their tasks, anyone else to sign in.
        const location = new URL(response.headers.get("location") ?? "", product.webUrl).pathname;
        assert.equal(location, signedIn ? "/tasks" : "/sign-in", where);
      }
      const policy = response.headers.get("content-security-policy") ?? "";
      const csp = directives(policy);
      const scriptSrc = csp.get("script-src") ?? [];
      const nonce = scriptSrc.find((value) => value.startsWith("'nonce-"))?.slice(7, -1);
      assert.ok(nonce && nonce.length >= 16, `${where}: script-src has a nonce: ${policy}`);
      assert.ok(scriptSrc.includes("'strict-dynamic'"), where);
      assert.ok(!scriptSrc.includes("'unsafe-inline'") && !scriptSrc.includes("'unsafe-eval'"), where);
      assert.deepEqual(csp.get("frame-ancestors"), ["'none'"], where);
      assert.deepEqual(csp.get("object-src"), ["'none'"], where);
      assert.deepEqual(csp.get("base-uri"), ["'none'"], where);
      assert.deepEqual(csp.get("form-action"), ["'self'"], where);
      // Each source list whole: one source too many (a `*`, `https:`, 'unsafe-inline' scripts) is a hole.
      assert.deepEqual(
        csp.get("connect-src"),
        ["'self'", new URL(product.apiUrl).origin],
        `${where}: itself and the API`,
      );
      assert.deepEqual(csp.get("default-src"), ["'self'"], where);
      assert.deepEqual(scriptSrc, ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"], where);
      assert.deepEqual(csp.get("style-src"), ["'self'", `'nonce-${nonce}'`], where);
      assert.deepEqual(csp.get("img-src"), ["'self'", "data:", "blob:"], where);
      assert.deepEqual(csp.get("font-src"), ["'self'"], where);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", where);
      assert.equal(response.headers.get("referrer-policy"), "strict-origin-when-cross-origin", where);
      assert.match(response.headers.get("permissions-policy") ?? "", /camera=\(\)/, where);
      assert.equal(response.headers.get("cross-origin-opener-policy"), "same-origin", where);
      assert.equal(response.headers.get("strict-transport-security"), null, `${where}: no HSTS over http`);
      if (response.headers.get("content-type")?.startsWith("text/html")) {
        const html = await response.text();
        const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
        assert.ok(scripts.length > 0, `${where}: the page has scripts`);
        for (const script of scripts) assert.ok(script.includes(`nonce="${nonce}"`), `${where}: ${script}`);
      }
    }
  }
  const nonces = await Promise.all(
    [1, 2].map(async () => (await fetch(`${product.webUrl}/sign-in`)).headers.get("content-security-policy")),
  );
  assert.notEqual(nonces[0], nonces[1], "a new nonce for every response");
});

/** Each page's title (a tab, the history and a screen reader tell the pages apart by it). */
const TITLES: Record<string, string> = {
  "/sign-in": "Sign in · Tasks",
  "/sign-up": "Create your account · Tasks",
  "/forgot-password": "Reset your password · Tasks",
  "/reset-password?token=x": "Choose a new password · Tasks",
  "/confirm-email?token=x&callbackURL=%2Ftasks": "Confirm your email address · Tasks",
  "/undo-two-factor?token=x": "Turn off two-factor sign-in · Tasks",
  "/tasks": "Your tasks · Tasks",
  "/account": "Your account · Tasks",
  "/": "Sign in · Tasks",
};

test("every page opens in the browser with nothing missing (no request of its fails, no error in the console), under its own title", async () => {
  const signedOut = await browser.newContext();
  after(() => signedOut.close().catch(() => {}));
  const { context: signedIn } = await newSignedInPage(browser, product.webUrl, "Hilde");
  for (const path of PAGES.filter((path) => !NOT_FOUND.includes(path))) {
    for (const context of path === "/tasks" || path === "/account" ? [signedIn] : [signedOut]) {
      const page = await context.newPage();
      const problems: string[] = [];
      // The icon the browser asks for of its own accord: a 404 there is an error in every console.
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });
      // (The router gives up some of its links' prefetches as it goes: those are not failures.)
      page.on("requestfailed", (request) => {
        const error = request.failure()?.errorText;
        if (error !== "net::ERR_ABORTED") problems.push(`failed: ${request.url()} ${error}`);
      });
      page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
      });
      await page.goto(`${product.webUrl}${path}`, { waitUntil: "networkidle" });
      const seen = [...problems]; // before closing, which cuts off the links' prefetches
      assert.equal(await page.title(), TITLES[path], path);
      await page.close();
      assert.deepEqual(seen, [], path);
    }
  }
});

test("a page keeps its title while it is drawn again from the server, however often", async () => {
  // The pages draw themselves again after an action (two-factor turned on, a passkey added, a session
  // signed out). With Next's streamed metadata, about 1 such refresh in 25 here dropped the <title>
  // until the next one, so 100 of them on each page, a few tens of ms apart, find it almost surely.
  const { page } = await newSignedInPage(browser, product.webUrl, "Greta");
  for (const path of ["/tasks", "/account"]) {
    await page.goto(`${product.webUrl}${path}`, { waitUntil: "networkidle" });
    // Counts each moment the document has no title, from the page's own mutations.
    await page.evaluate(`
      globalThis.titlesLost = 0;
      let title = document.title;
      new MutationObserver(() => {
        if (document.title !== title && !document.title) globalThis.titlesLost++;
        title = document.title;
      }).observe(document, { subtree: true, childList: true, characterData: true });
    `);
    for (let refresh = 0; refresh < 100; refresh++) {
      const answered = page.waitForResponse((response) => routerRequestFor(path)(new URL(response.url())));
      // What router.refresh() does in the page's own actions (window.next.router is Next's handle on it).
      await page.evaluate("window.next.router.refresh()");
      await answered;
      await page.waitForTimeout(60); // for the answer to be drawn
    }
    assert.equal(await page.evaluate("globalThis.titlesLost"), 0, path);
    assert.equal(await page.title(), TITLES[path], path);
  }
});

test("a page that is not there and a page that fails are our own, within the policy, and the second offers to try again", async () => {
  const { context, page } = await newSignedInPage(browser, product.webUrl, "Ilse");
  const missing = await page.goto(`${product.webUrl}/no-such-page`);
  assert.equal(missing?.status(), 404);
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  assert.equal(await page.title(), "Page not found · Tasks");
  await page.getByRole("link", { name: "Go to your tasks" }).click();
  await page.waitForURL(`${product.webUrl}/tasks`);

  // A fault in the browser while the account page renders: every date it formats throws until told not to.
  await context.addInitScript(`
    globalThis.breakDates = true;
    const format = Date.prototype.toLocaleDateString;
    Date.prototype.toLocaleDateString = function (...args) {
      if (globalThis.breakDates) throw new Error("a fault put in by the test");
      return format.apply(this, args);
    };
  `);
  await page.goto(`${product.webUrl}/account`);
  await page.getByRole("heading", { name: "Something went wrong" }).waitFor();
  await page.getByRole("alert").getByText("This page could not be shown. Nothing you saved is lost.").waitFor();
  await page.evaluate("globalThis.breakDates = false");
  await page.getByRole("button", { name: "Try again" }).click();
  await page.getByRole("heading", { name: "Your account" }).waitFor();
  assert.deepEqual(takeCspViolations(context), [], "neither page broke the policy");
});

test("the sign-in page in another site's frame is refused (clickjacking)", async () => {
  const framing = createServer((_request, response) => {
    response.setHeader("content-type", "text/html");
    response.end(`<!doctype html><title>evil</title><iframe src="${product.webUrl}/sign-in"></iframe>`);
  });
  await new Promise<void>((resolve) => framing.listen(0, "127.0.0.1", resolve));
  after(() => framing.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${(framing.address() as AddressInfo).port}/`);
  const deadline = Date.now() + 10_000;
  let reported: string[] = [];
  while (reported.length === 0 && Date.now() < deadline) {
    await page.waitForTimeout(100);
    reported = takeCspViolations(context);
  }
  assert.ok(
    reported.some((text) => /frame-ancestors/.test(text)),
    `the browser refused the frame: ${reported.join(" | ")}`,
  );
  const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
  const fields = await frame
    ?.locator("input")
    .count()
    .catch(() => 0);
  assert.equal(fields ?? 0, 0, "no sign-in form inside the frame");
  await context.close();
});

/** The local addresses (hex, as /proc/net/tcp{,6} writes them) of the sockets listening on this port. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // columns: sl, local_address (ADDR:PORT), rem_address, st (0A = LISTEN), …
      .filter((columns) => columns[3] === "0A" && columns[1]?.endsWith(`:${hexPort}`))
      .map((columns) => (columns[1] ?? "").split(":")[0] ?? ""),
  );
}

const IPV4_LOOPBACK = "0100007F"; // 127.0.0.1, little-endian

test("the web app and the Task API listen on 127.0.0.1 only", () => {
  for (const url of [product.webUrl, product.apiUrl]) {
    const addresses = listeningAddresses(Number(new URL(url).port));
    assert.deepEqual(addresses, [IPV4_LOOPBACK], `${url} listens on ${addresses.join(", ") || "nothing"}`);
  }
});

/**
 * Types a password into `field` and presses Enter: whether the browser then sent it in an address.
 * (A native submit sends its request at once, however long its page then takes to load; and it
 * cannot happen at all while the form's submit buttons are disabled, which is checked too.)
 */
async function enterPutsPasswordInAddress(field: Locator): Promise<boolean> {
  const submits = field.locator("xpath=ancestor::form").locator('button[type="submit"], input[type="submit"]');
  assert.ok((await submits.count()) > 0, "the field's form has a submit button");
  for (const submit of await submits.all())
    assert.equal(await submit.isDisabled(), true, "disabled until the script runs");
  await field.fill("correct horse battery");
  const leaked = field
    .page()
    .waitForRequest((request) => request.url().includes("battery"), { timeout: 1_000 })
    .then(
      () => true,
      () => false,
    );
  await field.press("Enter");
  return leaked;
}

test("a password typed before the page's script has run never goes into the address", async () => {
  // With scripts off, the forms are the server's HTML alone: as they are until React takes them over.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const [path, button] of [
    ["/sign-in", "Sign in"],
    ["/sign-up", "Sign up"],
  ] as const) {
    await page.goto(`${product.webUrl}${path}`);
    if (path === "/sign-up") await page.getByLabel("Name").fill("Early Bird");
    await page.getByLabel("Email").fill("early@example.test");
    assert.equal(
      await enterPutsPasswordInAddress(page.getByLabel("Password")),
      false,
      `${path}: the browser sent the form itself, password in the address`,
    );
    assert.equal(await page.getByRole("button", { name: button, exact: true }).isDisabled(), true);
  }
  await context.close();

  // The account page's forms that ask for a password, signed in, before the script has run.
  const { page: signedIn, person } = await newSignedInPage(browser, product.webUrl, "Early");
  // Confirmed, so that the two-factor form (which waits for a confirmed address) is on the page too.
  await confirmEmailInDatabase(person.email);
  const account = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await signedIn.context().storageState(),
  });
  const accountPage = await account.newPage();
  await accountPage.goto(`${product.webUrl}/account`);
  const passwords = accountPage.locator('input[type="password"]');
  assert.ok((await passwords.count()) >= 3, "the account page's password fields (change, two-factor, deletion)");
  for (const field of await passwords.all()) {
    const id = await field.getAttribute("id");
    assert.equal(await enterPutsPasswordInAddress(field), false, `${id}: the password went into the address`);
  }
  await account.close();
  await signedIn.context().close();
});

test("after sign-in only this site's paths are followed: a `next` that a browser reads as another site goes to /tasks", async () => {
  const { page } = await newSignedInPage(browser, product.webUrl, "Nadia");
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  /** Where the sign-in and sign-up pages send a signed-in person who asks for `next`. */
  const sentTo = async (pagePath: string, next: string) => {
    const response = await fetch(`${product.webUrl}${pagePath}?next=${encodeURIComponent(next)}`, {
      redirect: "manual",
      headers: { cookie },
    });
    assert.equal(response.status, 307, `${pagePath} next=${JSON.stringify(next)}`);
    return response.headers.get("location");
  };
  // Each of these is another site once a browser has read it (tabs and newlines dropped, `\` as `/`, and the
  // path after dot segments are resolved).
  for (const next of [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\\evil.example",
    "//evil.example",
    "https://evil.example/",
    "/.//evil.example",
    "/..//evil.example",
    "/%2e//evil.example",
    "/./\\evil.example",
  ]) {
    for (const pagePath of ["/sign-in", "/sign-up"]) {
      const location = await sentTo(pagePath, next);
      assert.equal(location, "/tasks", `${pagePath} next=${JSON.stringify(next)} went to ${location}`);
    }
  }
  // A path of this site is followed, its query kept.
  assert.equal(await sentTo("/sign-in", "/account?tab=sessions"), "/account?tab=sessions");
  await page.context().close();
});

test("a `next` that Better Auth would refuse as the sign-in's callback (a `\\`, an encoded `/`, over 2,048 characters) cannot make the sign-in fail", async () => {
  const person = newPerson("Nils");
  assert.equal((await postAuth(product.webUrl, "/sign-up/email", person)).status, 200);
  for (const next of ["/tasks?q=a\\b", "/tasks%2Fx", "/account#a\\b", "/tasks%5cx", `/tasks?q=${"x".repeat(2_100)}`]) {
    const page = await newSignedOutPage(browser, product.webUrl);
    await page.goto(`${product.webUrl}/sign-in?next=${encodeURIComponent(next)}`);
    const button = page.getByRole("button", { name: "Sign in", exact: true });
    await button.and(page.locator(":enabled")).waitFor();
    await page.getByLabel("Email").fill(person.email);
    await page.getByLabel("Password").fill(person.password);
    await button.click();
    await page.waitForURL(`${product.webUrl}/tasks`);
    await page.context().close();
  }
});

test("the Task API's one page, /docs, draws under its own CSP, framed by no one", async () => {
  const page = await newSignedOutPage(browser, product.webUrl);
  const response = await page.goto(`${product.apiUrl}/docs`);
  const csp = directives(response?.headers()["content-security-policy"] ?? "");
  assert.deepEqual(csp.get("frame-ancestors"), ["'none'"]);
  assert.ok(!csp.get("script-src")?.some((value) => /unsafe/.test(value)));
  // Swagger UI draws the API's operations: its scripts ran under the policy (a violation also fails the file).
  await page.getByText("/api/{user_id}/tasks").first().waitFor();
  assert.deepEqual(takeCspViolations(page.context()), []);
});
