/**
 * The dashboard when things overlap, fail or get no answer (Playwright routes holding, dropping
 * or failing the page's requests), and when the clock is not UTC or not right.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import type { Page, Response, Route } from "playwright-core";
import {
  addTask,
  addTaskAndItsReload,
  cutOffTaskApi,
  deleteAndLeaveWithTheApiDown,
  deletesSentBy,
  expectSaidAgain,
  holdPageTime,
  holdRequests,
  launchBrowser,
  newPerson,
  newSignedInPage,
  signal,
  signIn,
  signUp,
  startTestProduct,
  theirTasksApi,
  waitForCount,
  withPageTimeHeld,
} from "./product";

const product = await startTestProduct();
const browser = await launchBrowser();

/**
 * The page's writes (PATCH) to the Task API: the first is held on its way until `release` (never,
 * if it is not called: a connection gone silent), then each goes as `send` says (on, by default).
 */
async function holdFirstWrite(page: Page, send: (route: Route) => Promise<void> = (route) => route.continue()) {
  const held = signal();
  const released = signal();
  let writes = 0;
  await page.route(`${product.apiUrl}/**`, async (route) => {
    if (route.request().method() !== "PATCH") return route.continue();
    if (++writes === 1) {
      held.fire();
      await released.fired;
    }
    await send(route);
  });
  return { held: held.fired, release: released.fire };
}

/**
 * Adds `title` through the form, whose create loses its answer (a connection reset): made by the API
 * first when `made`, not sent at all otherwise. Returns once the page says it could not add it.
 */
async function addLosingTheAnswer(page: Page, title: string, made: boolean): Promise<void> {
  let lost = false;
  await page.route(
    (url) => url.href.startsWith(product.apiUrl) && url.pathname.endsWith("/tasks"),
    async (route) => {
      if (lost || route.request().method() !== "POST") return route.continue();
      lost = true;
      if (made) assert.equal((await route.fetch()).status(), 201, "the first create was made");
      await route.abort("connectionreset");
    },
  );
  await page.getByLabel("New task title").fill(title);
  await page.getByLabel("New task title").press("Enter");
  await page
    .getByTestId("error")
    .getByText(/Could not add the task/)
    .waitFor();
}

/** Does `action` and returns the answer to the write (a PATCH) it sends. */
async function writeAnsweredAfter(page: Page, action: () => Promise<void>): Promise<Response> {
  const [answer] = await Promise.all([
    page.waitForResponse((answered) => answered.request().method() === "PATCH"),
    action(),
  ]);
  return answer;
}

/**
 * From now on the page's token renewals are refused for now (too many from this address, as an
 * office behind one address may see): 429 for a minute. How many were refused so far.
 */
async function refuseRenewals(page: Page, webUrl: string): Promise<() => number> {
  let refusals = 0;
  await page.route(`${webUrl}/api/auth/token`, (route) => {
    refusals++;
    return route.fulfill({
      status: 429,
      headers: { "content-type": "application/json", "retry-after": "60", "x-retry-after": "60" },
      body: JSON.stringify({ message: "Too many requests. Please try again later." }),
    });
  });
  return () => refusals;
}

/**
 * Clicks the task's checkbox (to `completed`) while renewals are refused for now (refuseRenewals):
 * the write is made with the token in hand, and nothing is said to have failed.
 */
async function completedWithTheTokenInHand(page: Page, title: string, completed: boolean, refusals: () => number) {
  const checkbox = (checked: boolean) => page.getByRole("checkbox", { name: `Completed: “${title}”`, checked });
  const written = await writeAnsweredAfter(page, () => checkbox(!completed).click());
  assert.equal(written.status(), 200);
  assert.ok(refusals() >= 1, "a renewal was asked for, and refused");
  await checkbox(completed).waitFor();
  assert.deepEqual(await page.getByTestId("error").allTextContents(), [], "nothing was said to have failed");
}

