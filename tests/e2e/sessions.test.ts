import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createPool } from "@tasks/db";
import { decodeJwt } from "jose";
import type { Page } from "playwright-core";
import { answeredAt } from "./account-shared";
import {
  accessToken,
  addTask,
  apiStatus,
  cookiesOf,
  endSessionsElsewhere,
  expectRefusedWithin,
  fillSignIn,
  holdPageTime,
  holdRequests,
  launchBrowser,
  newPerson,
  newSignedOutPage,
  type Person,
  postAuth,
  problemOfField,
  randomClientAddress,
  signal,
  signIn,
  signUp,
  startTestProduct,
  theirTasksApi,
  waitForCount,
} from "./product";

// Access tokens live 5 seconds here, so a short test crosses several expiries.
const product = await startTestProduct({ JWT_EXPIRES_IN: "5s" });
// Sessions of a minute, and tokens of the default 15 minutes.
const shortSessions = await startTestProduct({ SESSION_EXPIRES_IN: "1m" });
const browser = await launchBrowser();

/**
 * One person in two tabs of one browser: signed up in `first`, which adds `titles`, and the tasks
 * open in `second`. `heldClock`: the context's clock installed, for holdPageTime.
 */
async function onePersonInTwoTabs(name: string, titles: string[], { heldClock = false } = {}) {
  const context = await browser.newContext();
  if (heldClock) await context.clock.install();
  const [first, second] = [await context.newPage(), await context.newPage()];
  const person = newPerson(name);
  await signUp(first, product.webUrl, person);
  for (const title of titles) await addTask(first, title);
  await second.goto(`${product.webUrl}/tasks`);
  // Its tasks shown: the page has been taken over by React and listens for a sign-out elsewhere (a
  // sign-out before that went unheard, and a test that signed out at once waited in vain for it to leave).
  const last = titles.at(-1);
  if (last) await second.getByRole("list", { name: "Your tasks" }).getByText(last, { exact: true }).waitFor();
  return { context, first, second, person };
}

/** The person signs out in `first`; `second`, open on the tasks, leaves for sign-in at once. */
async function signOutInTheOtherTab(first: Page, second: Page) {
  await first.bringToFront();
  await first.getByRole("button", { name: "Sign out" }).click();
  await first.waitForURL(/\/sign-in/);
  await second.bringToFront();
  await second.waitForURL(/\/sign-in\?next=/, { waitUntil: "domcontentloaded" });
}

/**
 * The person's sessions end on another device: no word of it reaches this browser, whose page learns
 * it from its next request. Returns once the Task API refuses the session of `page`.
 */
async function endSessionUnannounced(page: Page, person: Person) {
  const token = await accessToken(page, product.webUrl);
  await endSessionsElsewhere(product.webUrl, person);
  await expectRefusedWithin(product.apiUrl, token);
}

/** A token of the session signed in on `page` now, as a request's headers. */
async function freshHeaders(page: Page) {
  return { authorization: `Bearer ${await accessToken(page, product.webUrl)}` };
}

