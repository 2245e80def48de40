import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pg from "pg";
import type { Page } from "playwright-core";
import { createTestDatabase } from "../../scripts/lib/test-database";
import {
  addTask,
  addVirtualAuthenticator,
  confirmEmailInDatabase,
  cookiesOf,
  fillSignIn,
  holdPageTime,
  holdRequests,
  launchBrowser,
  newPerson,
  newSignedInPage,
  newSignedOutPage,
  postAuth,
  signal,
  startDatabaseProxy,
  startTestProduct,
  waitForCount,
} from "./product";

// This product reaches a database of its own (a test holds one of its tables) through a proxy the
// test can cut; its logs are kept, to be read.
const ownDatabase = await createTestDatabase("outage");
const database = await startDatabaseProxy(ownDatabase);
const product = await startTestProduct({}, database.url, { keepOutput: true });
const browser = await launchBrowser();

/** What the web app says, in its 503s' bodies and so on its forms, when its database does not answer. */
const DATABASE_DOWN = "Tasks cannot reach its database right now. Try again in a few seconds.";

/**
 * Runs `steps` with the database cut off, and puts it back whatever they do; then waits for the Task
 * API to be ready again, on a read of the ended sessions made since: a test's Retry must not race it.
 * (The API trusts its last read for 1.9 s. Asked at once, it may say ready on one from before the
 * cut, then answer 503 until its first read after it, up to half a second later: a Retry in that
 * window failed the first test now and then.)
 */