describe("the dashboard when things overlap or the clock is not UTC", () => {
  test("a delete still inside its undo window is sent before signing out", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ola");
    await addTask(page, "Keep me");
    await addTask(page, "Gone before signing out");
    await page.getByRole("button", { name: "Delete “Gone before signing out”" }).click();
    await page.getByRole("button", { name: "Undo" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);

    await signIn(page, product.webUrl, person);
    const list = page.getByRole("list", { name: "Your tasks" });
    await list.getByText("Keep me").waitFor();
    assert.equal(await list.getByText("Gone before signing out").count(), 0);
  });

  test("a delete still inside its undo window is sent as the dashboard is left for another page of the app", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Pam", { heldClock: true });
    await addTask(page, "Keep me");
    await addTask(page, "Gone before the account page");
    const deletes = deletesSentBy(page);
    // The page's time held: the undo window cannot run out; only leaving the dashboard sends it.
    await withPageTimeHeld(page, async () => {
      await page.getByRole("button", { name: "Delete “Gone before the account page”" }).click();
      await page.getByRole("button", { name: "Undo" }).waitFor();
      const deleted = page.waitForResponse((answer) => answer.request().method() === "DELETE", { timeout: 5_000 });
      await page.getByRole("link", { name: "Account" }).click(); // the app's own navigation, no page load
      await page.waitForURL(/\/account$/);
      assert.equal((await deleted).status(), 204, "sent as the dashboard went");
      assert.equal(deletes.length, 1);
    });
    await page.goBack();
    const list = page.getByRole("list", { name: "Your tasks" });
    await list.getByText("Keep me").waitFor();
    assert.equal(await list.getByText("Gone before the account page").count(), 0);
  });

  test("a delete that fails as the dashboard is left for another page of the app is made on the dashboard's next visit, with its Undo again", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Pia", { heldClock: true });
    await addTask(page, "Keep me");
    await addTask(page, "Old receipts");
    const { tasksUrl, headers } = await theirTasksApi(page, product);
    const stored = async () =>
      ((await (await fetch(tasksUrl, { headers })).json()) as { title: string }[]).map((task) => task.title);
    await deleteAndLeaveWithTheApiDown(page, product.apiUrl, "Old receipts");
    assert.deepEqual((await stored()).sort(), ["Keep me", "Old receipts"], "not deleted");

    await page.getByRole("link", { name: "Back to your tasks" }).click();
    await page.getByText("Deleted “Old receipts”.", { exact: true }).waitFor();
    const list = page.getByRole("list", { name: "Your tasks" });
    await list.getByText("Keep me").waitFor();
    assert.equal(await list.getByText("Old receipts").count(), 0, "shown gone, as the person left it");
    // Its undo window runs out: deleted.
    const deleted = page.waitForResponse((answer) => answer.request().method() === "DELETE");
    await page.clock.runFor(6_000);
    assert.equal((await deleted).status(), 204);
    assert.deepEqual(await stored(), ["Keep me"]);
  });

  test("the tabs' counts arrive even when the tab changes before the first list has", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Una");
    await addTask(page, "Done already");
    await addTask(page, "Still to do");
    await page.getByRole("checkbox", { name: "Completed: “Done already”", checked: false }).click();
    await page.getByRole("tab", { name: "Completed (1)" }).waitFor();

    // The page's first lists are held until the person has picked another tab.
    const { fire: release, fired: released } = signal();
    const { fire: asked, fired: firstListAsked } = signal();
    const isList = (url: URL) => url.href.startsWith(product.apiUrl) && url.pathname.endsWith("/tasks");
    await page.route(isList, async (route) => {
      if (route.request().method() === "GET") {
        asked();
        await released;
      }
      await route.continue();
    });
    await page.reload();
    await firstListAsked; // the page has hydrated and asked for its list
    await page.getByRole("tab", { name: /^Pending/ }).click();
    release();

    await page.getByRole("tab", { name: "All (2)" }).waitFor({ timeout: 10_000 });
    await page.getByRole("tab", { name: "Pending (1)" }).waitFor();
    await page.getByRole("tab", { name: "Completed (1)" }).waitFor();
    await page.getByRole("list", { name: "Your tasks" }).getByText("Still to do").waitFor();
  });

  test("the counts a change's reload was to bring arrive although another tab is picked before it answers", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Ugo");
    await addTask(page, "Done soon");
    await addTask(page, "Still to do");
    await page.getByRole("tab", { name: "Pending (2)" }).waitFor();

    // The reload that follows completing a task (its list and the tabs' counts) is held until the
    // person has picked another tab, whose own list is not.
    const { fire: release, fired: released } = signal();
    const { fire: asked, fired: reloadAsked } = signal();
    let holding = true;
    const isList = (url: URL) => url.href.startsWith(product.apiUrl) && url.pathname.endsWith("/tasks");
    await page.route(isList, async (route) => {
      if (holding && route.request().method() === "GET") {
        asked();
        await released;
      }
      await route.continue();
    });
    await page.getByRole("checkbox", { name: "Completed: “Done soon”", checked: false }).click();
    await reloadAsked;
    holding = false;
    const tabListed = page.waitForResponse((answer) => answer.url().includes("status=completed&sort="));
    await page.getByRole("tab", { name: /^Completed/ }).click();
    await tabListed;
    release();

    await page.getByRole("tab", { name: "Pending (1)", selected: false }).waitFor({ timeout: 10_000 });
    await page.getByRole("tab", { name: "Completed (1)", selected: true }).waitFor();
    await page.getByRole("list", { name: "Your tasks" }).getByText("Done soon").waitFor();
  });

  test("a delete leaves the tabs' counts at once, a reload inside its undo window does not count it again, Undo puts it back", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Tam", { heldClock: true });
    await addTask(page, "Keep me");
    await addTask(page, "Delete me");
    await page.getByRole("tab", { name: "All (2)" }).waitFor();
    // Inside the undo window throughout, however slowly this machine runs the steps (once in CI the
    // notice had gone by the first look at it).
    await withPageTimeHeld(page, async () => {
      await page.getByRole("button", { name: "Delete “Delete me”" }).click();
      await page.getByRole("tab", { name: "All (1)" }).waitFor();
      assert.equal(await page.getByRole("button", { name: "Undo" }).count(), 1, "while it can still be undone");
      // A reload inside the undo window (after completing the other task) gets the API's counts, which
      // still hold the task: the page takes it off again.
      const recounted = page.waitForResponse((answer) => /status=completed&limit=1/.test(answer.url()));
      await page.getByRole("checkbox", { name: "Completed: “Keep me”", checked: false }).click();
      await page.getByRole("checkbox", { name: "Completed: “Keep me”", checked: true }).waitFor();
      await recounted;
      await page.getByRole("tab", { name: "Completed (1)" }).waitFor();
      assert.equal(await page.getByRole("tab", { name: "All (1)" }).count(), 1, "the delete is not counted again");
      assert.equal(await page.getByRole("button", { name: "Undo" }).count(), 1, "still inside the undo window");
      await page.getByRole("button", { name: "Undo" }).click();
      await page.getByRole("tab", { name: "All (2)" }).waitFor();
    });
  });

  test("an Escape meant for something else (closing an editor, clearing the search) does its work and leaves the Undo of a delete; in the notice it ends it", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Uma", { heldClock: true });
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTask(page, "Keep me");
    await addTask(page, "Delete me");
    await page.getByRole("tab", { name: "All (2)" }).waitFor();
    const deletesSent = deletesSentBy(page);
    await withPageTimeHeld(page, async () => {
      await page.getByRole("button", { name: "Delete “Delete me”" }).click();
      await waitForCount(list.getByText("Delete me"), 0);
      await page.getByRole("button", { name: "Edit “Keep me”" }).click();
      await page.getByLabel("Task title", { exact: true }).press("Escape");
      await list.getByRole("button", { name: "Edit “Keep me”" }).waitFor();
      await page.keyboard.press("Escape"); // and once more, with the focus on the list
      // In the search, Escape still clears it, as it does without a notice.
      await page.getByLabel("Search tasks").fill("Keep");
      await page.getByLabel("Search tasks").press("Escape");
      assert.equal(await page.getByLabel("Search tasks").inputValue(), "", "the search is cleared");
      assert.equal(await page.getByRole("button", { name: "Undo" }).count(), 1, "the notice stays");
      await page.getByRole("button", { name: "Undo" }).click();
      await list.getByText("Delete me").waitFor();
      assert.deepEqual(deletesSent, [], "nothing was sent");

      // Escape in the notice itself closes it, and the delete goes.
      const sent = page.waitForRequest((request) => request.method() === "DELETE");
      await page.getByRole("button", { name: "Delete “Delete me”" }).click();
      await page.getByRole("button", { name: "Undo" }).press("Escape");
      await sent;
      await waitForCount(page.getByRole("button", { name: "Undo" }), 0);
    });
  });

  test("a delete that does not reach the API brings its task back and says so; its Retry deletes it", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Val", { heldClock: true });
    const list = page.getByRole("list", { name: "Your tasks" });
    const banner = page.getByTestId("error");
    await addTask(page, "Keep me");
    await addTask(page, "Delete me");
    await page.getByRole("tab", { name: "All (2)" }).waitFor();
    let lost = false;
    await page.route(
      (url) => url.href.startsWith(product.apiUrl),
      (route) => {
        if (route.request().method() !== "DELETE" || lost) return route.continue();
        lost = true;
        return route.abort("connectionreset");
      },
    );
    await holdPageTime(page); // the undo window ends when the test says
    await page.getByRole("button", { name: "Delete “Delete me”" }).click();
    await page.getByRole("tab", { name: "All (1)" }).waitFor();
    await page.clock.runFor(5_000); // the window is over: the delete is sent, and lost
    await banner.getByText(/Could not delete “Delete me”\./).waitFor(); // which one, in words
    await list.getByText("Delete me", { exact: true }).waitFor();
    await page.getByRole("tab", { name: "All (2)" }).waitFor();

    await banner.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("tab", { name: "All (1)" }).waitFor();
    const deleted = page.waitForResponse((answer) => answer.request().method() === "DELETE");
    await page.clock.runFor(5_000); // a new undo window, then sent
    assert.equal((await deleted).status(), 204);
    const { tasksUrl, headers } = await theirTasksApi(page, product);
    const stored = await fetch(tasksUrl, { headers });
    const titles = ((await stored.json()) as { title: string }[]).map((task) => task.title);
    assert.deepEqual(titles, ["Keep me"], "deleted once the retry went through; the other task kept");
  });

  test("a delete that fails puts its task back where it belongs: in its place in the order, and not under another tab", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Wim", { heldClock: true });
    const list = page.getByRole("list", { name: "Your tasks" });
    const titles = async () => (await list.getByRole("listitem").allInnerTexts()).map((text) => text.split("\n")[0]);
    const untilTitles = async (expected: string[]) => {
      for (let tries = 0; JSON.stringify(await titles()) !== JSON.stringify(expected); tries++) {
        assert.ok(tries < 100, `the list reads ${JSON.stringify(await titles())}, not ${JSON.stringify(expected)}`);
        await page.waitForTimeout(100);
      }
    };
    for (const title of ["First", "Second", "Third", "Fourth"]) await addTask(page, title);
    await page.getByRole("checkbox", { name: "Completed: “Fourth”", checked: false }).check();
    await page.getByRole("tab", { name: "Completed (1)" }).waitFor();
    await untilTitles(["Fourth", "Third", "Second", "First"]);
    await page.route(
      (url) => url.href.startsWith(product.apiUrl),
      (route) => (route.request().method() === "DELETE" ? route.abort("connectionreset") : route.fallback()),
    );
    await holdPageTime(page); // the undo window ends when the test says

    // The oldest task, deleted and put back, goes back to the end of the newest-first list, not its top.
    await page.getByRole("button", { name: "Delete “First”" }).click();
    await untilTitles(["Fourth", "Third", "Second"]);
    await page.clock.runFor(5_000);
    await page
      .getByTestId("error")
      .getByText(/Could not delete “First”/)
      .waitFor();
    await untilTitles(["Fourth", "Third", "Second", "First"]);

    // A pending task deleted, then the Completed tab shown before the delete fails: not put back there.
    await page.getByRole("button", { name: "Delete “Second”" }).click();
    await page.getByRole("tab", { name: "Pending (2)" }).waitFor();
    await page.getByRole("tab", { name: "Completed (1)" }).click();
    await untilTitles(["Fourth"]);
    await page.clock.runFor(5_000);
    await page.getByRole("tab", { name: "Pending (3)" }).waitFor(); // counted again
    await page
      .getByTestId("error")
      .getByText(/Could not delete “Second”/)
      .waitFor();
    await untilTitles(["Fourth"]);
    await page.getByRole("tab", { name: "All (4)" }).click();
    await untilTitles(["Fourth", "Third", "Second", "First"]);
  });

  test("too many requests: the banner's Retry counts down the seconds the API asked to wait, and does nothing until then", async () => {
    // A product of its own, whose API takes four requests a minute from each person.
    const limited = await startTestProduct({ API_RATE_LIMIT: "4" });
    const { page } = await newSignedInPage(browser, limited.webUrl, "Rob", { heldClock: true });
    await holdPageTime(page); // its seconds pass only when the test says
    const apiRequests: string[] = [];
    page.on("request", (request) => {
      // Preflights too: a Retry pressed would send one before its request.
      if (request.url().startsWith(limited.apiUrl)) apiRequests.push(request.url());
    });
    // The first load took three requests (the list and the two counts): an add and its reload go past four.
    const refused = page.waitForResponse((answer) => answer.status() === 429);
    await page.getByLabel("New task title").fill("One");
    await page.getByLabel("New task title").press("Enter");
    const seconds = Number(await (await refused).headerValue("retry-after"));
    assert.ok(seconds >= 1, `Retry-After: ${seconds}`);

    const banner = page.getByTestId("error");
    await banner.getByText("Too many requests just now").waitFor();
    // Its name stays "Retry" (a screen reader is not read the seconds each second); it shows them.
    const retry = banner.getByRole("button", { name: "Retry", exact: true });
    // (The banner's 429 may be another of the reload's three, a second apart.)
    const shown = Number((await retry.textContent())?.match(/^Retry in (\d+) s$/)?.[1]);
    assert.ok(Math.abs(shown - seconds) <= 1, `"${await retry.textContent()}" for a Retry-After of ${seconds}`);
    assert.equal(await retry.getAttribute("aria-disabled"), "true");
    const sentBefore = apiRequests.length;
    await retry.dispatchEvent("click");
    await new Promise((resolve) => setTimeout(resolve, 500)); // what a press sent would have left by now
    assert.equal(await banner.count(), 1, "pressed while waiting, the banner stays");
    assert.equal(apiRequests.length, sentBefore, "and nothing is sent");

    await page.clock.runFor((shown - 1) * 1000);
    await banner.getByText("Retry in 1 s").waitFor();
    await page.clock.runFor(1_000);
    await banner.locator("button:not([aria-disabled])").waitFor();
    assert.equal(await retry.textContent(), "Retry");
    // Now it does what it says (the API's minute is not over here: it is refused again, with a new wait).
    const retried = page.waitForRequest((request) => request.url().startsWith(limited.apiUrl));
    await retry.click();
    await retried;
    await banner.getByText(/^Retry in \d+ s$/).waitFor();
  });

  test("a task added while an older reload is on its way stays, once; an add refused as typed is said under the form; a banner with nothing to retry is dismissed", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Ines");
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTaskAndItsReload(page, "First");

    // The reload that follows completing "First" is answered by the API before "Second" exists,
    // and reaches the page only after "Second" was added.
    const { fire: release, fired: released } = signal();
    const { fire: fetched, fired: staleFetched } = signal();
    let held = false;
    await page.route(
      (url) => url.href.startsWith(product.apiUrl) && url.searchParams.get("limit") !== "1",
      async (route) => {
        if (held || route.request().method() !== "GET") return route.continue();
        held = true;
        const response = await route.fetch();
        fetched();
        await released;
        await route.fulfill({ response });
      },
    );
    await page.getByRole("checkbox", { name: "Completed: “First”", checked: false }).click();
    await staleFetched;
    await addTask(page, "Second");
    const staleArrived = page.waitForResponse((response) => response.request().url().includes("sort=created"));
    release();
    await staleArrived;
    await page.getByRole("tab", { name: "All (2)" }).waitFor({ timeout: 10_000 });
    await waitForCount(list.getByText("Second", { exact: true }), 1);
    await new Promise((resolve) => setTimeout(resolve, 500)); // time for a late list to be shown, if it were
    assert.equal(await list.getByText("Second", { exact: true }).count(), 1, "the new task is shown once");

    await page.getByLabel("New task title").press("Enter");
    // Said under the form, and read with its title field; typing there ends it.
    await page.getByTestId("add-problem").getByText("Give the task a title.").waitFor();
    assert.equal(await page.getByLabel("New task title").getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByTestId("error").count(), 0, "nothing in the banner above the list");
    await page.getByLabel("New task title").fill("T");
    await waitForCount(page.getByTestId("add-problem"), 0);

    // A change the API refused (nothing to retry): the banner says so, and is dismissed.
    await page.route(
      (url) => url.href.startsWith(product.apiUrl),
      (route) =>
        route.request().method() === "PATCH"
          ? route.fulfill({
              status: 422,
              contentType: "application/problem+json",
              headers: { "access-control-allow-origin": new URL(product.webUrl).origin },
              body: JSON.stringify({ type: "about:blank", title: "Unprocessable Content", status: 422, detail: "No." }),
            })
          : route.continue(),
    );
    await page.getByRole("checkbox", { name: "Completed: “Second”", checked: false }).click();
    const banner = page.getByTestId("error");
    await banner.getByText(/Could not update “Second”/).waitFor();
    assert.equal(await banner.getByRole("button", { name: "Retry" }).count(), 0, "nothing to retry");
    await banner.getByRole("button", { name: "Dismiss" }).click();
    await waitForCount(banner, 0);
  });

  test("a checkbox clicked twice before the first click is answered ends as the second click left it", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Tia");
    await addTask(page, "Water the plants");
    // A slow network for the first click's write alone: the second, sent at once, would overtake it.
    const first = await holdFirstWrite(page);
    const bothAnswered = new Promise<void>((resolve) => {
      let answered = 0;
      page.on("response", (answer) => {
        if (answer.request().method() === "PATCH" && ++answered === 2) resolve();
      });
    });
    await page.getByRole("checkbox", { name: "Completed: “Water the plants”", checked: false }).click();
    await first.held;
    await page.getByRole("checkbox", { name: "Completed: “Water the plants”", checked: true }).click();
    // Time for a second write sent at once to be made before the first.
    await page.waitForTimeout(500);
    first.release();
    await bothAnswered;
    const checkbox = page.getByRole("checkbox", { name: "Completed: “Water the plants”", checked: false });
    assert.equal(await checkbox.isChecked(), false, "shown as the second click left it");
    await page.reload();
    await checkbox.waitFor();
    assert.equal(await checkbox.isChecked(), false, "and stored so");
  });

  test("a reload that lands while a checkbox's write is on its way shows the click, not the task as the API had it", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Noor");
    await addTaskAndItsReload(page, "Feed the cat");
    const first = await holdFirstWrite(page);
    await page.getByRole("checkbox", { name: "Completed: “Feed the cat”", checked: false }).click();
    await first.held;
    // Another add: the reload of the list after it is read while the write waits.
    // The reload is taken once its list and both counts have come: each is waited for.
    const reloaded = ["sort=created", "status=pending&limit=1", "status=completed&limit=1"].map((query) =>
      page.waitForResponse((answer) => answer.url().includes(query)),
    );
    await addTask(page, "Buy litter");
    for (const answer of await Promise.all(reloaded)) await answer.finished();
    // Whatever the page does with the reload's answers is drawn by the second frame after them.
    await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))");
    assert.equal(
      await page.getByRole("checkbox", { name: "Completed: “Feed the cat”", checked: true }).count(),
      1,
      "checked, as clicked",
    );
    const answered = page.waitForResponse((answer) => answer.request().method() === "PATCH");
    first.release();
    assert.equal((await answered).status(), 200);
    await page.reload();
    await page.getByRole("checkbox", { name: "Completed: “Feed the cat”", checked: true }).waitFor();
  });

  test("two clicks of a checkbox that both fail leave it as stored, and the banner's Retry asks for the last click", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Uma");
    await addTask(page, "Sweep the yard");
    // Both writes cut, the second sent once the first has failed.
    const first = await holdFirstWrite(page, (route) => route.abort("connectionreset"));
    await page.getByRole("checkbox", { name: "Completed: “Sweep the yard”", checked: false }).click();
    await first.held;
    await page.getByRole("checkbox", { name: "Completed: “Sweep the yard”", checked: true }).click();
    first.release();
    const banner = page.getByTestId("error");
    await banner.getByText("Could not update “Sweep the yard”").waitFor();
    const checkbox = page.getByRole("checkbox", { name: "Completed: “Sweep the yard”", checked: false });
    assert.equal(await checkbox.isChecked(), false, "as stored: neither write was made");
    await page.unroute(`${product.apiUrl}/**`);
    const retried = await writeAnsweredAfter(page, () => banner.getByRole("button", { name: "Retry" }).click());
    assert.deepEqual(retried.request().postDataJSON(), { completed: false }, "what the last click asked for");
    assert.equal(retried.status(), 200);
    await waitForCount(banner, 0);
    await page.reload();
    await checkbox.waitFor();
    assert.equal(await checkbox.isChecked(), false, "the last click left it pending");
  });

  test("a failed completion or delete leaves the banner once the person completes or deletes that task again: its Retry would undo what they did since", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Ida", { heldClock: true });
    const banner = page.getByTestId("error");
    await addTask(page, "Keep me");
    await addTask(page, "Pay rent");
    await page.getByRole("tab", { name: "All (2)" }).waitFor();
    let cut = true; // every write lost while this holds
    await page.route(
      (url) => url.href.startsWith(product.apiUrl),
      (route) => (cut && route.request().method() !== "GET" ? route.abort("connectionreset") : route.continue()),
    );
    await page.getByRole("checkbox", { name: "Completed: “Pay rent”", checked: false }).click();
    await banner.getByText(/Could not update “Pay rent”/).waitFor();
    cut = false;
    const made = page.waitForResponse((answer) => answer.request().method() === "PATCH");
    await page.getByRole("checkbox", { name: "Completed: “Pay rent”", checked: false }).click();
    assert.equal((await made).status(), 200);
    assert.equal(await banner.count(), 0, "clicked again: the failed click's Retry has nothing left to do");

    // Another task's failure stays.
    cut = true;
    await page.getByRole("checkbox", { name: "Completed: “Keep me”", checked: false }).click();
    await banner.getByText(/Could not update “Keep me”/).waitFor();
    await holdPageTime(page); // the undo window ends when the test says
    await page.getByRole("button", { name: "Delete “Pay rent”" }).click();
    assert.equal(await banner.getByText(/Could not update “Keep me”/).count(), 1, "another task's failure");
    await page.clock.runFor(5_000); // the delete is sent, and lost
    await banner.getByText(/Could not delete “Pay rent”/).waitFor();
    cut = false;
    // A completion of it does not end a failed delete: that Retry still deletes what they wanted gone.
    const completed = page.waitForResponse((answer) => answer.request().method() === "PATCH");
    await page.getByRole("checkbox", { name: "Completed: “Pay rent”" }).click();
    assert.equal((await completed).status(), 200);
    await page.getByRole("tab", { name: "Completed (0)" }).waitFor(); // its answer taken in, the counts reloaded
    assert.equal(await banner.getByText(/Could not delete “Pay rent”/).count(), 1, "the failed delete stays");
    await page.getByRole("button", { name: "Delete “Pay rent”" }).click();
    assert.equal(await banner.count(), 0, "deleted again: the failed delete's Retry has nothing left to do");
    const deleted = page.waitForResponse((answer) => answer.request().method() === "DELETE");
    await page.clock.runFor(5_000);
    assert.equal((await deleted).status(), 204);
  });

  test("a completion that fails once its task has been deleted here says nothing: its Retry would complete a deleted task", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Lou", { heldClock: true });
    await addTask(page, "Keep me");
    await addTask(page, "Walk the dog");
    await page.getByRole("tab", { name: "All (2)" }).waitFor();
    const write = await holdFirstWrite(page, (route) => route.abort("connectionreset"));
    await holdPageTime(page); // the undo window ends when the test says
    await page.getByRole("checkbox", { name: "Completed: “Walk the dog”", checked: false }).click();
    await write.held;
    await page.getByRole("button", { name: "Delete “Walk the dog”" }).click();
    const failed = page.waitForEvent("requestfailed", (request) => request.method() === "PATCH");
    write.release();
    await failed;
    // A request of the page's own, sent after the failure and answered: by then the page has taken
    // the failure in (an Undo before that would make the failure's banner right).
    await page.evaluate("fetch(location.href).then(() => undefined)");
    // Undo: the task is back as stored, and nothing says it could not be updated.
    await page.getByRole("button", { name: "Undo" }).click();
    await page.getByRole("checkbox", { name: "Completed: “Walk the dog”", checked: false }).waitFor();
    await page.getByRole("tab", { name: "All (2)" }).waitFor();
    assert.equal(await page.getByTestId("error").count(), 0, "no banner, and no Retry");
  });

  test("Undo on another tab since the delete counts the task again but does not show it there", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Max", { heldClock: true });
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTask(page, "Keep me");
    await addTask(page, "Still pending");
    await page.getByRole("checkbox", { name: "Completed: “Keep me”", checked: false }).click();
    await page.getByRole("tab", { name: "Completed (1)" }).waitFor();
    await withPageTimeHeld(page, async () => {
      await page.getByRole("button", { name: "Delete “Still pending”" }).click();
      await page.getByRole("tab", { name: "Pending (0)" }).waitFor();
      const completedList = page.waitForResponse((answer) => {
        const asked = new URL(answer.url()).searchParams;
        return asked.get("status") === "completed" && asked.get("limit") !== "1";
      });
      await page.getByRole("tab", { name: "Completed (1)" }).click();
      await completedList;
      // Drawn: the list shown is Completed's, no longer All's (which has "Keep me" too).
      await waitForCount(list.and(page.locator("[aria-busy=false]")), 1);
      await list.getByText("Keep me", { exact: true }).waitFor();
      // From here the API cannot be reached: the reload after Undo fails, and what is shown stays.
      await cutOffTaskApi(page, product.apiUrl);
      await page.getByRole("button", { name: "Undo" }).click();
      await page
        .getByTestId("error")
        .getByText(/Could not load your tasks/)
        .waitFor();
      await page.getByRole("tab", { name: "Pending (1)" }).waitFor({ timeout: 5_000 });
      assert.equal(await list.getByText("Still pending").count(), 0, "a pending task is not shown as completed");
    });
  });

  test("Undo brings the task back at once, even when the list cannot be loaded again then", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Noa", { heldClock: true });
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTask(page, "Keep me");
    await addTask(page, "Bring me back");
    await page.getByRole("tab", { name: "All (2)" }).waitFor();
    const deletesSent = deletesSentBy(page);
    await withPageTimeHeld(page, async () => {
      await page.getByRole("button", { name: "Delete “Bring me back”" }).click();
      await page.getByRole("tab", { name: "All (1)" }).waitFor();
      // From here the API cannot be reached: the reload after Undo fails.
      await cutOffTaskApi(page, product.apiUrl);
      await page.getByRole("button", { name: "Undo" }).click();
      await page
        .getByTestId("error")
        .getByText(/Could not load your tasks/)
        .waitFor();
      await list.getByText("Bring me back", { exact: true }).waitFor({ timeout: 5_000 });
      await page.getByRole("tab", { name: "All (2)" }).waitFor({ timeout: 5_000 });
    });
    assert.deepEqual(deletesSent, [], "nothing was sent");
  });

  test("the same failure twice is said twice: a new alert, not the same words set again on the one there", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Ora");
    await addTask(page, "Anything");
    await cutOffTaskApi(page, product.apiUrl);
    const alert = page
      .getByTestId("error")
      .getByRole("alert")
      .filter({ hasText: /Could not load your tasks/ });
    await page.getByRole("tab", { name: /^Completed/ }).click();
    await alert.waitFor();
    await expectSaidAgain(page, alert, () => page.getByRole("tab", { name: /^Pending/ }).click());
  });

  test("a write that gets no answer at all fails after a while, is put back, and Retry makes it", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Wes", { heldClock: true });
    await addTaskAndItsReload(page, "Mend the gate"); // its reload answered before the page's time jumps
    // A connection gone silent: the first PATCH is never answered.
    const first = await holdFirstWrite(page);
    await holdPageTime(page);
    await page.getByRole("checkbox", { name: "Completed: “Mend the gate”", checked: false }).click();
    await first.held;
    await page.clock.runFor(16_000); // the page's time: past how long it waits for an answer
    const banner = page.getByTestId("error");
    await banner.getByText(/Could not update “Mend the gate”\. The task service did not answer/).waitFor();
    assert.equal(
      await page.getByRole("checkbox", { name: "Completed: “Mend the gate”" }).isChecked(),
      false,
      "put back",
    );
    await page.clock.resume();
    await banner.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("checkbox", { name: "Completed: “Mend the gate”", checked: true }).waitFor();
    await page.reload();
    await page.getByRole("checkbox", { name: "Completed: “Mend the gate”", checked: true }).waitFor();
  });

  test("an add whose answer stops after its headers fails after a while, and the next add is made", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Sal", { heldClock: true });
    // A connection gone silent midway: the answer's headers come, its body never does.
    const reached = signal();
    const silent = http.createServer((_request, response) => {
      reached.fire();
      response.writeHead(201, {
        "content-type": "application/json",
        "access-control-allow-origin": new URL(product.webUrl).origin,
      });
      response.write('{"id":');
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      let posts = 0;
      await page.route(`${product.apiUrl}/**`, (route) =>
        route.request().method() === "POST" && posts++ === 0
          ? route.continue({ url: `http://127.0.0.1:${port}/tasks` })
          : route.continue(),
      );
      await holdPageTime(page);
      await page.getByLabel("New task title").fill("Sweep the yard");
      await page.getByLabel("New task title").press("Enter");
      await reached.fired;
      await page.clock.runFor(16_000); // the page's time: past how long it waits for an answer
      const banner = page.getByTestId("error");
      await banner.getByText(/Could not add the task\. The task service did not answer/).waitFor();
      await page.clock.resume();
      // The add is over: the next one is sent and made.
      await addTask(page, "Water the plants");
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  test("a change's failure and its Retry stay through an add, and through an add refused as typed", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Rex");
    await addTask(page, "Mend the gate");
    await page.route(
      (url) => url.href.startsWith(product.apiUrl),
      (route) => (route.request().method() === "PATCH" ? route.abort("connectionrefused") : route.continue()),
    );
    await page.getByRole("checkbox", { name: "Completed: “Mend the gate”", checked: false }).click();
    const banner = page.getByTestId("error");
    await banner.getByText(/Could not update “Mend the gate”/).waitFor();
    await page.getByLabel("New task title").press("Enter");
    await page.getByTestId("add-problem").getByText("Give the task a title.").waitFor();
    await addTask(page, "Oil the hinges");
    assert.equal(
      await banner.getByText(/Could not update “Mend the gate”/).count(),
      1,
      "the checkbox put back is still said",
    );
    await page.unrouteAll({ behavior: "wait" });
    await banner.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("checkbox", { name: "Completed: “Mend the gate”", checked: true }).waitFor();
  });

  test("a token renewal refused for now (429) does not refuse the person's write: the token in hand is sent while it lasts", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Rue", { heldClock: true });
    await addTaskAndItsReload(page, "Sand the door"); // its reload answered before the page's time jumps
    // Too many renewals from this address (an office behind one address): refused for a minute.
    const refusals = await refuseRenewals(page, product.webUrl);
    await holdPageTime(page);
    // Past the point where the page renews its token (a minute before its end), before its end.
    await page.clock.fastForward("14:30");
    await completedWithTheTokenInHand(page, "Sand the door", true, refusals);
    // Within the refusal's Retry-After, the next write is not held up by another renewal refused.
    const refusedSoFar = refusals();
    await page.clock.fastForward(5_000);
    const again = await writeAnsweredAfter(page, () =>
      page.getByRole("checkbox", { name: "Completed: “Sand the door”", checked: true }).click(),
    );
    assert.equal(again.status(), 200);
    assert.equal(refusals(), refusedSoFar, "no renewal asked for again meanwhile");
    await page.getByRole("checkbox", { name: "Completed: “Sand the door”", checked: false }).waitFor();
    await page.unroute(`${product.webUrl}/api/auth/token`);
    await page.clock.resume();
    await page.reload();
    await page.getByRole("checkbox", { name: "Completed: “Sand the door”", checked: false }).waitFor();
  });

  test("with tokens of 10 s, a renewal refused for now does not refuse the person's write either", async () => {
    // A product of its own, whose access tokens live 10 s: renewed at half their life.
    const shortTokens = await startTestProduct({ JWT_EXPIRES_IN: "10s" });
    const { page } = await newSignedInPage(browser, shortTokens.webUrl, "Ria", { heldClock: true });
    await addTaskAndItsReload(page, "Oil the hinge");
    await holdPageTime(page);
    // Past the end of the token in hand, by the page's clock: the next write renews it first, so
    // that the page's time since its token came is known.
    await page.clock.fastForward(20_000);
    const renewed = page.waitForResponse((answer) => answer.url().endsWith("/api/auth/token"));
    const completed = await writeAnsweredAfter(page, () =>
      page.getByRole("checkbox", { name: "Completed: “Oil the hinge”", checked: false }).click(),
    );
    assert.equal((await renewed).status(), 200);
    assert.equal(completed.status(), 200);
    // Then renewals are refused for now; 6 s on, past the point where the page renews (5 s), before its end.
    const refusals = await refuseRenewals(page, shortTokens.webUrl);
    await page.clock.fastForward(6_000);
    await completedWithTheTokenInHand(page, "Oil the hinge", false, refusals);
  });

  test("a token renewal that gets no answer fails after a while and lets go: Retry renews and makes the write", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Rae", { heldClock: true });
    await addTaskAndItsReload(page, "Oil the hinges"); // its reload answered before the page's time jumps
    // A connection to the web app gone silent: no renewal is answered.
    const renewals = await holdRequests(page, `${product.webUrl}/api/auth/token`); // never answered
    await holdPageTime(page);
    // The page's time past the point where its token is renewed before use (a minute before its end).
    await page.clock.fastForward(15 * 60_000);
    await page.getByRole("checkbox", { name: "Completed: “Oil the hinges”", checked: false }).click();
    await renewals.held;
    await page.clock.runFor(16_000); // past how long the page waits for an answer
    const banner = page.getByTestId("error");
    await banner.getByText(/Could not update “Oil the hinges”\. The server did not answer/).waitFor();
    assert.equal(
      await page.getByRole("checkbox", { name: "Completed: “Oil the hinges”" }).isChecked(),
      false,
      "put back",
    );
    // The renewal that never ended no longer holds the requests that wait for a token.
    await renewals.drop();
    await page.clock.resume();
    const retried = await writeAnsweredAfter(page, () => banner.getByRole("button", { name: "Retry" }).click());
    assert.equal(retried.status(), 200);
    await page.reload();
    await page.getByRole("checkbox", { name: "Completed: “Oil the hinges”", checked: true }).waitFor();
  });

  test("a sign-out that gets no answer says so after a while, and Sign out works again", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Sol", { heldClock: true });
    const signingOut = await holdRequests(page, `${product.webUrl}/api/auth/sign-out`); // never answered
    await holdPageTime(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await signingOut.held;
    await page.clock.runFor(16_000); // past how long the page waits for an answer
    await page
      .getByTestId("error")
      .getByText(/Could not tell whether you are signed out\. The server did not answer/)
      .waitFor();
    await signingOut.drop(); // it never reaches the server: the next click alone signs out
    await page.clock.resume();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
  });

  test("a task deleted elsewhere leaves this page when it is completed here, and the page says so", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Dan");
    await addTask(page, "Stays");
    await addTask(page, "Deleted on the phone");
    // The phone: the same person's token, straight to the Task API.
    const { tasksUrl, headers } = await theirTasksApi(page, product);
    const listed = (await (await fetch(tasksUrl, { headers })).json()) as { id: string; title: string }[];
    const phone = listed.find((task) => task.title === "Deleted on the phone");
    assert.equal((await fetch(`${tasksUrl}/${phone?.id}`, { method: "DELETE", headers })).status, 204);

    // Ticked and unticked at once (both on their way before the first answer): two answers that the
    // task is gone, and it is counted off once.
    const toggles = await holdRequests(page, (url) => url.pathname.endsWith(`/tasks/${phone?.id}`));
    let gone = 0;
    const bothAnswered = new Promise<void>((resolve) => {
      page.on("response", (answer) => {
        if (answer.url().endsWith(`/tasks/${phone?.id}`) && answer.status() === 404 && ++gone === 2) resolve();
      });
    });
    await page.getByRole("checkbox", { name: "Completed: “Deleted on the phone”", checked: false }).click();
    await toggles.held;
    await page.getByRole("checkbox", { name: "Completed: “Deleted on the phone”", checked: true }).click();
    toggles.release();
    await bothAnswered;
    const list = page.getByRole("list", { name: "Your tasks" });
    await waitForCount(list.getByText("Deleted on the phone"), 0);
    await page
      .getByTestId("error")
      .getByText("“Deleted on the phone” was deleted in another tab or on another device.")
      .waitFor();
    await page.getByRole("tab", { name: "All (1)" }).waitFor();
    await page.getByRole("tab", { name: "Pending (1)" }).waitFor();
    await page.getByRole("tab", { name: "Completed (0)" }).waitFor();
    await list.getByText("Stays").waitFor();
  });

  test("a task ticked, then deleted before the tick is answered, moves between the tabs' counts at once and is counted off where it then is", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Tia");
    await addTask(page, "Stays");
    await addTaskAndItsReload(page, "Ticked then deleted");
    await page.getByRole("tab", { name: "Pending (2)" }).waitFor();
    const tabs = () => page.getByRole("tab").allInnerTexts();
    const tick = await holdRequests(page, (url) => /\/tasks\/[0-9a-f-]{36}$/.test(url.pathname));
    await page.getByRole("checkbox", { name: "Completed: “Ticked then deleted”", checked: false }).click();
    await tick.held;
    await page.getByRole("tab", { name: "Completed (1)" }).waitFor();
    assert.deepEqual(
      await tabs(),
      ["All (2)", "Pending (1)", "Completed (1)"],
      "the tick is counted before its answer",
    );
    await page.getByRole("button", { name: "Delete “Ticked then deleted”" }).click();
    await page.getByRole("tab", { name: "Completed (0)" }).waitFor();
    assert.deepEqual(
      await tabs(),
      ["All (1)", "Pending (1)", "Completed (0)"],
      "counted off as completed, not below 0",
    );
    // The tick's answer, then the reload of the list and its counts that follows it.
    const countsReloaded = page.waitForResponse((answer) => new URL(answer.url()).searchParams.get("limit") === "1");
    tick.release();
    await countsReloaded;
    await page.getByRole("button", { name: "Undo" }).waitFor(); // still inside its undo window
    assert.deepEqual(await tabs(), ["All (1)", "Pending (1)", "Completed (0)"], "and so once the tick is answered");
  });

  test("the counts a reload brings while a tick is on its way count the tick, and a tick that fails is counted back once", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Ida");
    await addTask(page, "Stays");
    await addTaskAndItsReload(page, "Ticked, then refused");
    const tabs = () => page.getByRole("tab").allInnerTexts();
    const tick = await holdRequests(page, (url) => /\/tasks\/[0-9a-f-]{36}$/.test(url.pathname));
    await page.getByRole("checkbox", { name: "Completed: “Ticked, then refused”", checked: false }).click();
    await tick.held;
    await page.getByRole("tab", { name: "Completed (1)" }).waitFor();
    // An add's reload brings the counts from the API, which has not made the tick yet.
    const countsReloaded = page.waitForResponse((answer) => new URL(answer.url()).searchParams.get("limit") === "1");
    await addTask(page, "Added meanwhile");
    await countsReloaded;
    await page.getByRole("tab", { name: "All (3)" }).waitFor();
    assert.deepEqual(
      await tabs(),
      ["All (3)", "Pending (2)", "Completed (1)"],
      "the row shows the tick: so do the counts",
    );
    // The tick's connection fails: the task is put back, and counted back, once.
    await tick.drop();
    await page
      .getByTestId("error")
      .getByText(/^Could not update “Ticked, then refused”/)
      .waitFor();
    await page.getByRole("tab", { name: "Completed (0)" }).waitFor();
    assert.deepEqual(await tabs(), ["All (3)", "Pending (3)", "Completed (0)"]);
  });

  test("the banner ended by a load that worked, with the focus on its Retry: the focus goes to the list, not the page's top", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Ros", { heldClock: true });
    await addTaskAndItsReload(page, "Anything");
    await cutOffTaskApi(page, product.apiUrl);
    await page.getByRole("tab", { name: /^Completed/ }).click();
    const banner = page.getByTestId("error");
    await banner.getByText(/Could not load your tasks/).waitFor();
    await banner.getByRole("button", { name: "Retry" }).focus();
    await page.unrouteAll({ behavior: "ignoreErrors" }); // the Task API is back
    // The tab come back to after a while: its list is loaded again, and comes; the banner goes.
    await page.clock.runFor(31_000);
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await waitForCount(banner, 0);
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('role')"), "tabpanel");
  });

  test("a task found deleted elsewhere leaves the list without taking the banner of a change that failed, nor its Retry", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Ugo");
    await addTask(page, "Deleted on the phone");
    await addTaskAndItsReload(page, "Tick me");
    const { tasksUrl, headers } = await theirTasksApi(page, product);
    const listed = (await (await fetch(tasksUrl, { headers })).json()) as { id: string; title: string }[];
    const [tickMe, phone] = ["Tick me", "Deleted on the phone"].map((title) => listed.find((t) => t.title === title));
    // The tick's PATCH cannot get through; it is put back, and the banner offers to try again.
    await page.route(
      (url) => url.pathname.endsWith(`/tasks/${tickMe?.id}`),
      (route) => (route.request().method() === "PATCH" ? route.abort("connectionrefused") : route.continue()),
    );
    await page.getByRole("checkbox", { name: "Completed: “Tick me”", checked: false }).click();
    const banner = page.getByTestId("error");
    await banner.getByText(/^Could not update “Tick me”/).waitFor();
    await page.getByRole("checkbox", { name: "Completed: “Tick me”", checked: false }).waitFor();
    // The phone deletes the other task; opened for editing here, it is found gone and leaves.
    assert.equal((await fetch(`${tasksUrl}/${phone?.id}`, { method: "DELETE", headers })).status, 204);
    await page.getByRole("button", { name: "Edit “Deleted on the phone”" }).click();
    await waitForCount(page.getByRole("list", { name: "Your tasks" }).getByText("Deleted on the phone"), 0);
    assert.match((await banner.getByRole("alert").textContent()) ?? "", /^Could not update “Tick me”/);
    // Why the row left is still said.
    await page
      .locator("#announcer")
      .filter({ hasText: "“Deleted on the phone” was deleted in another tab or on another device." })
      .waitFor({ state: "attached" });
    // Its Retry still makes the tick.
    await page.unrouteAll({ behavior: "ignoreErrors" });
    await banner.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("checkbox", { name: "Completed: “Tick me”", checked: true }).waitFor();
    await page.getByRole("tab", { name: "Completed (1)" }).waitFor();

    // A failure of the same task's is another matter: its Retry would meet the task gone, so the
    // banner says why instead.
    await page.route(
      (url) => url.pathname.endsWith(`/tasks/${tickMe?.id}`),
      (route) => (route.request().method() === "PATCH" ? route.abort("connectionrefused") : route.continue()),
    );
    await page.getByRole("checkbox", { name: "Completed: “Tick me”", checked: true }).click();
    await banner.getByText(/^Could not update “Tick me”/).waitFor();
    assert.equal((await fetch(`${tasksUrl}/${tickMe?.id}`, { method: "DELETE", headers })).status, 204);
    await page.getByRole("button", { name: "Edit “Tick me”" }).click();
    await banner.getByText("“Tick me” was deleted in another tab or on another device.").waitFor();
    assert.equal(await banner.getByRole("button", { name: "Retry" }).count(), 0);
  });

  test("adding a deleted task again after a try that half failed makes one task, with the fields as they are now", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Ola");
    await addTaskAndItsReload(page, "Pay rent");
    await page.getByRole("checkbox", { name: "Completed: “Pay rent”", checked: false }).check();
    await waitForCount(page.getByRole("tab", { name: "Completed (1)" }), 1);
    const { tasksUrl, headers } = await theirTasksApi(page, product);
    const stored = async () =>
      ((await (await fetch(tasksUrl, { headers })).json()) as { title: string; completed: boolean }[]).map(
        ({ title, completed }) => ({ title, completed }),
      );
    const [original] = (await (await fetch(tasksUrl, { headers })).json()) as { id: string }[];

    const read = page.waitForResponse((response) => /\/tasks\/[0-9a-f-]{36}$/.test(response.url()));
    await page.getByRole("button", { name: "Edit “Pay rent”" }).click();
    await read;
    assert.equal((await fetch(`${tasksUrl}/${original?.id}`, { method: "DELETE", headers })).status, 204);
    await page.getByLabel("Task description").fill("by the 3rd");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("This task was deleted in another tab or on another device while you were editing.").waitFor();

    // The add goes through, but marking it completed again does not reach the API.
    await page.route(
      (url) => url.href.startsWith(tasksUrl),
      (route) => (route.request().method() === "PATCH" ? route.abort("connectionrefused") : route.fallback()),
    );
    await page.getByRole("button", { name: "Add it again" }).click();
    await page.getByText(/Could not add it again/).waitFor();
    assert.deepEqual(await stored(), [{ title: "Pay rent", completed: false }], "made, not completed yet");
    await page.unrouteAll({ behavior: "wait" });

    // The person corrects the title and tries again: the task made is found again and takes it.
    await page.getByLabel("Task title", { exact: true }).fill("Pay the rent");
    await page.getByRole("button", { name: "Add it again" }).click();
    await page.getByRole("list", { name: "Your tasks" }).getByRole("button", { name: "Edit “Pay the rent”" }).waitFor();
    assert.deepEqual(await stored(), [{ title: "Pay the rent", completed: true }], "one task, as the editor had it");
  });

  test("an edit of a task deleted elsewhere meanwhile is not lost: the page says so and adds it again", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Eda");
    await addTaskAndItsReload(page, "Plan the trip");
    const { tasksUrl, headers } = await theirTasksApi(page, product);
    const [original] = (await (await fetch(tasksUrl, { headers })).json()) as { id: string }[];

    const read = page.waitForResponse((response) => /\/tasks\/[0-9a-f-]{36}$/.test(response.url()));
    await page.getByRole("button", { name: "Edit “Plan the trip”" }).click();
    await read;
    // The phone deletes it while the editor is open.
    assert.equal((await fetch(`${tasksUrl}/${original?.id}`, { method: "DELETE", headers })).status, 204);
    await page.getByLabel("Task title", { exact: true }).fill("Plan the trip to Lisbon");
    await page.getByLabel("Task description").fill("flights first");
    // A reload meanwhile (another add) no longer has the task: its open editor stays, with what was typed.
    await addTask(page, "Buy sunscreen");
    assert.equal(await page.getByLabel("Task title", { exact: true }).inputValue(), "Plan the trip to Lisbon");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("This task was deleted in another tab or on another device while you were editing.").waitFor();
    assert.equal(await page.getByLabel("Task title", { exact: true }).inputValue(), "Plan the trip to Lisbon");

    await page.getByRole("button", { name: "Add it again" }).click();
    const list = page.getByRole("list", { name: "Your tasks" });
    await list.getByRole("button", { name: "Edit “Plan the trip to Lisbon”" }).waitFor();
    const focusedRole = () => page.evaluate("document.activeElement?.getAttribute('role')");
    // The editor's row gave way to the task made again: the focus is on it, where the editor was.
    await page.waitForFunction("document.activeElement?.getAttribute('role') === 'checkbox'").catch(() => {});
    assert.equal(
      await page.evaluate("document.activeElement?.getAttribute('aria-label')"),
      "Completed: “Plan the trip to Lisbon”",
    );
    const stored = (await (await fetch(tasksUrl, { headers })).json()) as {
      id: string;
      title: string;
      description: string;
    }[];
    assert.deepEqual(
      stored.map(({ title, description }) => ({ title, description })).sort((a, b) => a.title.localeCompare(b.title)),
      [
        { title: "Buy sunscreen", description: "" },
        { title: "Plan the trip to Lisbon", description: "flights first" },
      ],
    );
    assert.ok(!stored.some((task) => task.id === original?.id), "a new task");

    // Deleted elsewhere again, and this time the person lets the edit go: the task leaves the list.
    const sunscreen = stored.find((task) => task.title === "Buy sunscreen");
    await page.getByRole("button", { name: "Edit “Buy sunscreen”" }).click();
    await page.getByLabel("Task title", { exact: true }).waitFor();
    assert.equal((await fetch(`${tasksUrl}/${sunscreen?.id}`, { method: "DELETE", headers })).status, 204);
    await page.getByLabel("Task title", { exact: true }).fill("Buy more sunscreen");
    await page.getByLabel("Task title", { exact: true }).press("Enter");
    await page.getByRole("button", { name: "Discard" }).click();
    await waitForCount(list.getByText(/sunscreen/), 0);
    assert.equal(await focusedRole(), "tabpanel", "its row went: the focus is on the list");

    // An edit that changes the sort's key moves the task to its new place.
    await addTask(page, "Book the hotel");
    const sortedByTitle = page.waitForResponse((response) => response.url().includes("sort=title"));
    await page.getByLabel("Sort by").selectOption("title");
    await sortedByTitle;
    const order = () => list.locator("button[aria-label^='Edit']").allInnerTexts();
    await waitForCount(list.getByRole("listitem"), 2);
    assert.deepEqual(await order(), ["Book the hotel", "Plan the trip to Lisbon"]);
    await page.getByRole("button", { name: "Edit “Book the hotel”" }).click();
    await page.getByLabel("Task title", { exact: true }).fill("Rent a car");
    await page.getByLabel("Task title", { exact: true }).press("Enter");
    await list.getByRole("button", { name: "Edit “Rent a car”" }).waitFor();
    await list.getByRole("listitem").first().getByRole("button", { name: "Edit “Plan the trip to Lisbon”" }).waitFor();
    assert.deepEqual(await order(), ["Plan the trip to Lisbon", "Rent a car"], "A to Z after the edit");
    assert.equal(
      await page.evaluate("document.activeElement?.getAttribute('aria-label')"),
      "Edit “Rent a car”",
      "the focus moved with the task",
    );
  });

  test("a save refused as changed elsewhere, its task deleted before the page reads it again, offers to add it again", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Noa");
    await addTaskAndItsReload(page, "Call the bank");
    const { tasksUrl, headers } = await theirTasksApi(page, product);
    const [original] = (await (await fetch(tasksUrl, { headers })).json()) as { id: string }[];
    await page.getByRole("button", { name: "Edit “Call the bank”" }).click();
    await page.getByLabel("Task title", { exact: true }).fill("Call the bank at nine");
    // The phone changes the task (so the save's If-Match is refused), then deletes it before the
    // page reads it as it is now.
    const changed = await fetch(`${tasksUrl}/${original?.id}`, {
      method: "PATCH",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ description: "ask about the card" }),
    });
    assert.equal(changed.status, 200);
    await page.route(`${tasksUrl}/${original?.id}`, async (route) => {
      if (route.request().method() !== "PATCH") return route.continue();
      const answer = await route.fetch();
      assert.equal(answer.status(), 412, "the save was refused as changed elsewhere");
      assert.equal((await fetch(`${tasksUrl}/${original?.id}`, { method: "DELETE", headers })).status, 204);
      await route.fulfill({ response: answer });
    });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("This task was deleted in another tab or on another device while you were editing.").waitFor();
    assert.equal(await page.getByLabel("Task title", { exact: true }).inputValue(), "Call the bank at nine");
    await page.getByRole("button", { name: "Add it again" }).click();
    await page.getByRole("button", { name: "Edit “Call the bank at nine”" }).waitFor();
    const stored = (await (await fetch(tasksUrl, { headers })).json()) as { id: string; title: string }[];
    assert.deepEqual(
      stored.map(({ title }) => title),
      ["Call the bank at nine"],
    );
    assert.notEqual(stored[0]?.id, original?.id, "a new task");
  });

  test("titles count characters as the API does: 150 emoji fit whole, 201 letters get a message and stay typed", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Uma");
    const list = page.getByRole("list", { name: "Your tasks" });
    const emoji = "🙂".repeat(150);
    await addTask(page, emoji);
    assert.equal([...((await list.locator("button[aria-label^='Edit']").first().textContent()) ?? "")].length, 150);

    const long = "a".repeat(201);
    await page.getByLabel("New task title").fill(long);
    await page.getByLabel("New task title").press("Enter");
    await page.getByTestId("add-problem").getByText("The title is 201 characters long; at most 200 fit.").waitFor();
    assert.equal(await page.getByLabel("New task title").inputValue(), long, "nothing cut, nothing lost");
    // The field at fault is the one marked, and read with the message.
    assert.equal(await page.getByLabel("New task title").getAttribute("aria-invalid"), "true");
    await page.getByLabel("New task title").fill("Short");
    await page.locator("#new-description").fill("d".repeat(1001));
    await page.getByLabel("New task title").press("Enter");
    await page
      .getByTestId("add-problem")
      .getByText(/The description is 1001 characters long/)
      .waitFor();
    assert.equal(await page.getByLabel("New task title").getAttribute("aria-invalid"), null);
    assert.equal(await page.locator("#new-description").getAttribute("aria-invalid"), "true");
    assert.match(
      (await page.locator("#new-description").getAttribute("aria-describedby")) ?? "",
      /\bnew-task-problem\b/,
    );
    await page.locator("#new-description").fill("");
    await waitForCount(list.getByRole("listitem"), 1);

    // The editor says the same.
    await page.getByRole("button", { name: `Edit “${emoji}”` }).click();
    await page.getByLabel("Task description").fill("d".repeat(1001));
    await page.getByLabel("Task description").press("Enter");
    await page.getByText("The description is 1001 characters long; at most 1000 fit.").waitFor();
    assert.equal((await page.getByLabel("Task description").inputValue()).length, 1001);
    // Read with the description, the field at fault; not with the title.
    assert.equal(await page.getByLabel("Task description").getAttribute("aria-invalid"), "true");
    assert.match((await page.getByLabel("Task description").getAttribute("aria-describedby")) ?? "", /-problem$/);
    assert.equal(await page.getByLabel("Task title", { exact: true }).getAttribute("aria-describedby"), null);
  });

  test("completing a task from the keyboard in the Pending tab keeps the focus in the list as the task leaves", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Kim");
    await addTask(page, "Leaves this tab");
    await page.getByRole("tab", { name: /^Pending/ }).click();
    const checkbox = page.getByRole("checkbox", { name: "Completed: “Leaves this tab”", checked: false });
    await checkbox.focus();
    await page.keyboard.press("Space");
    await page.getByText("No pending tasks.").waitFor();
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('role')"), "tabpanel");
  });

  test("an add whose answer was lost is made once, however it is retried", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Lou");
    // The first create reaches the API and is made; its answer never reaches the page.
    await addLosingTheAnswer(page, "Made on a train", true);
    await page.getByTestId("error").getByRole("button", { name: "Retry" }).click();
    const list = page.getByRole("list", { name: "Your tasks" });
    await list.getByText("Made on a train").waitFor();

    await page.reload();
    await list.getByText("Made on a train").waitFor();
    await waitForCount(list.getByText("Made on a train"), 1);
    await page.getByRole("tab", { name: "All (1)" }).waitFor();
  });

  for (const made of [true, false]) {
    test(`an add whose answer was lost (${made ? "made" : "not made"}), put right and sent again, makes one task, as put right`, async () => {
      const { page } = await newSignedInPage(browser, product.webUrl, made ? "Lia" : "Lev");
      await addLosingTheAnswer(page, "Buy mlik", made);
      // The typo put right, and the priority changed: then Enter.
      await page.getByLabel("New task title").fill("Buy milk");
      await page.getByLabel("Priority").selectOption("high");
      await page.getByLabel("New task title").press("Enter");
      const list = page.getByRole("list", { name: "Your tasks" });
      await list.getByText("Buy milk", { exact: true }).waitFor();

      await page.reload();
      await list.getByText("Buy milk", { exact: true }).waitFor();
      await page.getByRole("tab", { name: "All (1)" }).waitFor();
      assert.equal(await list.getByRole("listitem").count(), 1, "one task");
      assert.equal(await list.getByText("Buy mlik").count(), 0, "as put right");
      assert.match((await list.getByRole("listitem").textContent()) ?? "", /high/i, "with the priority as changed");
    });
  }

  test("an add whose answer was lost, then seen made in the list, stays as it is: the next add is another task", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Lyn");
    await addLosingTheAnswer(page, "Buy milk", true);
    // Another tab's list shows it: the person sees it was made.
    await page.getByRole("tab", { name: /^Pending/ }).click();
    const list = page.getByRole("list", { name: "Your tasks" });
    await list.getByText("Buy milk", { exact: true }).waitFor();
    await page.getByLabel("New task title").fill("Call mom");
    await page.getByLabel("New task title").press("Enter");
    await list.getByText("Call mom", { exact: true }).waitFor();
    await page.reload();
    await page.getByRole("tab", { name: "All (2)" }).waitFor();
    await list.getByText("Buy milk", { exact: true }).waitFor();
    await list.getByText("Call mom", { exact: true }).waitFor();
  });

  test("a reload that lands after another action failed leaves that failure's banner and its Retry", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Max");
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTaskAndItsReload(page, "Already here");

    // The reload after completing a task is held until after an add has failed (no answer).
    const { fire: release, fired: released } = signal();
    let heldList = false;
    let lostAdd = false;
    await page.route(
      (url) => url.href.startsWith(product.apiUrl) && url.pathname.endsWith("/tasks"),
      async (route) => {
        const method = route.request().method();
        if (method === "POST" && !lostAdd) {
          lostAdd = true;
          return route.abort("connectionreset");
        }
        if (method === "GET" && !heldList && route.request().url().includes("sort=created")) {
          heldList = true;
          await released;
        }
        return route.continue();
      },
    );
    await page.getByRole("checkbox", { name: "Completed: “Already here”", checked: false }).click();
    await page.getByLabel("New task title").fill("Added in a tunnel");
    await page.getByLabel("New task title").press("Enter");
    const banner = page.getByTestId("error");
    await banner.getByText(/Could not add the task/).waitFor();
    const reloaded = page.waitForResponse((response) => response.url().includes("sort=created"));
    release();
    await reloaded;
    await new Promise((resolve) => setTimeout(resolve, 500)); // time for the reload to be shown
    await banner.getByText(/Could not add the task/).waitFor({ timeout: 1_000 });
    await banner.getByRole("button", { name: "Retry" }).click();
    await list.getByText("Added in a tunnel").waitFor();
  });

  test("a browser whose clock is 20 minutes fast fetches one access token, not one a request", async () => {
    const context = await browser.newContext();
    // Before the page's own scripts: every Date.now() in the page reads 20 minutes ahead.
    await context.addInitScript(() => {
      const realNow = Date.now;
      Date.now = () => realNow() + 20 * 60_000;
    });
    const page = await context.newPage();
    await signUp(page, product.webUrl, newPerson("Sam"));
    let tokens = 0;
    page.on("request", (request) => {
      if (request.url().endsWith("/api/auth/token")) tokens++;
    });
    await addTask(page, "One");
    await addTask(page, "Two");
    await page.getByRole("checkbox", { name: "Completed: “One”", checked: false }).click();
    await page.getByRole("tab", { name: "Completed (1)" }).waitFor();
    assert.ok(tokens <= 1, `${tokens} token fetches for a handful of requests`);
    await context.close();
  });

  test("a task is overdue from the person's own midnight, not UTC's", async () => {
    // A zone where the date now differs from UTC's: 14 hours ahead from 10:00 UTC, 11 behind before.
    const timezoneId = new Date().getUTCHours() >= 10 ? "Pacific/Kiritimati" : "Pacific/Pago_Pago";
    const context = await browser.newContext({ timezoneId });
    const page = await context.newPage();
    await signUp(page, product.webUrl, newPerson("Tia"));
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: timezoneId }).format(new Date());
    const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    await addTask(page, "Due yesterday", { due: yesterday });
    await addTask(page, "Due today", { due: today });
    const list = page.getByRole("list", { name: "Your tasks" });
    await list.getByText(`Overdue: ${yesterday}`).waitFor({ timeout: 10_000 });
    await list.getByText(`Due ${today}`).waitFor();
    assert.equal(await list.getByText(`Overdue: ${today}`).count(), 0, "a task due today is not overdue");
    await context.close();
  });

  test("a page left open past the person's midnight shows the task due that day as overdue", async () => {
    const context = await browser.newContext({ timezoneId: "UTC" });
    await context.clock.install();
    const page = await context.newPage();
    await signUp(page, product.webUrl, newPerson("Ugo"));
    const today = new Date(Number(await page.evaluate("Date.now()"))).toISOString().slice(0, 10);
    await addTask(page, "Due today", { due: today });
    const list = page.getByRole("list", { name: "Your tasks" });
    await list.getByText(`Due ${today}`).waitFor();
    // Midnight passes with the page open and no one touching it, then a minute.
    await page.clock.setSystemTime(Date.parse(`${today}T00:00:00Z`) + 86_400_000);
    await page.clock.runFor(60_000);
    await list.getByText(`Overdue: ${today}`).waitFor({ timeout: 5_000 });
    await context.close();
  });
});
