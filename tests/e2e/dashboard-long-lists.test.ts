/**
 * The dashboard for someone with more tasks than one page: Show more, and loads and adds that
 * overlap them.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import {
  addTask,
  cutOffTaskApi,
  holdRequests,
  launchBrowser,
  newSignedInPage,
  seriousViolations,
  signal,
  startTestProduct,
  theirTasksApi,
  waitForCount,
  withPageTimeHeld,
} from "./product";

const product = await startTestProduct();
const browser = await launchBrowser();

/** The page's loads of its list and counts: the Task API, with a query. */
const listLoads = (url: URL) => url.href.startsWith(product.apiUrl) && url.search !== "";

/** Tasks "Task 001" to `count` straight through the API, one after another (the last is newest), then a reload. */
async function addTasksThroughApi(page: Page, count: number): Promise<void> {
  const { tasksUrl, headers } = await theirTasksApi(page, product);
  for (let n = 1; n <= count; n++) {
    const response = await fetch(tasksUrl, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ title: `Task ${String(n).padStart(3, "0")}` }),
    });
    assert.equal(response.status, 201);
  }
  await page.reload();
}

describe("the dashboard for someone with more tasks than one page", () => {
  test("Show more brings the next hundred, a change keeps them shown, another sort starts again", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Mo");
    await addTasksThroughApi(page, 150);
    const list = page.getByRole("list", { name: "Your tasks" });
    const rows = list.getByRole("listitem");
    await page.getByTestId("shown-count").getByText("Showing 100 of 150").waitFor();
    assert.equal(await rows.count(), 100);
    assert.equal(await list.getByText("Task 050", { exact: true }).count(), 0, "the 101st is not shown yet");

    // A "Show more" that fails leaves the focus on its button, to try again from there (it fell to the
    // top of the list, a hundred rows of controls above).
    const secondPage = (url: URL) => url.href.startsWith(product.apiUrl) && url.searchParams.get("offset") === "100";
    await page.route(secondPage, (route) => route.abort("connectionrefused"));
    await page.getByRole("button", { name: "Show 50 more" }).focus();
    await page.keyboard.press("Enter");
    await page
      .getByTestId("error")
      .getByText(/Could not load your tasks/)
      .waitFor();
    await page.getByRole("button", { name: "Show 50 more", disabled: false }).waitFor();
    assert.equal(await page.evaluate("document.activeElement?.textContent"), "Show 50 more", "the focus stays");
    await page.unrouteAll({ behavior: "wait" });

    await page.getByRole("button", { name: "Show 50 more" }).click();
    await page.getByTestId("shown-count").getByText("Showing 150 of 150").waitFor();
    assert.equal(await rows.count(), 150);
    assert.equal(await page.getByRole("button", { name: /^Show \d+ more$/ }).count(), 0, "nothing more to show");
    // (Moved there as the rows it brought are drawn, which may be a moment after they are on the page.)
    await page
      .waitForFunction("document.activeElement?.getAttribute('aria-label') === 'Completed: “Task 050”'", null, {
        timeout: 5_000,
      })
      .catch(() => {});
    assert.equal(
      await page.evaluate("document.activeElement?.getAttribute('aria-label')"),
      "Completed: “Task 050”",
      "the focus is on the first task it brought",
    );

    // Completing a task on the second page reloads the list: both pages stay.
    await page.getByRole("checkbox", { name: "Completed: “Task 001”", checked: false }).click();
    await page.getByRole("tab", { name: "Completed (1)" }).waitFor();
    await page.getByRole("checkbox", { name: "Completed: “Task 001”", checked: true }).waitFor();
    assert.equal(await rows.count(), 150);

    // Another sort is another list: one page again.
    await page.getByLabel("Sort by").selectOption("title");
    await list.getByText("Task 001", { exact: true }).waitFor();
    await page.getByTestId("shown-count").getByText("Showing 100 of 150").waitFor();
    await assert.doesNotReject(page.getByRole("button", { name: "Show 50 more" }).waitFor());
  });

  test("a task added while a reload that already shows it lands is counted once, in the list and the tabs", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Noor");
    await addTasksThroughApi(page, 101);
    const shownCount = page.getByTestId("shown-count");
    await shownCount.getByText("Showing 100 of 101").waitFor();

    // The add is made at once, but its answer reaches the page only after a reload that shows the
    // new task (completing another one); the reload that follows the add is then held back.
    const { fire: made, fired: addMade } = signal();
    const { fire: answerAdd, fired: addAnswered } = signal();
    let holdReloads = false;
    const { fire: releaseReloads, fired: reloadsReleased } = signal();
    await page.route(
      (url) => url.href.startsWith(product.apiUrl) && url.searchParams.get("limit") !== "1",
      async (route) => {
        const method = route.request().method();
        if (method === "POST") {
          const response = await route.fetch();
          made();
          await addAnswered;
          return route.fulfill({ response });
        }
        if (method === "GET" && holdReloads) await reloadsReleased;
        return route.continue();
      },
    );
    await page.getByLabel("New task title").fill("Brand new");
    await page.getByLabel("New task title").press("Enter");
    await addMade;
    await page.getByRole("checkbox", { name: "Completed: “Task 101”", checked: false }).click();
    const list = page.getByRole("list", { name: "Your tasks" });
    await list.getByText("Brand new", { exact: true }).waitFor(); // shown by the reload, counted in its 102
    await shownCount.getByText("Showing 100 of 102").waitFor();
    await page.getByRole("tab", { name: "All (102)" }).waitFor();

    holdReloads = true;
    try {
      answerAdd();
      // The form empties (its placeholder shows) in the render that shows the add's answer.
      await page.locator("#new-title:placeholder-shown").waitFor();
      assert.equal(await shownCount.textContent(), "Showing 100 of 102", "the new task is counted once");
      assert.equal(await list.getByText("Brand new", { exact: true }).count(), 1, "and shown once");
      // And once in the tabs: 101 pending (100 of the first tasks and the new one), 1 completed.
      assert.deepEqual(
        await page.getByRole("tab").allTextContents(),
        ["All (102)", "Pending (101)", "Completed (1)"],
        "the tabs count it once",
      );
    } finally {
      releaseReloads();
    }
    // The reload after the add agrees.
    await page.getByRole("tab", { name: "All (102)" }).waitFor();
    await shownCount.getByText("Showing 100 of 102").waitFor();
  });

  test("what is typed while an add is on its way stays when the add is answered", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Tove");
    const { fire: made, fired: addMade } = signal();
    const { fire: answerAdd, fired: addAnswered } = signal();
    await page.route(
      (url) => url.href.startsWith(product.apiUrl),
      async (route) => {
        if (route.request().method() !== "POST") return route.continue();
        const response = await route.fetch();
        made();
        await addAnswered;
        return route.fulfill({ response });
      },
    );
    const title = page.getByLabel("New task title");
    await title.fill("Buy milk");
    await title.press("Enter");
    await addMade;
    // The next task, typed before the first one's answer came.
    await title.fill("Call mom");
    answerAdd();
    await page.getByRole("list", { name: "Your tasks" }).getByText("Buy milk", { exact: true }).waitFor();
    assert.equal(await title.inputValue(), "Call mom", "the next task's title was wiped by the first one's answer");
    await page.unrouteAll({ behavior: "wait" });
    // Sent as it stands, it is added, and the form empties.
    await title.press("Enter");
    await page.getByRole("list", { name: "Your tasks" }).getByText("Call mom", { exact: true }).waitFor();
    await page.locator("#new-title:placeholder-shown").waitFor();
  });

  test("a first load refused for now (429 with Retry-After) is not asked for again sooner: the panel's Retry counts down, as the banner's does", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Jun");
    let asked = 0;
    await page.route(listLoads, (route) => {
      asked++;
      return route.fulfill({
        status: 429,
        headers: { "content-type": "application/problem+json", "retry-after": "4" },
        body: JSON.stringify({ type: "about:blank", title: "Too Many Requests", status: 429, detail: "Slow down." }),
      });
    });
    await page.reload();
    const panel = page.getByTestId("load-failed");
    await panel.getByText("Your tasks could not be loaded.").waitFor();
    const retry = panel.getByRole("button", { name: "Retry loading" });
    await retry.getByText(/in [1-4] s/).waitFor();
    const askedBefore = asked;
    // (Forced: Playwright would wait for a button that says it is busy, aria-disabled, to be free.)
    await retry.click({ force: true });
    // A press taken would say "Loading…" at once, and ask.
    await page.evaluate("new Promise((drawn) => requestAnimationFrame(() => setTimeout(drawn)))");
    assert.doesNotMatch(String(await retry.textContent()), /Loading/);
    assert.equal(asked, askedBefore, "nothing asked within the Retry-After");
    await page.unrouteAll({ behavior: "wait" });
    // Once the seconds are over, the press loads.
    await retry.getByText(/ in \d s/).waitFor({ state: "detached", timeout: 10_000 });
    await retry.click();
    await page.getByText("No tasks yet. Add your first one above.").waitFor();
  });

  test("the notice at the bottom hides nothing that has the focus: each control reached with Tab down the list is above it", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Noa", { heldClock: true });
    await page.setViewportSize({ width: 800, height: 600 });
    await addTasksThroughApi(page, 12);
    await page.getByRole("button", { name: "Delete “Task 012”" }).click();
    const undo = page.getByRole("button", { name: "Undo" });
    await undo.waitFor();
    const hidden = await withPageTimeHeld(page, async () => {
      await page.getByRole("checkbox", { name: "Completed: “Task 011”" }).focus();
      const found: string[] = [];
      for (let step = 0; step < 40; step++) {
        await page.keyboard.press("Tab");
        // (As text: these tests are compiled without the DOM's types.)
        const under = await page.evaluate(`(() => {
          const notice = [...document.querySelectorAll("button")].find((button) => button.textContent === "Undo")?.closest("li");
          const focused = document.activeElement;
          if (!notice || !focused || notice.contains(focused) || focused === document.body) return "";
          const [a, b] = [focused.getBoundingClientRect(), notice.getBoundingClientRect()];
          const overlaps = a.bottom > b.top && a.top < b.bottom && a.right > b.left && a.left < b.right;
          return overlaps ? focused.getAttribute("aria-label") || focused.textContent : "";
        })()`);
        if (under) found.push(String(under));
      }
      return found;
    });
    assert.deepEqual(hidden, [], "controls under the notice as they had the focus");
    assert.equal(await undo.isVisible(), true, "the notice was there throughout");
  });

  test("the placeholder shown while the list loads pulses, and stands still for a person who asks for less motion", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Rex");
    // (As text: these tests are compiled without the DOM's types.)
    const moving = async () =>
      Number(
        await page.evaluate(
          `[...document.querySelectorAll("[data-testid=loading-tasks] *")].filter((shape) => getComputedStyle(shape).animationName !== "none").length`,
        ),
      );
    for (const reducedMotion of ["no-preference", "reduce"] as const) {
      await page.emulateMedia({ reducedMotion });
      const load = await holdRequests(page, listLoads);
      await page.reload();
      await load.held;
      await page.getByTestId("loading-tasks").waitFor();
      if (reducedMotion === "reduce") assert.equal(await moving(), 0, "nothing moves");
      else assert.ok((await moving()) > 0, "the placeholder pulses");
      load.release();
      await page.getByText("No tasks yet. Add your first one above.").waitFor();
      await page.unrouteAll({ behavior: "wait" });
    }
  });

  test("a first load that fails says so instead of loading for ever; Retry loads", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Ines");
    await cutOffTaskApi(page, product.apiUrl);
    await page.reload();
    await page.getByTestId("error").waitFor();
    await page.getByTestId("load-failed").getByText("Your tasks could not be loaded.").waitFor();
    assert.equal(await page.getByTestId("loading-tasks").count(), 0, "no skeleton after the failure");
    // No counts came: the tabs say none rather than "(0)".
    assert.deepEqual(await page.getByRole("tab").allTextContents(), ["All", "Pending", "Completed"]);
    await page.unrouteAll({ behavior: "wait" });
    await page.getByTestId("error").getByRole("button", { name: "Retry" }).click();
    await page.getByText("No tasks yet. Add your first one above.").waitFor();
    assert.deepEqual(await page.getByRole("tab").allTextContents(), ["All (0)", "Pending (0)", "Completed (0)"]);
    assert.equal(await page.getByTestId("load-failed").count(), 0);

    // An add refused as typed (no title) leaves the failure and its own Retry.
    await addTask(page, "Already there");
    await cutOffTaskApi(page, product.apiUrl);
    await page.reload();
    await page.getByTestId("load-failed").waitFor();
    await page.getByLabel("New task title").press("Enter");
    await page.getByTestId("add-problem").getByText("Give the task a title.").waitFor();
    assert.equal(await page.getByTestId("load-failed").count(), 1, "still says the tasks could not be loaded");
    // Tried again while the API is still out: said (the banner's words are the same as before), and
    // the button is back.
    await page.getByTestId("load-failed").getByRole("button", { name: "Retry loading" }).click();
    await page.getByTestId("load-failed").getByText("Tried again: not loaded yet.").waitFor();
    await page.unrouteAll({ behavior: "wait" });
    await page.getByTestId("load-failed").getByRole("button", { name: "Retry loading" }).click();
    await page.getByRole("list", { name: "Your tasks" }).getByText("Already there").waitFor();
    // The button went with the failure: the focus is on the list, not at the top of the page.
    await page.waitForFunction("document.activeElement?.getAttribute('role') === 'tabpanel'").catch(() => {});
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('role')"), "tabpanel");
  });

  test("while another tab's list is on its way the list shown says it is busy; once it comes, how many is said", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Ada");
    await addTask(page, "Still to do");
    await addTask(page, "Done already");
    await page.getByRole("checkbox", { name: "Completed: “Done already”", checked: false }).check();
    await waitForCount(page.getByRole("tab", { name: "Completed (1)" }), 1);
    const list = page.getByRole("list", { name: "Your tasks" });
    await waitForCount(list.and(page.locator("[aria-busy=false]")), 1);
    const completedList = await holdRequests(
      page,
      (url) =>
        url.href.startsWith(product.apiUrl) &&
        url.searchParams.get("status") === "completed" &&
        url.searchParams.get("limit") !== "1",
    );
    await page.getByRole("tab", { name: "Completed (1)" }).click();
    await completedList.held;
    assert.equal(
      await list.getAttribute("aria-busy"),
      "true",
      "All's tasks, shown under Completed, say they are not its",
    );
    // They can still be used, so they stay readable (dimmed, their secondary text lacked contrast),
    // and what says they are on their way is seen as well as read.
    await page.getByTestId("list-loading").waitFor();
    assert.deepEqual(await seriousViolations(page), [], "the list shown while another loads");
    completedList.release();
    const announcement = page.getByTestId("list-announcement");
    await announcement.getByText("Found 1 task.").waitFor();
    await waitForCount(list.and(page.locator("[aria-busy=false]")), 1);
    assert.equal(await list.getByText("Still to do").count(), 0);
    assert.equal(await page.getByTestId("list-loading").count(), 0, "loaded: nothing says it is on its way");
    await page.getByRole("searchbox").fill("nothing like it");
    await announcement.getByText("Found no tasks.").waitFor();
  });

  test("a tab, search or sort whose load fails does not show another's tasks under it", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Otto");
    await addTask(page, "Still to do");
    await addTask(page, "Done already");
    await page.getByRole("checkbox", { name: "Completed: “Done already”", checked: false }).check();
    await waitForCount(page.getByRole("tab", { name: "Completed (1)" }), 1);
    const list = page.getByRole("list", { name: "Your tasks" });
    await cutOffTaskApi(page, product.apiUrl);
    // The Completed tab's load fails: the panel says so, and shows no pending task as completed.
    await page.getByRole("tab", { name: "Completed (1)" }).click();
    await page.getByTestId("load-failed").getByText("Your tasks could not be loaded.").waitFor();
    assert.equal(await list.count(), 0, "the All tab's tasks are not shown under Completed");
    // A search's too.
    await page.getByRole("tab", { name: "All (2)" }).click();
    await list.getByText("Still to do").waitFor(); // (the list All was loaded for, though its reload fails)
    // While the search's load is on its way, All's list stays and nothing is said to have failed (All's
    // own reload failed just before); once that load fails too, the panel says so.
    await page.unrouteAll({ behavior: "wait" });
    const searched = signal();
    const answer = signal();
    await page.route(
      (url) => url.href.startsWith(product.apiUrl) && url.searchParams.has("q"),
      async (route) => {
        searched.fire();
        await answer.fired;
        await route.abort("connectionrefused");
      },
    );
    await page.getByRole("searchbox").fill("nothing like it");
    await searched.fired;
    await list.getByText("Still to do").waitFor();
    assert.equal(await page.getByTestId("load-failed").count(), 0, "no failure said while the search's load is out");
    answer.fire();
    await page.getByTestId("load-failed").waitFor();
    assert.equal(await list.count(), 0, "the unfiltered tasks are not shown as the search's");
    // Once the API answers, Retry loads the list asked for.
    await page.unrouteAll({ behavior: "wait" });
    await page.getByTestId("load-failed").getByRole("button", { name: "Retry loading" }).click();
    await page.getByText("No tasks match “nothing like it”.").waitFor();
    await page.getByRole("searchbox").fill("");
    await page.getByRole("tab", { name: "Completed (1)" }).click();
    await list.getByText("Done already").waitFor();
    assert.equal(await list.getByText("Still to do").count(), 0);
  });

  test("where a tab's load fails, an edit kept open shows its task alone, without the other list's count or Show more", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Eli");
    await addTasksThroughApi(page, 101);
    await page.getByTestId("shown-count").getByText("Showing 100 of 101").waitFor();
    await page.getByRole("button", { name: "Edit “Task 101”" }).click();
    await page.getByLabel("Task title", { exact: true }).fill("Task 101, edited");
    await cutOffTaskApi(page, product.apiUrl);
    await page.getByRole("tab", { name: /^Pending/ }).click();
    await page
      .getByTestId("error")
      .getByText(/Could not load your tasks/)
      .waitFor();
    assert.equal(await page.getByLabel("Task title", { exact: true }).inputValue(), "Task 101, edited", "kept");
    assert.equal(await page.getByRole("list", { name: "Your tasks" }).getByRole("listitem").count(), 1);
    assert.equal(await page.getByTestId("shown-count").count(), 0, "no “Showing 1 of 101”");
    assert.equal(await page.getByRole("button", { name: /^Show \d+ more$/ }).count(), 0);
  });
});