async function withDatabaseCut(steps: () => Promise<void>): Promise<void> {
  database.cut();
  try {
    await steps();
  } finally {
    database.restore();
  }
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const deadline = Date.now() + 10_000;
  while ((await fetch(`${product.apiUrl}/readyz`)).status !== 200) {
    assert.ok(Date.now() < deadline, "the Task API is ready again once the database is back");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Gives the page time to take in a failure whose answer has come (nothing on it shows that it has). */
async function takeFailureIn(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
}

describe("when the database or the network fails", () => {
  test("the page says so without blocking, keeps what was typed, rolls back, and Retry finishes the job", async () => {
    const { context, page } = await newSignedInPage(browser, product.webUrl, "Lin");
    const list = page.getByRole("list", { name: "Your tasks" });
    const banner = page.getByTestId("error");
    const newTitle = page.getByLabel("New task title");
    /** Waits for the banner to go; if it stays, says what it says. */
    const expectNoBanner = async () => {
      await banner.waitFor({ state: "detached" }).catch(async (error) => {
        throw new Error(`the banner stays: ${await banner.allInnerTexts()}`, { cause: error });
      });
    };
    /** Waits for the task in the list; if it does not come, says what the page and the apps said instead. */
    const expectListed = async (title: string) => {
      try {
        await list.getByText(title).waitFor();
      } catch (error) {
        const said = `the banner: ${await banner.allInnerTexts()}; the apps' last logs: ${product.output().slice(-3000)}`;
        throw new Error(`“${title}” is not listed; ${said}`, { cause: error });
      }
    };
    // The reload that follows an add is held until the toggle below has failed, so that its own
    // failure comes after the toggle's: it must not hide that one, which the person has to retry.
    const reload = /\/tasks\?/;
    const { fire: releaseReload, fired: reloadHeld } = signal();
    await page.route(reload, (route) => reloadHeld.then(() => route.continue()));
    await addTask(page, "Before the outage");

    await withDatabaseCut(async () => {
      // A toggle is shown at once, then put back when the API answers 503.
      await page.getByRole("checkbox", { name: "Completed: “Before the outage”", checked: false }).click();
      await banner.getByText(/Could not update “Before the outage”\. The task service is unavailable/).waitFor();
      assert.equal(
        await page.getByRole("checkbox", { name: "Completed: “Before the outage”" }).isChecked(),
        false,
        "rolled back",
      );
      const reloadRefused = page.waitForResponse(
        (response) => reload.test(response.url()) && response.status() === 503,
      );
      releaseReload(); // (the route stays: it lets every later reload through at once)
      await reloadRefused;
      await takeFailureIn(page);
      assert.equal(
        await banner.getByText(/Could not update “Before the outage”/).count(),
        1,
        "the reload's failure hides it",
      );
      // But a list asked for (another tab) that does not come says so, whatever the banner held.
      await page.getByRole("tab", { name: /^Completed/ }).click();
      await banner.getByText(/Could not load your tasks/).waitFor();
      // The list asked for next (back to All) fails after the add below: it was asked for first, so
      // the add's failure stays, with its Retry. (Its requests are held until the add has failed.)
      const allTab = await holdRequests(page, (url) => reload.test(url.href));
      await page.getByRole("tab", { name: /^All/ }).click();
      await allTab.held;
      // A new task: the message says so and the form keeps every field.
      await newTitle.fill("Typed during the outage");
      await page.getByLabel("Description").fill("and its description");
      await newTitle.press("Enter");
      await banner.getByText(/Could not add the task\. The task service is unavailable/).waitFor();
      allTab.release();
      await allTab.answered();
      await takeFailureIn(page);
      assert.equal(await banner.getByText(/Could not add the task/).count(), 1, "the All tab's failure hides it");
      assert.equal(await newTitle.inputValue(), "Typed during the outage");
      assert.equal(await page.getByLabel("Description").inputValue(), "and its description");
      assert.equal(await newTitle.isEditable(), true, "the page is not blocked");
    });

    await banner.getByRole("button", { name: "Retry" }).click();
    await expectListed("Typed during the outage");
    assert.equal(await newTitle.inputValue(), "", "the form clears once the task is saved");
    // (Gone once the list has come again: a failure of the All tab's load taken in this late is
    // shown until the reload that follows the add.)
    await expectNoBanner();

    // Offline: the same, with a message about the connection.
    await context.setOffline(true);
    await newTitle.fill("Typed while offline");
    await newTitle.press("Enter");
    await banner.getByText(/Could not add the task\. Cannot reach the task service/).waitFor();
    assert.equal(await newTitle.inputValue(), "Typed while offline");
    await context.setOffline(false);
    await banner.getByRole("button", { name: "Retry" }).click();
    await expectListed("Typed while offline");

    // Nothing half-applied, nothing twice.
    await page.reload();
    await list.getByText("Typed while offline").waitFor();
    await waitForCount(list.getByRole("listitem"), 3);
    assert.deepEqual((await list.locator("button[aria-label^='Edit']").allInnerTexts()).sort(), [
      "Before the outage",
      "Typed during the outage",
      "Typed while offline",
    ]);
    assert.equal(await page.getByRole("checkbox", { name: "Completed: “Before the outage”" }).isChecked(), false);
    await context.close();
  });

  test("an edit that fails stays open with what was typed; saving again once the database is back works", async () => {
    const { context, page } = await newSignedInPage(browser, product.webUrl, "Noor");
    await addTask(page, "Draft the plan");
    const list = page.getByRole("list", { name: "Your tasks" });

    // Wait for the edit's read of the task (and its ETag) before the outage.
    const read = page.waitForResponse((response) => /\/tasks\/[0-9a-f-]{36}$/.test(response.url()));
    await page.getByRole("button", { name: "Edit “Draft the plan”" }).click();
    await read;
    await withDatabaseCut(async () => {
      await page.getByLabel("Task title", { exact: true }).fill("Draft the final plan");
      await page.getByLabel("Task description").fill("with dates");
      await page.getByLabel("Task title", { exact: true }).press("Enter");
      await page
        .getByRole("alert")
        .getByText(/Could not save your changes\. The task service is unavailable/)
        .waitFor();
      assert.equal(await page.getByLabel("Task title", { exact: true }).inputValue(), "Draft the final plan");
      assert.equal(await page.getByLabel("Task description").inputValue(), "with dates");
    });

    await page.getByRole("button", { name: "Save", exact: true }).click();
    await list.getByRole("button", { name: "Edit “Draft the final plan”" }).waitFor();
    await page.reload();
    await list.getByText("Draft the final plan").waitFor();
    await list.getByText("with dates").waitFor();
    await context.close();
  });

  test("signing in with the network down: a clear message, the form usable again, nothing typed lost", async () => {
    const person = newPerson("Nell");
    assert.equal((await postAuth(product.webUrl, "/sign-up/email", person)).status, 200);
    const page = await newSignedOutPage(browser, product.webUrl);
    const signInButton = await fillSignIn(page, product.webUrl, person);
    await page.context().setOffline(true);
    await signInButton.click();
    await page.getByText("Cannot reach the server. Check your connection and try again.").waitFor();
    assert.equal(await page.getByLabel("Email").inputValue(), person.email);
    await page.context().setOffline(false);
    await signInButton.click();
    await page.waitForURL(`${product.webUrl}/tasks`);
  });

  test("with the database down, the auth endpoints answer 503 with a problem body, and a page sends to a 503 page that links back", async () => {
    const person = newPerson("Ines");
    const signedUp = await postAuth(product.webUrl, "/sign-up/email", person);
    assert.equal(signedUp.status, 200);
    const cookie = cookiesOf(signedUp);
    const fromWebApp = (path: string) =>
      fetch(`${product.webUrl}${path}`, { headers: { cookie, origin: product.webUrl }, redirect: "manual" });

    await withDatabaseCut(async () => {
      const answers = {
        "sign-in": await postAuth(product.webUrl, "/sign-in/email", { email: person.email, password: person.password }),
        "get-session": await fromWebApp("/api/auth/get-session"),
        token: await fromWebApp("/api/auth/token"),
      };
      for (const [name, answer] of Object.entries(answers)) {
        assert.equal(answer.status, 503, name);
        assert.equal(answer.headers.get("content-type"), "application/problem+json", name);
        assert.equal(answer.headers.get("retry-after"), "5", name);
        const problem = (await answer.json()) as Record<string, unknown>;
        assert.equal(problem.status, 503, name);
        assert.equal(problem.title, "Service Unavailable", name);
        // What the sign-in form shows (Better Auth's client reads `message`), and nothing internal.
        assert.equal(problem.message, DATABASE_DOWN, name);
        assert.equal(problem.detail, problem.message, name);
      }

      // A page that reads the session sends the person to the 503 page, naming what they asked for.
      const account = await fromWebApp("/account?error=expired");
      assert.equal(account.status, 307);
      const location = account.headers.get("location") ?? "";
      assert.equal(location, `/unavailable?next=${encodeURIComponent("/account?error=expired")}`);
      const unavailable = await fromWebApp(location);
      assert.equal(unavailable.status, 503);
      assert.equal(unavailable.headers.get("retry-after"), "5");
      const html = await unavailable.text();
      assert.match(html, /<h1>Tasks is unavailable right now<\/h1>/);
      assert.match(html, /<a href="\/account\?error=expired">Try again<\/a>/);
      // Only this site's paths: another site's address goes to the tasks instead.
      const elsewhere = await (await fromWebApp(`/unavailable?next=${encodeURIComponent("//evil.example/x")}`)).text();
      assert.match(elsewhere, /<a href="\/tasks">Try again<\/a>/);
    });
    // A statement that fails inside an endpoint (past the rate limit, which reads the database
    // first): the sessions table held by another transaction, the session's read times out (5 s).
    // Better Auth alone reads that as nobody signed in: 401 for the token, and the dashboard then
    // sends the person to sign in.
    const holder = new pg.Client({ connectionString: ownDatabase });
    await holder.connect();
    const logBefore = product.output().length;
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE");
      const timedOut = await Promise.all([fromWebApp("/api/auth/get-session"), fromWebApp("/api/auth/token")]);
      for (const answer of timedOut) {
        assert.equal(answer.status, 503, answer.url);
        assert.equal(((await answer.json()) as { code: string }).code, "DATABASE_UNAVAILABLE", answer.url);
      }
    } finally {
      await holder.query("ROLLBACK").finally(() => holder.end());
    }
    // Logged, without the statement's values: the session's read quoted its token. (The web app
    // says "database unavailable" after Better Auth has logged the failed read, on the same stream.)
    const sessionToken = decodeURIComponent(cookie.match(/session_token=([^;]+)/)?.[1] ?? "").split(".")[0] ?? "";
    assert.ok(sessionToken.length >= 20, `the session token: ${sessionToken}`);
    const loggedSince = () => product.output().slice(logBefore);
    for (let waited = 0; waited < 10_000 && !/\[auth\] database unavailable/.test(loggedSince()); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.match(loggedSince(), /\[auth\] INTERNAL_SERVER_ERROR/, "the failed read was logged");
    assert.ok(!product.output().includes(sessionToken), "no session token in the logs");
    // Nothing was lost: the same session, the same person.
    const session = await fromWebApp("/api/auth/get-session");
    assert.equal(session.status, 200);
    assert.equal(((await session.json()) as { user: { email: string } }).user.email, person.email);
  });

  test("with the database down, the sign-in form says so and keeps what was typed; a page reloaded says so, and Try again brings it back", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Omar");
    await addTask(page, "Kept through the outage");
    const person = newPerson("Pia");
    assert.equal((await postAuth(product.webUrl, "/sign-up/email", person)).status, 200);
    const signInPage = await newSignedOutPage(browser, product.webUrl);
    const signInButton = await fillSignIn(signInPage, product.webUrl, person);

    await withDatabaseCut(async () => {
      await signInButton.click();
      // (Should it not come, the failure says what the page showed instead.)
      await signInPage
        .getByRole("alert")
        .getByText(DATABASE_DOWN)
        .waitFor()
        .catch(async (error: Error) => {
          const shown = await signInPage.locator("main").textContent();
          throw new Error(`${error.message}\nThe page showed: ${JSON.stringify(shown)}`);
        });
      assert.equal(await signInPage.getByLabel("Email").inputValue(), person.email);
      assert.equal(await signInPage.getByLabel("Password").inputValue(), person.password);
      assert.equal(await signInButton.isEnabled(), true, "the form can be sent again");

      const reloaded = await page.reload();
      assert.equal(reloaded?.status(), 503);
      assert.equal(page.url(), `${product.webUrl}/unavailable?next=%2Ftasks`);
      await page.getByRole("heading", { name: "Tasks is unavailable right now" }).waitFor();
    });
    await page.getByRole("link", { name: "Try again" }).click();
    await page.waitForURL(`${product.webUrl}/tasks`);
    await page.getByRole("list", { name: "Your tasks" }).getByText("Kept through the outage").waitFor();
    await signInButton.click();
    await signInPage.waitForURL(`${product.webUrl}/tasks`);
  });

  test("with the database down, renewing the access token says why and how long to wait; Retry then does the job", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Tess", { heldClock: true });
    const banner = page.getByTestId("error");
    const newTitle = page.getByLabel("New task title");
    await withDatabaseCut(async () => {
      await holdPageTime(page);
      // By the page's clock the token in hand has expired (15 minutes): the next request renews it.
      await page.clock.fastForward("15:00");
      const refused = page.waitForResponse(
        (answer) => answer.url().endsWith("/api/auth/token") && answer.status() === 503,
      );
      await newTitle.fill("Typed during the outage");
      await newTitle.press("Enter");
      await refused;
      await banner.getByText(`Could not add the task. ${DATABASE_DOWN}`).waitFor();
      assert.equal(await banner.getByRole("button").textContent(), "Retry in 5 s", "the web app's Retry-After");
      assert.equal(await newTitle.inputValue(), "Typed during the outage");
    });
    await page.clock.runFor(5_000);
    await banner.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("list", { name: "Your tasks" }).getByText("Typed during the outage").waitFor();
    assert.equal(await banner.count(), 0);
  });

  test("with the database down, the sign-in page's passkey offer says nothing of it and its button says so; once it is back, the offer signs in", async () => {
    const { context, page, person } = await newSignedInPage(browser, product.webUrl, "Quinn");
    await addVirtualAuthenticator(page);
    await confirmEmailInDatabase(person.email, ownDatabase);
    await page.goto(`${product.webUrl}/account`);
    const passkeys = page.getByRole("region", { name: "Passkeys" });
    await passkeys.getByLabel("Name of the new passkey").fill("Laptop");
    await passkeys.getByLabel("Your password, to add a passkey").fill(person.password);
    await passkeys.getByRole("button", { name: "Add a passkey" }).click();
    await passkeys.getByRole("list", { name: "Your passkeys" }).getByText("Laptop").waitFor();
    await context.clearCookies(); // signed out on this device
    const optionsRefused = () =>
      page.waitForResponse(
        (answer) => answer.url().endsWith("/passkey/generate-authenticate-options") && answer.status() === 503,
      );

    // What the page says (Next.js's route announcer is an alert too, but an empty one).
    const messages = page.getByRole("alert").filter({ hasText: /\S/ });
    const said = () => messages.allInnerTexts();

    await withDatabaseCut(async () => {
      // The autofill's offer cannot be made. Nobody asked for it: once the form has answered, the form's
      // message is all there is, and the offer made again (5 s later) is refused as quietly.
      let refused = optionsRefused();
      const signInButton = await fillSignIn(page, product.webUrl, person);
      await refused;
      refused = optionsRefused();
      await signInButton.click();
      await page.locator("form").getByRole("alert").getByText(DATABASE_DOWN).waitFor();
      assert.deepEqual(await said(), [DATABASE_DOWN], "nothing said of the passkey offer");
      await refused;
      assert.deepEqual(await said(), [DATABASE_DOWN], "nor of the offer made again");
      // The button, asked, says why nothing happens.
      await page.getByRole("button", { name: "Sign in with a passkey" }).click();
      await waitForCount(page.getByRole("alert").filter({ hasText: DATABASE_DOWN }), 2);
      assert.deepEqual(await said(), [DATABASE_DOWN, DATABASE_DOWN], "the form's and the button's");
    });
    // After the button's ceremony, the offer is made again; once the database is back, the device takes
    // it: signed in, no click.
    await page.waitForURL(`${product.webUrl}/tasks`);
  });

  test("with the database down, signing another device out on the account page says so in place; once it is back, it works", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ravi");
    const other = await postAuth(product.webUrl, "/sign-in/email", { email: person.email, password: person.password });
    assert.equal(other.status, 200);
    const otherSession = () =>
      fetch(`${product.webUrl}/api/auth/get-session`, { headers: { cookie: cookiesOf(other) } }).then(
        async (answer) => ((await answer.json()) as { user?: { email: string } } | null)?.user?.email,
      );
    await page.goto(`${product.webUrl}/account`);
    const devices = page.getByRole("list", { name: "Signed-in devices" });
    await waitForCount(devices.getByRole("listitem"), 2);
    const signOutOther = devices.getByRole("button", { name: /^Sign out (?!.*\(this device\)$)/ });

    await withDatabaseCut(async () => {
      await signOutOther.click();
      await page.getByRole("alert").getByText(DATABASE_DOWN).waitFor();
      assert.equal(page.url(), `${product.webUrl}/account`, "still on the account page");
    });
    assert.equal(await otherSession(), person.email, "the other device is still signed in");
    await signOutOther.click();
    await waitForCount(devices.getByRole("listitem"), 1);
    assert.equal(await otherSession(), undefined, "and now it is not");
  });

  test("a task service that refuses a live session's fresh tokens (misconfigured): a message on /tasks, no loop through sign-in", async () => {
    // Its API wants another issuer than the web app's: every token is refused, the session is fine.
    const misconfigured = await startTestProduct({ AUTH_ISSUER: "https://not-the-web-app.example" });
    const page = await newSignedOutPage(browser, misconfigured.webUrl);
    const visited: string[] = [];
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) visited.push(new URL(frame.url()).pathname);
    });
    const person = newPerson("Mona");
    await page.goto(`${misconfigured.webUrl}/sign-up`);
    await page.getByLabel("Name").fill(person.name);
    await page.getByLabel("Email").fill(person.email);
    await page.getByLabel("Password").fill(person.password);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.waitForURL(`${misconfigured.webUrl}/tasks`);
    await page
      .getByTestId("error")
      .getByText(/does not accept your sign-in/)
      .waitFor();
    assert.equal(new URL(page.url()).pathname, "/tasks");
    assert.deepEqual(
      visited.filter((pathname) => pathname === "/sign-in"),
      [],
      `never sent to sign in: ${visited.join(" → ")}`,
    );
  });
});