/** Signs in on the page an action led to (sign-in, with `next`) and waits to be back on the tasks. */
async function signInWhereItLed(page: Page, person: Person) {
  await page.waitForURL(/\/sign-in\?next=/, { waitUntil: "domcontentloaded" });
  await page.getByRole("status").getByText("Your session has ended.").waitFor(); // why they are here
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${product.webUrl}/tasks`);
}

describe("a session's end", () => {
  test("an access token ends with its session at the latest, however long tokens live", async () => {
    const person = newPerson("Lea");
    const signedUp = await postAuth(shortSessions.webUrl, "/sign-up/email", person);
    assert.equal(signedUp.status, 200);
    const cookie = cookiesOf(signedUp);
    const session = (await (
      await fetch(`${shortSessions.webUrl}/api/auth/get-session`, { headers: { cookie } })
    ).json()) as { session: { expiresAt: string } };
    const answer = await fetch(`${shortSessions.webUrl}/api/auth/token`, { headers: { cookie } });
    assert.equal(answer.status, 200);
    const { token } = (await answer.json()) as { token: string };
    const { exp = 0, iat = 0 } = decodeJwt(token);
    assert.ok(
      exp * 1000 <= Date.parse(session.session.expiresAt),
      `exp ${exp}, the session ends ${session.session.expiresAt}`,
    );
    assert.ok(exp - iat <= 60, `a token of ${exp - iat} s for a session of a minute`);
    assert.equal(await apiStatus(shortSessions.apiUrl, token), 200, "and it works until then");
  });
});

describe("a session's length", () => {
  test("a sign-in lasts SESSION_EXPIRES_IN, 7 days unless set: its cookie and the session it names say so", async () => {
    for (const [server, seconds] of [
      [product, 7 * 24 * 3600],
      [shortSessions, 60],
    ] as const) {
      const signedUp = await postAuth(server.webUrl, "/sign-up/email", newPerson("Len"));
      assert.equal(signedUp.status, 200);
      const cookie = signedUp.headers.getSetCookie().find((set) => /session_token=/.test(set)) ?? "";
      assert.match(cookie, new RegExp(`;\\s*Max-Age=${seconds}(;|$)`, "i"), cookie);
      const { session } = (await (
        await fetch(`${server.webUrl}/api/auth/get-session`, { headers: { cookie: cookiesOf(signedUp) } })
      ).json()) as { session: { expiresAt: string } };
      const lasts = (Date.parse(session.expiresAt) - Date.now()) / 1000;
      assert.ok(Math.abs(lasts - seconds) < 10, `the session ends in ${lasts} s, not ${seconds} s`);
    }
  });
});

describe("sessions and tokens in the browser", () => {
  test("with 5-second tokens, work goes on across many expiries without interruption", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const tokens = new Set<string>();
    const failures: string[] = [];
    page.on("request", (request) => {
      const authorization = request.headers().authorization;
      if (request.url().startsWith(product.apiUrl) && authorization) tokens.add(authorization);
    });
    const tokenEndpoint = `${product.webUrl}/api/auth/token`;
    page.on("response", (response) => {
      const url = response.url();
      if ((url.startsWith(product.apiUrl) || url.startsWith(tokenEndpoint)) && response.status() >= 400) {
        failures.push(`${response.status()} ${url}`);
      }
    });
    await signUp(page, product.webUrl, newPerson("Lin"));
    for (let i = 1; i <= 6; i++) {
      await addTask(page, `Task ${i}`);
      await page.waitForTimeout(2_000);
      // Read as the person works (a reload would clear a banner shown meanwhile).
      assert.equal(await page.getByTestId("error").count(), 0, `no error was shown by task ${i}`);
    }
    await page.reload();
    await page.getByText("Task 6").waitFor();
    assert.deepEqual(failures, [], "no API request and no renewal of the token was refused");
    assert.ok(tokens.size >= 3, `the token was renewed (${tokens.size} distinct tokens seen)`);
    for (const token of tokens) {
      const claims = decodeJwt(token.slice("Bearer ".length));
      assert.equal(Number(claims.exp) - Number(claims.iat), 5);
    }
    await context.close();
  });

  test("sign out in one tab: the other tab leaves for sign-in at once and keeps what was typed; a copied token is refused within 2 s", async () => {
    const { context, first, second, person } = await onePersonInTwoTabs("Kim", []);
    await second.getByText("No tasks yet").waitFor();
    await second.getByLabel("New task title").fill("Typed before the sign-out");

    // A token copied out of the session before signing out.
    const copied = ((await (await first.request.get(`${product.webUrl}/api/auth/token`)).json()) as { token: string })
      .token;

    assert.equal(await apiStatus(product.apiUrl, copied), 200);
    const signedOutAt = answeredAt(first, "/sign-out");
    await first.getByRole("button", { name: "Sign out" }).click();
    await first.waitForURL(/\/sign-in/);
    // Revoked: the copied token is refused within 2 s of the sign-out's answer, long before its exp.
    await expectRefusedWithin(product.apiUrl, copied, await signedOutAt);
    // Nothing of the person's stays on screen there (a shared computer), with no action of anyone's.
    await second.waitForURL(/\/sign-in\?next=/, { waitUntil: "domcontentloaded" });
    await second.bringToFront();
    await signInWhereItLed(second, person);
    const titleField = second.getByLabel("New task title");
    // The draft is put back once the page has hydrated: wait for that, then check.
    await second
      .waitForFunction("document.getElementById('new-title')?.value === 'Typed before the sign-out'", undefined, {
        timeout: 5_000,
      })
      .catch(() => {});
    assert.equal(await titleField.inputValue(), "Typed before the sign-out", "the draft was kept");
    await context.close();
  });
});

describe("the sign-in form", () => {
  test("signed in, its button stays busy until the dashboard has come: no second click, no second session", async () => {
    const person = newPerson("Bodil");
    assert.equal((await postAuth(product.webUrl, "/sign-up/email", person)).status, 200);
    const page = await newSignedOutPage(browser, product.webUrl);
    const button = await fillSignIn(page, product.webUrl, person);
    // The way to the dashboard cut (as by a network that drops): the page stays, signed in.
    await page.route(
      (url) => url.pathname === "/tasks",
      (route) => route.abort("aborted"),
    );
    const cut = page.waitForEvent("requestfailed", (request) => new URL(request.url()).pathname === "/tasks");
    await button.click();
    await cut;
    // Whatever the page does with the sign-in's answer is done by the next frame.
    await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))");
    const submit = page.locator("form button[type=submit]");
    assert.equal(await submit.textContent(), "Please wait…");
    assert.equal(await submit.isDisabled(), true, "signed in and on the way to the dashboard: the button is busy");
  });
});

describe("the sign-in and sign-up forms with a keyboard and a screen reader", () => {
  test("a refused sign-in leaves the focus on its button, and a second press while busy sends nothing", async () => {
    const person = newPerson("Kai");
    assert.equal((await postAuth(product.webUrl, "/sign-up/email", person)).status, 200);
    const page = await newSignedOutPage(browser, product.webUrl);
    const button = await fillSignIn(page, product.webUrl, { ...person, password: "not the password" });
    let sent = 0;
    page.on("request", (request) => {
      if (request.url().endsWith("/api/auth/sign-in/email")) sent++;
    });
    const signingIn = await holdRequests(page, "**/api/auth/sign-in/email");
    await button.focus();
    await page.keyboard.press("Enter");
    await signingIn.held;
    await page.keyboard.press("Enter"); // busy: does nothing
    signingIn.release();
    await page.getByRole("alert").getByText("Invalid email or password").waitFor();
    assert.equal(sent, 1, "one sign-in was sent");
    // Which of the two is wrong is not said: both fields are marked, and read with the refusal.
    for (const field of ["Email", "Password"]) {
      assert.equal(await problemOfField(page.getByLabel(field, { exact: true })), "Invalid email or password.", field);
    }
    // Not the page's body: whoever pressed it goes on from where they were.
    const focused = await page.evaluate(
      "document.activeElement === document.body ? '(the page itself)' : document.activeElement?.textContent",
    );
    assert.equal(focused, "Sign in");
  });

  test("the sign-up form's password field is read with its rules", async () => {
    const page = await newSignedOutPage(browser, product.webUrl);
    await page.goto(`${product.webUrl}/sign-up`);
    const description = await page
      .getByLabel("Password")
      .evaluate(
        (input) => input.ownerDocument.getElementById(input.getAttribute("aria-describedby") ?? "")?.textContent,
      );
    assert.equal(description, "8 to 128 characters.");
  });
});

describe("an edit cut short by the end of the session", () => {
  test("reopens after signing in again, with the person's changes, and saves", async () => {
    const { context, first, second, person } = await onePersonInTwoTabs("Ola", ["Plan the week"]);
    await second.getByRole("button", { name: "Edit “Plan the week”" }).click();
    await second.getByLabel("Task title", { exact: true }).fill("Plan the whole week");
    await second.getByLabel("Task description").fill("with the kids");

    // The tab leaves for sign-in…
    await signOutInTheOtherTab(first, second);
    await signInWhereItLed(second, person);
    // …and back on the tasks, the editor is open again with what was typed.
    const title = second.getByLabel("Task title", { exact: true });
    await title.waitFor();
    assert.equal(await title.inputValue(), "Plan the whole week");
    assert.equal(await second.getByLabel("Task description").inputValue(), "with the kids");
    await title.press("Enter");
    await second.reload();
    await second.getByRole("button", { name: "Edit “Plan the whole week”" }).waitFor();
    await second.getByText("with the kids").waitFor();
    await context.close();
  });

  for (const meanwhile of ["deleted", "completed"] as const) {
    test(`reopens after signing in again though its task was ${meanwhile} elsewhere meanwhile`, async () => {
      const { context, first, second, person } = await onePersonInTwoTabs("Rae", ["Plan the trip", "Pack"]);
      // The Pending tab: a task completed elsewhere is no longer in its list.
      await second.getByRole("tab", { name: /Pending/ }).click();
      await second.getByRole("button", { name: "Edit “Plan the trip”" }).click();
      await second.getByLabel("Task title", { exact: true }).fill("Plan the trip to Rome");
      // The other tab, while it is still signed in, deletes or completes it through the API.
      const { tasksUrl, headers } = await theirTasksApi(first, product);
      const listed = (await (await fetch(tasksUrl, { headers })).json()) as { id: string; title: string }[];
      const id = listed.find((task) => task.title === "Plan the trip")?.id;
      const changed = await fetch(meanwhile === "deleted" ? `${tasksUrl}/${id}` : `${tasksUrl}/${id}/complete`, {
        method: meanwhile === "deleted" ? "DELETE" : "PATCH",
        headers,
      });
      assert.equal(changed.ok, true);

      await signOutInTheOtherTab(first, second);
      await signInWhereItLed(second, person);
      const title = second.getByLabel("Task title", { exact: true });
      await title.waitFor();
      assert.equal(await title.inputValue(), "Plan the trip to Rome", "what was typed is back");
      if (meanwhile === "deleted") {
        await second.getByText("This task was deleted in another tab or on another device").waitFor();
        await second.getByRole("button", { name: "Add it again" }).click();
      } else {
        await title.press("Enter");
      }
      // Saved (the editor closes once the API has answered).
      await title.waitFor({ state: "detached" });
      const stored = (await (await fetch(tasksUrl, { headers: await freshHeaders(second) })).json()) as {
        title: string;
        completed: boolean;
      }[];
      const saved = stored.find((task) => task.title === "Plan the trip to Rome");
      assert.equal(saved?.completed, meanwhile === "completed", "saved, and as the other tab left it");
      await context.close();
    });
  }

  test("every open edit, the view and the new task's draft survive the sign-out in another tab", async () => {
    const { context, first, second, person } = await onePersonInTwoTabs("Pia", [
      "Water the plants",
      "Book the dentist",
    ]);
    const list = second.getByRole("list", { name: "Your tasks" });
    await second.getByLabel("Search tasks").fill("plants");
    await waitForCount(list.getByRole("listitem"), 1);
    await second.getByRole("button", { name: "Edit “Water the plants”" }).click();
    await second.getByLabel("Task title", { exact: true }).fill("Water the plants on the balcony");
    await second.getByLabel("Task priority").selectOption("high");
    await second.getByLabel("New task title").fill("Call the plumber");

    await signOutInTheOtherTab(first, second);
    await signInWhereItLed(second, person);
    const title = second.getByLabel("Task title", { exact: true });
    await title.waitFor();
    assert.equal(await title.inputValue(), "Water the plants on the balcony");
    assert.equal(await second.getByLabel("Task priority").inputValue(), "high");
    assert.equal(await second.getByLabel("Search tasks").inputValue(), "plants", "the same view");
    assert.equal(await second.getByLabel("New task title").inputValue(), "Call the plumber");
    await title.press("Enter");
    await second.getByRole("button", { name: "Edit “Water the plants on the balcony”" }).waitFor();
    await context.close();
  });
  for (const how of ["another tab signs out", "another action finds the session over"] as const) {
    test(`an add on its way when ${how} is made once when added again after sign-in`, async () => {
      const { context, first, second, person } = await onePersonInTwoTabs("Ida", ["Pay the rent"]);
      // The create reaches the API and is made; its answer never comes (the page leaves without it).
      const made = signal();
      let sent = false;
      await second.route(`${product.apiUrl}/**`, async (route) => {
        if (route.request().method() !== "POST" || sent) return route.fallback();
        sent = true;
        await route.fetch();
        made.fire();
      });
      await second.getByLabel("New task title").fill("Call the plumber");
      await second.getByLabel("New task title").press("Enter", { noWaitAfter: true });
      await made.fired;
      if (how === "another tab signs out") await signOutInTheOtherTab(first, second);
      else {
        await endSessionUnannounced(second, person);
        await second
          .getByRole("checkbox", { name: "Completed: “Pay the rent”", checked: false })
          .click({ noWaitAfter: true });
      }
      await signInWhereItLed(second, person);

      const newTitle = second.getByLabel("New task title");
      await second.getByRole("list", { name: "Your tasks" }).getByText("Pay the rent").waitFor();
      assert.equal(await newTitle.inputValue(), "Call the plumber", "the draft is back");
      const answered = second.waitForResponse((answer) => answer.request().method() === "POST");
      await newTitle.press("Enter");
      assert.equal((await answered).status(), 201);
      const again = await context.newPage();
      await again.goto(`${product.webUrl}/tasks`);
      const list = again.getByRole("list", { name: "Your tasks" });
      await list.getByText("Call the plumber", { exact: true }).waitFor();
      await again.getByRole("tab", { name: "All (2)" }).waitFor();
      assert.equal(await list.getByText("Call the plumber", { exact: true }).count(), 1, "one task");
      await context.close();
    });
  }

  test("a completion on its way when another tab signs out is answered before the tab leaves: made, not cut off", async () => {
    const { context, first, second, person } = await onePersonInTwoTabs("Noa", ["Water the garden"]);
    const write = await holdRequests(second, (url) => /\/tasks\/[0-9a-f-]{36}$/.test(url.pathname));
    await second.getByRole("checkbox", { name: "Completed: “Water the garden”", checked: false }).click();
    await write.held;
    // Heard in that tab (its own listener, made after the page's, hears the message after it).
    await second.evaluate(
      "void (window.signOutHeard = new Promise((heard) => { new BroadcastChannel('tasks:auth').onmessage = heard; }))",
    );
    await first.bringToFront();
    await first.getByRole("button", { name: "Sign out" }).click();
    await first.waitForURL(/\/sign-in/);
    await second.evaluate("window.signOutHeard.then(() => true)");
    // Long enough for a tab that left at once to have gone, and short of how long it waits for a write.
    await sleep(1_000);
    write.release();
    await signInWhereItLed(second, person);
    await second.getByRole("checkbox", { name: "Completed: “Water the garden”", checked: true }).waitFor();
    await second.getByRole("tab", { name: "Completed (1)" }).waitFor();
    await context.close();
  });

  test("a completion that the session's end refused is made after sign-in", async () => {
    const { context, second, person } = await onePersonInTwoTabs("Tia", ["Pay the rent", "Walk the dog"]);
    await endSessionUnannounced(second, person);
    await second
      .getByRole("checkbox", { name: "Completed: “Pay the rent”", checked: false })
      .click({ noWaitAfter: true });
    await signInWhereItLed(second, person);
    await second.getByRole("checkbox", { name: "Completed: “Pay the rent”", checked: true }).waitFor();
    await second.getByRole("tab", { name: "Completed (1)" }).waitFor();
    const again = await context.newPage();
    await again.goto(`${product.webUrl}/tasks`);
    await again.getByRole("checkbox", { name: "Completed: “Pay the rent”", checked: true }).waitFor();
    assert.equal(
      await again.getByRole("checkbox", { name: "Completed: “Walk the dog”" }).isChecked(),
      false,
      "only that one",
    );
    await context.close();
  });

  for (const how of [
    "taken from its undo window as another tab signs out",
    "refused as its undo window ends",
  ] as const) {
    test(`a delete that the session's end stopped (${how}) is made after sign-in, with its Undo again`, async () => {
      const titles = ["Keep the photos", "Old receipts"];
      const { context, first, second, person } = await onePersonInTwoTabs("Vic", titles, { heldClock: true });
      // The page's time held: the undo window cannot end before the session has.
      await holdPageTime(second);
      await second.getByRole("button", { name: "Delete “Old receipts”" }).click();
      await second.getByRole("button", { name: "Undo" }).waitFor();
      if (how === "refused as its undo window ends") await endSessionUnannounced(second, person);
      else await signOutInTheOtherTab(first, second);
      await second.clock.resume(); // (the window ends now, if it has to: its delete is refused)
      await signInWhereItLed(second, person);

      const list = second.getByRole("list", { name: "Your tasks" });
      await list.getByText("Keep the photos").waitFor();
      assert.equal(await list.getByText("Old receipts").count(), 0, "still out of the list");
      const deleted = second.waitForResponse((answer) => answer.request().method() === "DELETE", { timeout: 15_000 });
      await second.getByText("Deleted “Old receipts”.", { exact: true }).waitFor();
      await second.getByRole("button", { name: "Undo" }).waitFor();
      assert.equal((await deleted).status(), 204, "made once its new window ends");
      const again = await context.newPage();
      await again.goto(`${product.webUrl}/tasks`);
      await again.getByRole("list", { name: "Your tasks" }).getByText("Keep the photos").waitFor();
      assert.equal(await again.getByRole("list", { name: "Your tasks" }).getByText("Old receipts").count(), 0);
      await context.close();
    });
  }

  test("an edit brought back after sign-in whose task cannot be read at first keeps its changes: Retry, or Edit, opens it with them", async () => {
    const { context, first, second, person } = await onePersonInTwoTabs("Ugo", ["Fix the fence"]);
    await second.getByRole("button", { name: "Edit “Fix the fence”" }).click();
    await second.getByLabel("Task title", { exact: true }).fill("Fix the fence before winter");

    await signOutInTheOtherTab(first, second);
    // Back from sign-in, the editor's first read of the task finds the Task API unavailable.
    let reads = 0;
    await second.route(
      (url) => /\/tasks\/[0-9a-f-]{36}$/.test(url.pathname),
      async (route) => {
        if (route.request().method() === "GET" && ++reads <= 2) {
          await route.fulfill({ status: 503, contentType: "application/problem+json", body: "{}" });
        } else await route.continue();
      },
    );
    await signInWhereItLed(second, person);
    const banner = second.getByTestId("error");
    await banner.getByText("Could not open the task for editing").waitFor();
    // Retry meets the same failure; then Edit, after it, opens the task with the changes all the same.
    await Promise.all([
      second.waitForResponse((answer) => /\/tasks\/[0-9a-f-]{36}$/.test(answer.url()) && answer.status() === 503),
      banner.getByRole("button", { name: "Retry" }).click(),
    ]);
    await second.getByRole("button", { name: "Edit “Fix the fence”" }).click();
    const title = second.getByLabel("Task title", { exact: true });
    await title.waitFor();
    assert.equal(await title.inputValue(), "Fix the fence before winter", "the changes made before sign-in");
    await title.press("Enter");
    await second.getByRole("button", { name: "Edit “Fix the fence before winter”" }).waitFor();
    await context.close();
  });

  test("a save refused as changed elsewhere, whose read of the task finds the session over, leads to sign-in with the changes", async () => {
    const { context, first, second, person } = await onePersonInTwoTabs("Ivo", ["Plan the week"]);
    await second.getByRole("button", { name: "Edit “Plan the week”" }).click();
    await second.getByLabel("Task title", { exact: true }).fill("Plan the whole week");
    // Another device changes the task, so the save's If-Match is refused (412)…
    const { tasksUrl, headers } = await theirTasksApi(first, product);
    const listed = (await (await fetch(tasksUrl, { headers })).json()) as { id: string }[];
    const changed = await fetch(`${tasksUrl}/${listed[0]?.id}`, {
      method: "PATCH",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ description: "from the phone" }),
    });
    assert.equal(changed.status, 200);
    // …and the session ends between that refusal and the page's read of the task as it is now.
    const refused = signal();
    const signedOut = signal();
    await second.route(
      (url) => /\/tasks\/[0-9a-f-]{36}$/.test(url.pathname),
      async (route) => {
        if (route.request().method() !== "PATCH") return route.continue();
        const answer = await route.fetch();
        assert.equal(answer.status(), 412, "the save was refused as changed elsewhere");
        refused.fire();
        await signedOut.fired;
        await route.fulfill({ response: answer });
      },
    );
    await second.getByRole("button", { name: "Save" }).click();
    await refused.fired;
    await endSessionUnannounced(second, person);
    signedOut.fire();
    await signInWhereItLed(second, person);
    const title = second.getByLabel("Task title", { exact: true });
    await title.waitFor();
    assert.equal(await title.inputValue(), "Plan the whole week", "the changes made before sign-in");
    await context.close();
  });
});

describe("a shared computer", () => {
  test("what one person typed is not shown to the next person who signs in in that tab", async () => {
    const other = newPerson("Quinn");
    const otherContext = await browser.newContext();
    await signUp(await otherContext.newPage(), product.webUrl, other);
    await otherContext.close();

    const { context, first, second } = await onePersonInTwoTabs("Rita", ["Rita's task"]);
    // The search's reload over, so that the search is part of what the tab keeps.
    await Promise.all([
      second.waitForResponse((answer) => /[?&]q=Rita/.test(answer.url())),
      second.getByLabel("Search tasks").fill("Rita"),
    ]);
    await second.getByRole("button", { name: "Edit “Rita's task”" }).click();
    await second.getByLabel("Task title", { exact: true }).fill("Rita's private plans");
    await second.getByLabel("New task title").fill("Rita's private draft");
    await signOutInTheOtherTab(first, second);

    // Someone else signs in on the sign-in page Rita's tab was sent to.
    await signInWhereItLed(second, other);
    await second.getByTestId("signed-in-email").getByText(other.email).waitFor();
    await second.getByText("No tasks yet").waitFor(); // loaded: whatever was kept would be back by now
    assert.equal(await second.getByLabel("New task title").inputValue(), "");
    assert.equal(await second.getByLabel("Search tasks").inputValue(), "");
    assert.equal(await second.getByText(/Rita's private/).count(), 0);
    assert.equal(await second.getByLabel("Task title", { exact: true }).count(), 0, "no editor of hers reopened");
    await context.close();
  });
});

describe("another person on the same browser", () => {
  test("a page whose person's session ended unannounced, with another person signed in since, leaves for sign-in at its next action", async () => {
    const other = newPerson("Sam");
    assert.equal((await postAuth(product.webUrl, "/sign-up/email", other)).status, 200);

    const context = await browser.newContext();
    const [first, second] = [await context.newPage(), await context.newPage()];
    const person = newPerson("Tia");
    await signUp(first, product.webUrl, person);
    await addTask(first, "Tia's task");
    // Her sessions end from another device: no word of it reaches this browser.
    await endSessionsElsewhere(product.webUrl, person);
    // Sam signs in on this browser, in another tab.
    await signIn(second, product.webUrl, other);

    // Tia's tab: its next action gets no token of Sam's to try; it leaves for sign-in (which, Sam
    // being signed in, shows his tasks), and nothing of hers goes with it.
    await first.bringToFront();
    await first.getByLabel("New task title").fill("Tia's next task");
    await first.getByLabel("New task title").press("Enter", { noWaitAfter: true });
    await first.getByTestId("signed-in-email").getByText(other.email).waitFor();
    await first.getByText("No tasks yet").waitFor();
    assert.equal(await first.getByLabel("New task title").inputValue(), "");
    assert.equal(await first.getByText(/Tia's/).count(), 0);
    await context.close();
  });
});

describe("sign-in and sign-up over HTTP", () => {
  const post = (path: string, body: object, ip: string) => postAuth(product.webUrl, path, body, ip);

  /** A sign-in with an address of its own each time, so that only the per-client limit plays a part (not the per-account pause). */
  const unknownAccount = () => ({ email: `nobody-${crypto.randomUUID()}@example.test`, password: "whatever12" });

  /** A refusal as the contract has it: an RFC 9457 problem document for `status`; its body. */
  async function problemOf(response: Response, status: number): Promise<Record<string, unknown>> {
    assert.equal(response.status, status);
    assert.equal(response.headers.get("content-type"), "application/problem+json");
    const problem = (await response.json()) as Record<string, unknown>;
    assert.equal(problem.type, "about:blank");
    assert.equal(problem.status, status);
    assert.equal(typeof problem.title, "string");
    assert.ok(typeof problem.detail === "string" && problem.detail.length > 0, JSON.stringify(problem));
    return problem;
  }

  test("their refusals are problem documents that keep Better Auth's code and message; the session cookie is HttpOnly and SameSite=Lax", async () => {
    const ip = randomClientAddress();
    const person = newPerson("Pat");
    const signedUp = await post("/sign-up/email", person, ip);
    assert.equal(signedUp.status, 200);
    const session = signedUp.headers.getSetCookie().find((cookie) => /session_token=/.test(cookie)) ?? "";
    assert.match(session, /;\s*HttpOnly/i);
    assert.match(session, /;\s*SameSite=Lax/i);

    const wrong = await problemOf(await post("/sign-in/email", { ...person, password: "not the password" }, ip), 401);
    assert.equal(wrong.title, "Unauthorized");
    assert.equal(wrong.code, "INVALID_EMAIL_OR_PASSWORD");
    assert.equal(wrong.message, wrong.detail);
    const malformed = await problemOf(
      await post("/sign-up/email", { ...newPerson("Pat"), email: "not an address" }, ip),
      400,
    );
    assert.equal(malformed.code, "VALIDATION_ERROR");
  });

  test("a name of spaces alone or over 100 characters is refused, at sign-up and in the profile, and nothing is made or changed", async () => {
    const ip = randomClientAddress();
    const blank = { ...newPerson("Blank"), name: " \t " };
    const refused = await problemOf(await post("/sign-up/email", blank, ip), 400);
    assert.equal(refused.code, "NAME_REQUIRED");
    assert.equal((await post("/sign-in/email", blank, ip)).status, 401, "no account was made");
    const long = { ...newPerson("Long"), name: "Ł".repeat(101) };
    const tooLong = await problemOf(await post("/sign-up/email", long, ip), 400);
    assert.equal(tooLong.code, "NAME_TOO_LONG");
    assert.equal(tooLong.detail, "A name is at most 100 characters.");
    assert.equal((await post("/sign-in/email", long, ip)).status, 401, "no account was made");

    const person = newPerson("Named");
    const signedUp = await post("/sign-up/email", person, ip);
    const cookie = cookiesOf(signedUp);
    const update = await postAuth(product.webUrl, "/update-user", { name: "   " }, ip, cookie);
    assert.equal((await problemOf(update, 400)).code, "NAME_REQUIRED");
    const longer = await postAuth(product.webUrl, "/update-user", { name: "Ł".repeat(101) }, ip, cookie);
    assert.equal((await problemOf(longer, 400)).code, "NAME_TOO_LONG");
    // A passkey's name too (60), before anything is looked up.
    const passkey = await postAuth(
      product.webUrl,
      "/passkey/update-passkey",
      { id: "x", name: "p".repeat(61) },
      ip,
      cookie,
    );
    assert.equal((await problemOf(passkey, 400)).code, "NAME_TOO_LONG");
    const session = await fetch(`${product.webUrl}/api/auth/get-session`, { headers: { cookie } });
    assert.equal(((await session.json()) as { user: { name: string } }).user.name, person.name);
    const longest = await postAuth(product.webUrl, "/update-user", { name: "Ł".repeat(100) }, ip, cookie);
    assert.equal(longest.status, 200, "100 characters are a name");
  });

  test("a picture is not taken, nor a link’s landing over 2,048 characters: nothing is made or changed", async () => {
    // Better Auth keeps a picture's address, and copies a landing into the email, of any length.
    const ip = randomClientAddress();
    // (Short: a picture is refused for being there, not for its length.)
    const pictured = { ...newPerson("Pictured"), image: `https://example.test/${"p".repeat(1_000)}.png` };
    assert.equal((await problemOf(await post("/sign-up/email", pictured, ip), 400)).code, "IMAGE_NOT_TAKEN");
    assert.equal((await post("/sign-in/email", pictured, ip)).status, 401, "no account was made");
    const farLanding = { ...newPerson("Landing"), callbackURL: `/tasks?${"x".repeat(2_049)}` };
    assert.equal((await problemOf(await post("/sign-up/email", farLanding, ip), 400)).code, "LANDING_TOO_LONG");
    const { email, password } = farLanding;
    assert.equal((await post("/sign-in/email", { email, password }, ip)).status, 401, "no account was made");

    const person = newPerson("Plain");
    const cookie = cookiesOf(await post("/sign-up/email", person, ip));
    const update = await postAuth(product.webUrl, "/update-user", { image: "https://example.test/me.png" }, ip, cookie);
    assert.equal((await problemOf(update, 400)).code, "IMAGE_NOT_TAKEN");
    const session = await fetch(`${product.webUrl}/api/auth/get-session`, { headers: { cookie } });
    assert.equal(((await session.json()) as { user: { image: string | null } }).user.image, null, "nothing changed");
    const resend = await postAuth(
      product.webUrl,
      "/send-verification-email",
      { email: person.email, callbackURL: `/tasks?${"x".repeat(2_049)}` },
      ip,
    );
    assert.equal((await problemOf(resend, 400)).code, "LANDING_TOO_LONG");
    // A landing of the longest length taken goes through.
    const near = await postAuth(
      product.webUrl,
      "/send-verification-email",
      { email: person.email, callbackURL: `/tasks?${"x".repeat(2_048 - "/tasks?".length)}` },
      ip,
    );
    assert.equal(near.status, 200, await near.text());
  });

  test("an address over 254 characters is refused at sign-up and as a new address, and nothing is made or changed", async () => {
    // Every access token carries the address: without a limit, one of 11,000 characters made 15 kB tokens.
    const ip = randomClientAddress();
    const address = (length: number) => `${"a".repeat(length - 13 - 8)}${crypto.randomUUID().slice(0, 8)}@example.test`;
    const long = { ...newPerson("Long"), email: address(255) };
    const refused = await problemOf(await post("/sign-up/email", long, ip), 400);
    assert.equal(refused.code, "EMAIL_TOO_LONG");
    assert.equal(refused.detail, "An email address is at most 254 characters.");
    assert.equal((await post("/sign-in/email", long, ip)).status, 401, "no account was made");

    const person = { ...newPerson("Longest"), email: address(254) };
    const signedUp = await post("/sign-up/email", person, ip);
    assert.equal(signedUp.status, 200, "254 characters are an address");
    const cookie = cookiesOf(signedUp);
    const change = { newEmail: address(255), password: person.password };
    const moved = await postAuth(product.webUrl, "/change-email", change, ip, cookie);
    assert.equal((await problemOf(moved, 400)).code, "EMAIL_TOO_LONG");
    const session = await fetch(`${product.webUrl}/api/auth/get-session`, { headers: { cookie } });
    assert.equal(((await session.json()) as { user: { email: string } }).user.email, person.email);
  });

  test("a wrong password and an unknown email get the same answer", async () => {
    const ip = randomClientAddress();
    const person = newPerson("Sam");
    assert.equal((await post("/sign-up/email", person, ip)).status, 200);
    const wrongPassword = await post("/sign-in/email", { email: person.email, password: "not the password" }, ip);
    const unknownEmail = await post("/sign-in/email", { email: `nobody-${person.email}`, password: "whatever12" }, ip);
    assert.equal(wrongPassword.status, 401);
    assert.equal(unknownEmail.status, 401);
    assert.deepEqual(await wrongPassword.json(), await unknownEmail.json());
  });

  test("behind a trusted proxy (TRUSTED_PROXY_HOPS=1) only the address it appended counts, not what the client wrote before it", async () => {
    const real = randomClientAddress();
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) {
      const response = await post("/sign-in/email", unknownAccount(), `198.51.100.${i}, ${real}`);
      statuses.push(response.status);
    }
    assert.ok(statuses.includes(429), `statuses: ${statuses.join(",")}`);
    // The count is the appended address's, not everybody's: another one is still let in.
    const other = randomClientAddress();
    const fresh = await post("/sign-in/email", unknownAccount(), `198.51.100.1, ${other}`);
    assert.equal(fresh.status, 401);
  });

  test("an IPv6 client is counted by its /64 (what one home or server is given), not by each of its addresses", async () => {
    const group = () => Math.floor(Math.random() * 0x10000).toString(16);
    const prefix = `2001:db8:${group()}:${group()}`;
    const statuses: number[] = [];
    for (let i = 1; i <= 11; i++) {
      statuses.push((await post("/sign-in/email", unknownAccount(), `${prefix}:${group()}::${i.toString(16)}`)).status);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses[10], 429, "the 11th try in a minute from one /64, each from another address");
    const elsewhere = `2001:db8:${group()}:${group()}::1`;
    assert.equal(
      (await post("/sign-in/email", unknownAccount(), elsewhere)).status,
      401,
      "another /64 has its own count",
    );
  });

  test("sign-in and sign-up attempts are rate-limited: 429 with Retry-After, and the right password does not get through", async () => {
    const person = newPerson("Lim");
    const signedUp = await post("/sign-up/email", person, randomClientAddress());
    assert.equal(signedUp.status, 200);
    const ip = randomClientAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await post("/sign-in/email", unknownAccount(), ip)).status);
    assert.deepEqual(statuses, Array(10).fill(401));
    const limited = await post("/sign-in/email", { email: person.email, password: person.password }, ip);
    await problemOf(limited.clone(), 429); // the 11th try in a minute is refused, the right password too
    assert.ok(Number(limited.headers.get("retry-after")) > 0, "Retry-After says when to try again");
    assert.deepEqual(limited.headers.getSetCookie(), [], "no session");

    const signUps: number[] = [];
    const signUpIp = randomClientAddress();
    for (let i = 0; i < 11; i++) signUps.push((await post("/sign-up/email", newPerson("Many"), signUpIp)).status);
    assert.deepEqual(signUps.slice(0, 10), Array(10).fill(200));
    assert.equal(signUps[10], 429, "the 11th sign-up in a minute from one address is refused");

    // A passkey sign-in makes a session as a password's does, and so has the same limit: each session
    // made and ended is remembered by every Task API process for a day.
    const passkeyIp = randomClientAddress();
    const passkeySignIns: number[] = [];
    for (let i = 0; i < 11; i++) {
      passkeySignIns.push((await post("/passkey/verify-authentication", { response: {} }, passkeyIp)).status);
    }
    assert.ok(!passkeySignIns.slice(0, 10).includes(429), `first ten let through: ${passkeySignIns.join(",")}`);
    assert.equal(passkeySignIns[10], 429, "the 11th passkey sign-in in a minute from one address is refused");
  });

  test("a rate limit counts in fixed windows: a minute after its first try an address is let in again, however it kept trying", async () => {
    // Better Auth's own store began a new count only after a whole minute without a try: an office
    // behind one address, renewing its tokens all day, was refused a minute at every 300th renewal.
    const ip = randomClientAddress();
    const pool = createPool(process.env.DATABASE_URL ?? "", { max: 1 });
    after(() => pool.end());
    /** The address's count for sign-ins as if it had begun `ms` earlier (the test cannot wait a minute). */
    const earlier = (ms: number) =>
      pool.query("UPDATE rate_limits SET last_request = last_request - $1 WHERE key = $2", [
        ms,
        `${ip}|/sign-in/email`,
      ]);
    assert.equal((await post("/sign-in/email", unknownAccount(), ip)).status, 401);
    // Half the minute gone: the nine tries below (each checked as a password is, a second or two in
    // all) have the other half, however slow the machine.
    await earlier(30_000);
    for (let i = 0; i < 9; i++) assert.equal((await post("/sign-in/email", unknownAccount(), ip)).status, 401);
    const refused = await post("/sign-in/email", unknownAccount(), ip);
    await problemOf(refused.clone(), 429); // the 11th in the minute
    const retryAfter = Number(refused.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 30, `Retry-After: when the first try's minute ends (${retryAfter})`);
    await earlier(31_000); // that minute has ended, 31 s after the last try
    assert.equal((await post("/sign-in/email", unknownAccount(), ip)).status, 401, "let in again");
  });

  test("Better Auth's answers are kept by no cache: the access token above all", async () => {
    const person = newPerson("Nic");
    const signedUp = await post("/sign-up/email", person, randomClientAddress());
    const token = await fetch(`${product.webUrl}/api/auth/token`, { headers: { cookie: cookiesOf(signedUp) } });
    assert.equal(token.status, 200);
    assert.equal(token.headers.get("cache-control"), "no-store");
  });
});
