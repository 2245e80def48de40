/**
 * The dashboard in a real browser: the whole flow from sign-up to sign-out, editing in place,
 * the keyboard alone, a phone's width, two people apart, accessibility. What happens when
 * requests overlap or fail: dashboard-overlaps.test.ts; lists longer than a page:
 * dashboard-long-lists.test.ts.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { decodeJwt } from "jose";
import type { Locator, Page, Request } from "playwright-core";
import {
  accessToken,
  addTask,
  addTaskAndItsReload,
  contrastViolationsUnderPointer,
  deletesSentBy,
  drawnContrast,
  expectFitsWidth,
  expectSaidAgain,
  faintPlaceholders,
  fillSignInForm,
  holdPageTime,
  holdRequests,
  launchBrowser,
  listedAfterClose,
  newPerson,
  newSignedInPage,
  seriousViolations,
  signal,
  signUp,
  startTestProduct,
  theirTasksApi,
  waitForCount,
  withPageTimeHeld,
} from "./product";

const product = await startTestProduct();
const browser = await launchBrowser();
const artifacts = path.resolve(import.meta.dirname, "../../test-results");
mkdirSync(artifacts, { recursive: true });

describe("the dashboard in a real browser", () => {
  test("sign up, add, edit, complete, filter, search, delete (and undo), reload, sign out", async () => {
    const context = await browser.newContext();
    await context.clock.install(); // for withPageTimeHeld
    const page = await context.newPage();
    const apiCalls: { url: string; authorization?: string }[] = [];
    page.on("request", (request) => {
      if (request.url().startsWith(product.apiUrl) && request.method() !== "OPTIONS") {
        apiCalls.push({ url: request.url(), authorization: request.headers().authorization });
      }
    });
    const person = newPerson("Ada");

    await page.goto(`${product.webUrl}/tasks`);
    await page.waitForURL(/\/sign-in\?next=%2Ftasks|\/sign-in\?next=\/tasks/);
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.waitForURL(/\/sign-up/);
    await signUp(page, product.webUrl, person);
    await assert.doesNotReject(page.getByTestId("signed-in-email").getByText(person.email).waitFor());

    await addTask(page, "Buy milk", { priority: "high", due: "2020-01-01" });
    await addTask(page, "Write report");
    await addTask(page, "Call mum", { priority: "low" });
    const list = page.getByRole("list", { name: "Your tasks" });
    assert.deepEqual(await list.getByRole("listitem").locator("button[aria-label^='Edit']").allInnerTexts(), [
      "Call mum",
      "Write report",
      "Buy milk",
    ]);
    await list.getByText("Overdue: 2020-01-01").waitFor();
    // A badge says what it is: "high priority", not a bare "high".
    assert.deepEqual(await list.getByText(/ priority$/).allInnerTexts(), [
      "low priority",
      "medium priority",
      "high priority",
    ]);

    // Edit every field in place; Escape leaves the task as it was. While the task is read for its
    // editor (held here), the row says so.
    const read = await holdRequests(page, (url) => /\/tasks\/[0-9a-f-]{36}$/.test(url.pathname));
    await page.getByRole("button", { name: "Edit “Call mum”" }).click();
    await read.held;
    await list.getByRole("button", { name: "Edit “Call mum”" }).getByText("Opening…").waitFor();
    read.release();
    await page.getByLabel("Task title", { exact: true }).fill("Call dad");
    await page.getByLabel("Task title", { exact: true }).press("Escape");
    await list.getByRole("button", { name: "Edit “Call mum”" }).waitFor();
    assert.equal(await list.getByText("Call dad").count(), 0);
    assert.equal(
      await page.evaluate("document.activeElement?.getAttribute('aria-label')"),
      "Edit “Call mum”",
      "focus returns to the task the editor was opened from",
    );
    await page.getByRole("button", { name: "Edit “Write report”" }).click();
    // A title left empty is refused, and said again at each try (not once, then silence).
    await page.getByLabel("Task title", { exact: true }).fill("  ");
    await page.getByLabel("Task title", { exact: true }).press("Enter");
    const needsTitle = list.getByRole("alert").filter({ hasText: "A task needs a title." });
    await needsTitle.waitFor();
    await expectSaidAgain(page, needsTitle, () => page.getByLabel("Task title", { exact: true }).press("Enter"));
    await page.getByLabel("Task title", { exact: true }).fill("Write the report");
    await page.getByLabel("Task description").fill("Quarterly numbers");
    await page.getByLabel("Task priority").selectOption("high");
    await page.getByLabel("Task due date").fill("2099-01-31");
    await page.screenshot({ path: path.join(artifacts, "dashboard-editing.png") });
    await page.getByLabel("Task title", { exact: true }).press("Enter");
    await list.getByText("Write the report").waitFor();
    await list.getByText("Quarterly numbers").waitFor();
    await list.getByText("Due 2099-01-31").waitFor();

    // Complete, then filter.
    // A click, then its outcome (Playwright's check() reads the box at once, before React has drawn it).
    await page.getByRole("checkbox", { name: "Completed: “Buy milk”", checked: false }).click();
    await page.getByRole("checkbox", { name: "Completed: “Buy milk”", checked: true }).waitFor();
    await page.getByRole("tab", { name: /Completed \(1\)/ }).waitFor();
    await page.getByRole("tab", { name: /Completed/ }).click();
    await list.getByText("Buy milk").waitFor();
    await waitForCount(list.getByRole("listitem"), 1);
    await page.getByRole("tab", { name: /Pending/ }).click();
    await list.getByText("Call mum").waitFor();
    await waitForCount(list.getByRole("listitem"), 2);
    // The filter is a tab list: arrow keys move between its tabs.
    await page.getByRole("tab", { name: /Pending/ }).press("ArrowLeft");
    await waitForCount(page.getByRole("tab", { name: /All/, selected: true }), 1);
    await waitForCount(list.getByRole("listitem"), 3);

    // Search.
    await page.getByLabel("Search tasks").fill("report");
    await waitForCount(list.getByRole("listitem"), 1);
    await page.getByLabel("Search tasks").fill("");
    await waitForCount(list.getByRole("listitem"), 3);

    // Delete with undo, then delete for real.
    const deletesSent = deletesSentBy(page);
    await withPageTimeHeld(page, async () => {
      await page.getByRole("button", { name: "Delete “Call mum”" }).click();
      await waitForCount(list.getByText("Call mum"), 0);
      await page.getByRole("button", { name: "Undo" }).click();
      await list.getByText("Call mum").waitFor();
    });
    // This time the undo window passes: the notice goes and the delete is sent (and only then).
    const deleteSent = page.waitForRequest((request) => request.method() === "DELETE", { timeout: 15_000 });
    const deletedAt = Date.now();
    await page.getByRole("button", { name: "Delete “Call mum”" }).click();
    assert.equal(await (await (await deleteSent).response())?.status(), 204);
    assert.ok(Date.now() - deletedAt >= 4_000, "sent once the undo window closed, not at once");

    await page.reload();
    await list.getByText("Write the report").waitFor();
    await list.getByText("Quarterly numbers").waitFor();
    await list.getByText("Due 2099-01-31").waitFor();
    assert.equal(deletesSent.length, 1, "one DELETE in all: the undone one was never sent");
    assert.deepEqual((await list.locator("button[aria-label^='Edit']").allInnerTexts()).sort(), [
      "Buy milk",
      "Write the report",
    ]);
    assert.equal(
      await page.getByRole("checkbox", { name: "Completed: “Buy milk”" }).isChecked(),
      true,
      "completion persisted",
    );
    await page.screenshot({ path: path.join(artifacts, "dashboard-light.png"), fullPage: true });

    // Every call to the Task API carried a Bearer token with exactly the contract's claims.
    assert.ok(apiCalls.length >= 5);
    for (const call of apiCalls) assert.match(call.authorization ?? "", /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, call.url);
    const claims = decodeJwt((apiCalls[0]?.authorization ?? "").slice("Bearer ".length));
    assert.deepEqual(Object.keys(claims).sort(), ["aud", "email", "exp", "iat", "iss", "sid", "sub"]);
    // `sid` is the session's id, never the session's cookie token.
    assert.match(String(claims.sid), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const sessionCookie = (await page.context().cookies()).find((cookie) => cookie.name.endsWith("session_token"));
    assert.ok(sessionCookie, "signed in with a session cookie");
    assert.ok(!decodeURIComponent(sessionCookie.value).includes(String(claims.sid)), "sid is not the cookie's token");
    assert.equal(claims.email, person.email);
    assert.equal(claims.iss, product.webUrl);
    assert.equal(claims.aud, product.apiUrl);
    assert.equal(Number(claims.exp) - Number(claims.iat), 15 * 60);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    await page.goto(`${product.webUrl}/tasks`);
    await page.waitForURL(/\/sign-in\?next=/);
    await context.close();
  });

  test("an edit of a task changed in another tab is not lost: the page says so and offers the current version", async () => {
    const { context, page: tabA } = await newSignedInPage(browser, product.webUrl, "Eve");
    await addTask(tabA, "Plan the trip");
    const tabB = await context.newPage();
    await tabB.goto(`${product.webUrl}/tasks`);
    await tabB.getByText("Plan the trip").waitFor();

    // Tab A starts editing (reading the task and its ETag)…
    await tabA.bringToFront();
    await tabA.getByRole("button", { name: "Edit “Plan the trip”" }).click();
    await tabA.getByLabel("Task title", { exact: true }).fill("Plan the trip to Rome");
    // …while tab B renames the same task and gives it a high priority and a due date.
    await tabB.bringToFront();
    await tabB.getByRole("button", { name: "Edit “Plan the trip”" }).click();
    await tabB.getByLabel("Task title", { exact: true }).fill("Plan the trip to Oslo");
    await tabB.getByLabel("Task priority", { exact: true }).selectOption("high");
    await tabB.getByLabel("Task due date", { exact: true }).fill("2031-05-01");
    await tabB.getByLabel("Task title", { exact: true }).press("Enter");
    await tabB.getByText("Plan the trip to Oslo").waitFor();

    await tabA.bringToFront();
    const save = await holdRequests(tabA, (url) => url.href.startsWith(product.apiUrl));
    await tabA.getByLabel("Task title", { exact: true }).press("Enter");
    // While the save is on its way, the person goes on typing: a due date of their own.
    await save.held;
    await tabA.getByLabel("Task due date", { exact: true }).fill("2032-01-01");
    save.release();
    // Tab A's save is refused (412): the editor stays, with the person's text, and shows the current version.
    await tabA
      .getByRole("alert")
      .getByText(/changed elsewhere.*“Plan the trip to Oslo”/)
      .waitFor();
    await tabA.unrouteAll({ behavior: "wait" });
    assert.equal(await tabA.getByLabel("Task title", { exact: true }).inputValue(), "Plan the trip to Rome");
    // What tab A had not changed shows tab B's values: the form shows what "Save mine anyway" stores.
    assert.equal(await tabA.getByLabel("Task priority", { exact: true }).inputValue(), "high");
    // What was typed during the save stays.
    assert.equal(await tabA.getByLabel("Task due date", { exact: true }).inputValue(), "2032-01-01");
    // The person puts the priority back as it was when they began: that is a change of theirs, and is saved.
    await tabA.getByLabel("Task priority", { exact: true }).selectOption("medium");
    await tabA.getByRole("button", { name: "Save mine anyway" }).click();
    const saved = tabA.getByRole("list", { name: "Your tasks" }).getByRole("listitem").filter({ hasText: "Rome" });
    await saved.getByText("medium priority", { exact: true }).waitFor();
    await saved.getByText("Due 2032-01-01").waitFor();
    await tabB.reload();
    const reloaded = tabB.getByRole("listitem").filter({ hasText: "Plan the trip to Rome" });
    await reloaded.getByText("medium priority", { exact: true }).waitFor();
    await reloaded.getByText("Due 2032-01-01").waitFor();
    await context.close();
  });

  test("an edit saved after another device completed the task is saved: nothing it shows changed, so nothing is asked", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Tom");
    await addTask(page, "Buy milk");
    await page.getByRole("button", { name: "Edit “Buy milk”" }).click();
    await page.getByLabel("Task title", { exact: true }).fill("Buy oat milk");
    // The phone ticks it while the editor is open (a new version, so a new ETag).
    const { tasksUrl, headers } = await theirTasksApi(page, product);
    const [listed] = (await (await fetch(tasksUrl, { headers })).json()) as { id: string }[];
    const ticked = await fetch(`${tasksUrl}/${listed?.id}/complete`, { method: "PATCH", headers });
    assert.equal(ticked.status, 200);

    await page.getByLabel("Task title", { exact: true }).press("Enter");
    await page.getByRole("checkbox", { name: "Completed: “Buy oat milk”", checked: true }).waitFor();
    assert.equal(await page.getByText("changed elsewhere").count(), 0, "no conflict to settle");
    const stored = (await (await fetch(`${tasksUrl}/${listed?.id}`, { headers })).json()) as Record<string, unknown>;
    assert.equal(stored.title, "Buy oat milk");
    assert.equal(stored.completed, true, "the phone's completion is kept");
  });

  test("a task deleted just before the page closes (inside the undo window) is deleted all the same", async () => {
    const { context, page } = await newSignedInPage(browser, product.webUrl, "Ida");
    await addTask(page, "Keep this one");
    await addTask(page, "Delete then close");
    await page.getByRole("button", { name: "Delete “Delete then close”" }).click();
    await page.getByRole("button", { name: "Undo" }).waitFor();
    await page.close();

    const titles = { kept: "Keep this one", deleted: "Delete then close" };
    assert.equal(await listedAfterClose(context, product.webUrl, titles), 0);
    await context.close();
  });

  test("the Undo notice taken away as the page is hidden, with the focus on its Undo: the focus goes to the list", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Hal");
    await addTask(page, "Stays");
    await addTask(page, "Gone while away");
    const deleteSent = page.waitForRequest((request) => request.method() === "DELETE");
    await page.getByRole("button", { name: "Delete “Gone while away”" }).click();
    const undo = page.getByRole("button", { name: "Undo" });
    await undo.focus(); // (which holds its five seconds)
    // Another browser tab shown: the page is hidden, and the delete goes at once, its notice with it.
    // (Script as text: this file is typed for Node, without the DOM's names.)
    await page.evaluate(`Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));`);
    await deleteSent;
    await waitForCount(undo, 0);
    await page.evaluate("delete document.visibilityState");
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('role')"), "tabpanel");
  });

  test("Undo kept until the notice is closed, chosen on the account page for this browser: nothing is sent before", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Una", { heldClock: true });
    const chooseUntilClosed = async (on: boolean, said: string) => {
      await page.goto(`${product.webUrl}/account`);
      const section = page.getByRole("region", { name: "Undo after a delete" });
      await section.getByLabel("Keep Undo until I close it", { exact: true }).setChecked(on);
      await section.getByText(said).waitFor();
      await page.goto(`${product.webUrl}/tasks`);
    };
    await chooseUntilClosed(true, "Undo now stays until you close it.");
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTask(page, "Stays");
    await addTask(page, "Take your time");
    const deletesSent = deletesSentBy(page);
    const undo = page.getByRole("button", { name: "Undo" });
    await page.getByRole("button", { name: "Delete “Take your time”" }).click();
    await page.mouse.move(0, 0); // not pointing at the notice, which would hold a countdown
    await page.clock.runFor(60_000);
    assert.equal(await undo.count(), 1, "a minute on, Undo is still offered");
    assert.deepEqual(deletesSent, [], "and nothing was sent");
    await undo.click();
    await list.getByText("Take your time").waitFor();
    // Closed with ×, the notice sends its delete.
    await page.getByRole("button", { name: "Delete “Take your time”" }).click();
    const sent = page.waitForRequest((request) => request.method() === "DELETE");
    await page.getByRole("button", { name: "Dismiss" }).click();
    await sent;
    assert.equal(deletesSent.length, 1);

    // Chosen back, Undo lasts its 5 seconds again.
    await chooseUntilClosed(false, "Undo now lasts 5 seconds.");
    await page.getByRole("button", { name: "Delete “Stays”" }).click();
    await page.mouse.move(0, 0);
    const sentAgain = page.waitForRequest((request) => request.method() === "DELETE");
    await page.clock.runFor(6_000);
    await sentAgain;
    await waitForCount(undo, 0);
  });

  /** A signed-in page (its clock installed) showing one task; then the phone adds `phoneTitle`. */
  async function onePageThenThePhone(name: string, phoneTitle: string): Promise<Page> {
    const { page } = await newSignedInPage(browser, product.webUrl, name, { heldClock: true });
    // Its reload answered too: one landing later would count as the list's coming, after the clock moved.
    await addTaskAndItsReload(page, "Mine");
    await page.getByRole("tab", { name: "All (1)" }).waitFor();
    const { tasksUrl, headers } = await theirTasksApi(page, product);
    const made = await fetch(tasksUrl, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ title: phoneTitle }),
    });
    assert.equal(made.status, 201);
    return page;
  }

  test("a tab come back to after a while shows what another device changed meanwhile", async () => {
    const page = await onePageThenThePhone("Ben", "From the phone");
    const list = page.getByRole("list", { name: "Your tasks" });
    const listsAsked: string[] = [];
    page.on("request", (request) => {
      if (/\/tasks\?/.test(request.url())) listsAsked.push(request.url());
    });
    // Shown again within half a minute: nothing asked (a tab switched to and fro costs nothing).
    await page.clock.runFor(10_000);
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    // Shown again later: the list and its counts come again.
    await page.clock.runFor(25_000);
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await list.getByText("From the phone").waitFor();
    await page.getByRole("tab", { name: "All (2)" }).waitFor();
    // One load in all (its list and the two counts): none when the tab came back within half a minute.
    assert.equal(listsAsked.length, 3, listsAsked.join(" "));
  });

  test("a tab come back to after the computer slept shows what changed meanwhile, though the page's monotonic clock stood still", async () => {
    const page = await onePageThenThePhone("Bea", "From the phone overnight");
    // Eight hours asleep: the wall clock moves on, performance.now() does not (setSystemTime moves
    // the one alone, as a sleep on Linux and macOS does).
    await page.clock.setSystemTime(Number(await page.evaluate("Date.now()")) + 8 * 3600_000);
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await page.getByRole("list", { name: "Your tasks" }).getByText("From the phone overnight").waitFor();
    await page.getByRole("tab", { name: "All (2)" }).waitFor();
  });

  test("the tab and sort are kept in the address, the search in the tab for its person until sign-out: Back, a reload and a sign-in on the way show the same list", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Ivy");
    for (const title of ["Buy milk", "Walk the dog", "Buy bread"]) await addTask(page, title);
    for (const title of ["Buy milk", "Buy bread", "Walk the dog"]) {
      await page.getByRole("checkbox", { name: `Completed: “${title}”`, checked: false }).click();
      await page.getByRole("checkbox", { name: `Completed: “${title}”`, checked: true }).waitFor();
    }
    await addTask(page, "Buy stamps"); // pending
    const list = page.getByRole("list", { name: "Your tasks" });
    const titles = () => list.getByRole("listitem").locator("button[aria-label^='Edit']").allInnerTexts();
    await page.getByRole("tab", { name: /Completed/ }).click();
    await page.getByLabel("Sort by").selectOption("title");
    await page.getByLabel("Search tasks").fill("buy");
    await page.waitForURL(`${product.webUrl}/tasks?status=completed&sort=title`);
    const shownAsAsked = async (where: string) => {
      await waitForCount(page.getByRole("tab", { name: /Completed/, selected: true }), 1);
      assert.equal(await page.getByLabel("Sort by").inputValue(), "title", where);
      // The search kept in the tab is put back once the page has started (the server's drawing has
      // none), and its list loaded after: the list of two is the sign that it was.
      await waitForCount(list.getByRole("listitem"), 2);
      assert.equal(await page.getByLabel("Search tasks").inputValue(), "buy", where);
      assert.deepEqual(await titles(), ["Buy bread", "Buy milk"], where);
      // What a person searches for is theirs: not in the address, the history or a bookmark.
      assert.equal(page.url(), `${product.webUrl}/tasks?status=completed&sort=title`, where);
    };
    await shownAsAsked("as chosen");

    // Back from another page of the app: Next.js draws it from what the server sent for its first
    // load (All, newest first, no search), the view comes from the address and the tab.
    await page.getByRole("link", { name: "Account" }).click();
    await page.waitForURL(`${product.webUrl}/account`);
    await page.goBack();
    await shownAsAsked("back from the account page");
    // The account page's own way back shows the same list as Back.
    await page.getByRole("link", { name: "Account" }).click();
    await page.getByRole("link", { name: "Back to your tasks" }).click();
    await shownAsAsked("through the account page's Back to your tasks");
    await page.reload();
    await shownAsAsked("reloaded");
    // Signed out, the same address (a bookmark) leads through sign-in back to the same list.
    const address = page.url();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    await page.goto(address);
    await page.waitForURL(/\/sign-in\?next=/);
    await (await fillSignInForm(page, person)).click();
    await page.waitForURL(address);
    // The tab and sort; the search went with the sign-out (not left in the tab for the next person).
    await waitForCount(page.getByRole("tab", { name: /Completed/, selected: true }), 1);
    assert.equal(await page.getByLabel("Sort by").inputValue(), "title");
    await waitForCount(list.getByRole("listitem"), 3);
    assert.deepEqual(await titles(), ["Buy bread", "Buy milk", "Walk the dog"]);
    assert.equal(await page.getByLabel("Search tasks").inputValue(), "");
    // Nothing of hers kept in the tab but the address shown now (its tab and sort, as the address bar).
    assert.deepEqual(await page.evaluate("Object.keys(sessionStorage)"), [
      `tasks:address:${String(decodeJwt(await accessToken(page, product.webUrl)).sub)}`,
    ]);
    // Someone else signing in in this tab gets the tab and sort the address asks for, and no search.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    await signUp(page, product.webUrl, newPerson("Jon"));
    await page.goto(address);
    await waitForCount(page.getByRole("tab", { name: /Completed/, selected: true }), 1);
    await page.getByText("No completed tasks yet.").waitFor();
    assert.equal(await page.getByLabel("Search tasks").inputValue(), "");

    // What the page does not offer is the default; the default view leaves the address plain.
    await page.goto(`${product.webUrl}/tasks?status=archived&sort=updated`);
    await waitForCount(page.getByRole("tab", { name: /All/, selected: true }), 1);
    assert.equal(await page.getByLabel("Sort by").inputValue(), "created");
    await page.waitForURL(`${product.webUrl}/tasks`);
  });

  test("a task deleted from the keyboard hands the focus to the task now in its place, or the last one", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Dot", { heldClock: true });
    for (const title of ["One", "Two", "Three"]) await addTask(page, title);
    const focusedName = () => page.evaluate("document.activeElement?.getAttribute('aria-label')");
    const deleteWithEnter = async (title: string, focusGoesTo: string) => {
      await page.getByRole("button", { name: `Delete “${title}”` }).focus();
      await page.keyboard.press("Enter");
      await page
        .waitForFunction(`document.activeElement?.getAttribute("aria-label") === ${JSON.stringify(focusGoesTo)}`)
        .catch(() => {});
      assert.equal(await focusedName(), focusGoesTo, `after “${title}”`);
    };
    // Newest first: Three, Two, One. The middle one goes: the one after it takes its place.
    await deleteWithEnter("Two", "Completed: “One”");
    // The last one goes: the one before it.
    await deleteWithEnter("One", "Completed: “Three”");

    // In the Pending tab, a task ticked, and the person on to another before the first's answer: the
    // first leaves the tab, and the focus stays where the person is.
    await addTask(page, "Four");
    await addTask(page, "Five");
    await page.getByRole("tab", { name: /^Pending/ }).click();
    await page.getByRole("checkbox", { name: "Completed: “Four”" }).waitFor();
    const { fire: release, fired: released } = signal();
    const { fire: arrived, fired: held } = signal();
    await page.route(
      (url) => url.href.startsWith(product.apiUrl),
      async (route) => {
        if (route.request().method() !== "PATCH") return route.fallback();
        arrived();
        await released;
        return route.fallback();
      },
    );
    await page.getByRole("checkbox", { name: "Completed: “Four”" }).focus();
    await page.keyboard.press("Space");
    await held;
    // (Five is above Four: had the focus been taken to Four's place, it would be on Three.)
    await page.getByRole("checkbox", { name: "Completed: “Five”" }).focus();
    release();
    await waitForCount(page.getByRole("checkbox", { name: "Completed: “Four”" }), 0);
    assert.equal(await focusedName(), "Completed: “Five”", "the focus stayed on the task the person went on to");
  });

  test("a save whose new title takes its task out of the search leaves the focus in the list, not at the top of the page", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Sol");
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTask(page, "Water the garden");
    await addTask(page, "Weed the garden");
    await page.getByLabel("Search tasks").fill("garden");
    await page.getByText("Found 2 tasks").waitFor({ state: "attached" });
    // While the task is read for the editor, the focus stays on its title (a disabled button would drop it).
    const { fire: release, fired: released } = signal();
    await page.route(
      (target) => target.href.startsWith(product.apiUrl) && /\/tasks\/[0-9a-f-]{36}$/.test(target.pathname),
      async (route) => (route.request().method() === "GET" ? released.then(() => route.fallback()) : route.fallback()),
    );
    const edit = list.getByRole("button", { name: "Edit “Water the garden”" });
    await edit.focus();
    const read = page.waitForRequest((request) => /\/tasks\/[0-9a-f-]{36}$/.test(new URL(request.url()).pathname));
    await page.keyboard.press("Enter");
    await read;
    await page.evaluate("new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)))");
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('aria-label')"), "Edit “Water the garden”");
    release();
    await page.getByLabel("Task title", { exact: true }).fill("Mow the lawn");
    await page.getByLabel("Task title", { exact: true }).press("Enter");
    await waitForCount(list.getByRole("listitem"), 1); // it left the search
    await page.waitForFunction("document.activeElement?.getAttribute('role') === 'tabpanel'").catch(() => {});
    assert.equal(await page.evaluate("document.activeElement?.getAttribute('role')"), "tabpanel");
    // Moved on by the person (the search field), the focus stays there when the list changes again.
    await page.getByLabel("Search tasks").fill("weed");
    await page.getByText("Found 1 task").waitFor({ state: "attached" });
    await list.getByRole("button", { name: "Edit “Weed the garden”" }).waitFor();
    assert.equal(await page.evaluate("document.activeElement?.id"), "search");
  });

  test("on a phone: a title with no spaces wraps and its Undo stays on the screen; a description keeps its lines; right-to-left text runs its way; a 503's Retry-After counts down", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Pia", { heldClock: true });
    await page.setViewportSize({ width: 375, height: 740 });
    assert.equal(await page.getByRole("main").count(), 1, "the page has its main landmark");
    // The date field is labelled where it is seen (empty, it shows only "mm/dd/yyyy").
    const dueLabel = await page.locator('label[for="new-due"]').boundingBox();
    assert.ok(dueLabel && dueLabel.width > 10, `"Due" is seen beside the date field (${JSON.stringify(dueLabel)})`);
    const onScreen = async (locator: Locator, what: string) => {
      const box = await locator.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 375, `${what} is on the screen (${JSON.stringify(box)})`);
    };

    // (No hyphen either: a browser may break a line after one.)
    const url = `https://example.com/${"averylongpathwithnospaceinit/".repeat(5)}end`;
    await addTask(page, url);
    await onScreen(page.getByRole("button", { name: `Delete “${url}”` }), "its Delete button");
    await expectFitsWidth(page, "nothing makes the page wider than the screen");
    await holdPageTime(page); // the undo window ends when the test says
    await page.getByRole("button", { name: `Delete “${url}”` }).click();
    const undo = page.getByRole("button", { name: "Undo" });
    await onScreen(undo, "Undo");
    await undo.click();
    await page.getByRole("button", { name: `Edit “${url}”` }).waitFor();
    await page.clock.runFor(5_000);
    // A failure that names it, and a search for it that finds nothing, wrap too.
    await page.route(
      (target) => target.href.startsWith(product.apiUrl),
      (route) => (route.request().method() === "PATCH" ? route.abort("connectionreset") : route.fallback()),
    );
    await page.getByRole("checkbox", { name: `Completed: “${url}”` }).click();
    const failed = page.getByTestId("error");
    await failed.getByText("Could not update", { exact: false }).waitFor();
    await onScreen(failed.getByRole("button", { name: "Retry" }), "the banner's Retry");
    await expectFitsWidth(page, "the banner does not make the page wider than the screen");
    await page.unrouteAll({ behavior: "wait" });
    await failed.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("checkbox", { name: `Completed: “${url}”`, checked: true }).waitFor();
    await page.getByLabel("Search tasks").fill(`${url}/more`);
    await page.clock.runFor(1_000); // the search waits for typing to pause
    await page.getByText("No tasks match", { exact: false }).waitFor();
    await expectFitsWidth(page, "an empty search's words do not make the page wider than the screen");
    await page.getByLabel("Search tasks").fill("");
    await page.clock.runFor(1_000);
    await page.getByRole("button", { name: `Edit “${url}”` }).waitFor();
    // An edit refused because another device renamed the task meanwhile: the message naming the new title wraps.
    await page.getByRole("button", { name: `Edit “${url}”` }).click();
    await page.getByLabel("Task title", { exact: true }).fill("Mine");
    const { tasksUrl, headers } = await theirTasksApi(page, product);
    const [long] = (await (await fetch(tasksUrl, { headers })).json()) as { id: string }[];
    const renamed = await fetch(`${tasksUrl}/${long?.id}`, {
      method: "PATCH",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ title: `${url}/renamed` }),
    });
    assert.equal(renamed.status, 200, await renamed.text());
    await page.getByLabel("Task title", { exact: true }).press("Enter");
    await page.getByRole("alert").getByText(`It now reads “${url}/renamed”`, { exact: false }).waitFor();
    await onScreen(page.getByRole("button", { name: "Keep theirs" }), "the editor's Keep theirs");
    await expectFitsWidth(page, "the conflict's message does not make the page wider than the screen");
    await page.getByRole("button", { name: "Keep theirs" }).click();
    await page.getByRole("button", { name: `Edit “${url}/renamed”` }).waitFor();

    // Lines typed with Shift+Enter (Enter adds), shown as lines, and kept through an edit.
    await page.getByLabel("New task title").fill("Shopping");
    await page.getByLabel("Description", { exact: true }).fill("eggs");
    await page.getByLabel("Description", { exact: true }).press("Shift+Enter");
    await page.getByLabel("Description", { exact: true }).pressSequentially("bread");
    await page.getByLabel("Description", { exact: true }).press("Enter");
    const list = page.getByRole("list", { name: "Your tasks" });
    await list.getByText("Shopping", { exact: true }).waitFor();
    // biome-ignore lint/performance/useDomNodeTextContent: the lines as shown, not the text
    assert.equal(await list.locator("p", { hasText: "eggs" }).innerText(), "eggs\nbread", "shown as two lines");
    await list.getByRole("button", { name: "Edit “Shopping”" }).click();
    const description = page.getByLabel("Task description");
    assert.equal(await description.inputValue(), "eggs\nbread", "the editor shows both lines");
    await description.press("ControlOrMeta+End");
    await description.pressSequentially(", butter");
    await description.press("Enter");
    await list.getByRole("button", { name: "Edit “Shopping”" }).waitFor();
    const stored = await fetch(`${tasksUrl}?q=Shopping`, { headers });
    assert.deepEqual(
      ((await stored.json()) as { description: string }[]).map((task) => task.description),
      ["eggs\nbread, butter"],
    );

    await addTask(page, "مرحبا بالعالم: اشترِ الخبز!");
    const arabic = page.getByRole("button", { name: "Edit “مرحبا بالعالم: اشترِ الخبز!”" });
    const direction = `getComputedStyle(document.querySelector(${JSON.stringify(`[aria-label="Edit “مرحبا بالعالم: اشترِ الخبز!”"]`)})).direction`;
    await arabic.waitFor();
    assert.equal(await page.evaluate(direction), "rtl", "a right-to-left title runs right to left");

    // The Task API's 503 says when to try again: Retry waits for it, as for a 429.
    await page.route(
      (target) => target.href.startsWith(product.apiUrl),
      (route) =>
        route.request().method() === "PATCH"
          ? route.fulfill({
              status: 503,
              headers: {
                "content-type": "application/problem+json",
                "retry-after": "5",
                // As the API's CORS answers say, so that the page may read it.
                "access-control-allow-origin": product.webUrl,
                "access-control-expose-headers": "Retry-After",
              },
              body: JSON.stringify({ type: "about:blank", title: "Service Unavailable", status: 503, detail: "Down." }),
            })
          : route.fallback(),
    );
    await page.getByRole("checkbox", { name: "Completed: “Shopping”" }).click();
    const banner = page.getByTestId("error");
    await banner.getByText(/The task service is unavailable/).waitFor();
    assert.equal(await banner.getByRole("button").textContent(), "Retry in 5 s");
  });

  test("everything works from the keyboard alone: add, complete, edit, delete and undo", async () => {
    const { context, page } = await newSignedInPage(browser, product.webUrl, "Kay", { heldClock: true });
    const focused = () =>
      page.evaluate("document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent");
    /** Presses Tab until the element with this accessible label has the focus. */
    const tabTo = async (label: string) => {
      for (let i = 0; i < 25 && (await focused()) !== label; i++) await page.keyboard.press("Tab");
      assert.equal(await focused(), label, `Tab reaches ${label}`);
    };
    const list = page.getByRole("list", { name: "Your tasks" });

    await page.getByLabel("New task title").focus();
    await page.keyboard.type("Water the plants");
    await page.keyboard.press("Enter");
    await list.getByText("Water the plants").waitFor();
    // A screen reader hears that it was added (the form empties, and the list is elsewhere).
    await page.getByRole("status").filter({ hasText: "Added “Water the plants”." }).waitFor({ state: "attached" });

    await tabTo("Completed: “Water the plants”");
    await page.keyboard.press("Space");
    await page.getByRole("checkbox", { name: "Completed: “Water the plants”", checked: true }).waitFor();
    // Its name stays as it is ticked: a screen reader says "checked" (a name that flipped to "Mark …
    // as pending" read as "Mark … as pending, checked").
    assert.equal(await focused(), "Completed: “Water the plants”");

    await tabTo("Edit “Water the plants”");
    await page.keyboard.press("Enter");
    await page.getByLabel("Task title", { exact: true }).waitFor();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("Water the garden");
    await page.keyboard.press("Enter");
    await list.getByRole("button", { name: "Edit “Water the garden”" }).waitFor();
    // (The focus goes there as the saved row is drawn, which may be a moment after it is on the page.)
    await page
      .waitForFunction("document.activeElement?.getAttribute('aria-label') === 'Edit “Water the garden”'", null, {
        timeout: 5_000,
      })
      .catch(() => {});
    assert.equal(await focused(), "Edit “Water the garden”", "focus is back on the task after saving");

    const deletesSent = deletesSentBy(page);
    await withPageTimeHeld(page, async () => {
      await tabTo("Delete “Water the garden”");
      await page.keyboard.press("Enter");
      await page.getByText("No tasks yet").waitFor();
      await page.keyboard.press("F8"); // Radix's hotkey to the notifications
      await tabTo("Undo");
      await page.keyboard.press("Enter");
      await list.getByText("Water the garden").waitFor();
      // The notice goes from under the focus: it goes to the list, not to the empty notifications area.
      assert.equal(await page.evaluate("document.activeElement?.getAttribute('role')"), "tabpanel");
    });
    // Undone means never sent: leaving the page would send a pending delete at once.
    await page.reload();
    await list.getByText("Water the garden").waitFor();
    assert.equal(deletesSent.length, 0, "the undone delete was never sent");
    await context.close();
  });

  test("a save made though its answer was lost, sent again, is taken as saved, not as a change made elsewhere", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Lou");
    await addTask(page, "Call the bank");
    const list = page.getByRole("list", { name: "Your tasks" });
    let lost = false;
    await page.route(
      (url) => url.href.startsWith(product.apiUrl),
      async (route) => {
        if (route.request().method() !== "PATCH" || lost) return route.fallback();
        lost = true;
        await route.fetch(); // made by the API…
        await route.abort("connectionreset"); // …but its answer never comes
      },
    );
    await page.getByRole("button", { name: "Edit “Call the bank”" }).click();
    await page.getByLabel("Task title", { exact: true }).fill("Call the bank about the card");
    await page.getByLabel("Task title", { exact: true }).press("Enter");
    await page.getByText(/Could not save your changes/).waitFor();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await list.getByRole("button", { name: "Edit “Call the bank about the card”" }).waitFor();
    assert.equal(await page.getByText("changed elsewhere").count(), 0, "its own save is no change made elsewhere");
    assert.equal(await page.getByLabel("Task title", { exact: true }).count(), 0, "the editor closed");
  });

  test("a task that cannot be read for editing says so, and the focus stays on its title", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Abe");
    await addTask(page, "Read me");
    await page.route(
      (url) => /\/tasks\/[0-9a-f-]{36}$/.test(url.pathname),
      (route) => route.abort("connectionrefused"),
    );
    const title = page.getByRole("button", { name: "Edit “Read me”" });
    await title.focus();
    await page.keyboard.press("Enter");
    await page
      .getByTestId("error")
      .getByText(/Could not open the task for editing/)
      .waitFor();
    await page.waitForFunction("document.activeElement?.getAttribute('aria-label') === 'Edit “Read me”'");
    // Once it can be read, Enter opens it from there.
    await page.unrouteAll({ behavior: "wait" });
    await page.keyboard.press("Enter");
    await page.getByLabel("Task title", { exact: true }).waitFor();
  });

  test("the undo window waits while its notice is pointed at or has the focus, and goes on once left", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Uma", { heldClock: true });
    await addTask(page, "Point at it");
    await addTask(page, "Focus on it");
    // Each DELETE is noted with the step it was sent in: a send comes a moment after the page's
    // timer fires, so a look right after a step could miss one that step caused; the next cannot.
    let step = "";
    const deletesSent: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "DELETE") deletesSent.push(step);
    });
    const undo = page.getByRole("button", { name: "Undo" });
    const deleteSent = () => page.waitForRequest((request) => request.method() === "DELETE");
    // The page's time moves only when the test says so (runFor), so each step is where the test says.
    await holdPageTime(page);

    await page.getByRole("button", { name: "Delete “Point at it”" }).click();
    step = "3 s before pointing";
    await page.clock.runFor(3_000);
    await undo.hover();
    step = "20 s pointed at";
    await page.clock.runFor(20_000);
    assert.equal(await undo.count(), 1, "pointed at, the notice stays past its five seconds");
    await page.mouse.move(0, 0);
    step = "1.5 s after leaving";
    await page.clock.runFor(1_500);
    assert.equal(await undo.count(), 1, "left, it goes on with the two seconds it had");
    let sent = deleteSent();
    step = "2.5 s after leaving";
    await page.clock.runFor(1_000);
    await sent;
    await waitForCount(undo, 0);

    await page.getByRole("button", { name: "Delete “Focus on it”" }).click();
    await page.keyboard.press("F8"); // Radix's hotkey to the notifications
    step = "20 s with the focus in it";
    await page.clock.runFor(20_000);
    assert.equal(await undo.count(), 1, "with the focus in it, the notice stays past its five seconds");
    await page.getByLabel("Search tasks").focus();
    sent = deleteSent();
    step = "5.5 s after the focus left";
    await page.clock.runFor(5_500);
    await sent;
    await waitForCount(undo, 0);
    assert.deepEqual(deletesSent, ["2.5 s after leaving", "5.5 s after the focus left"]);
  });

  test("an edit opened while the task's completion is still on its way saves without a conflict with oneself", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Rae");
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTask(page, "Pay rent");
    // A slow network: the completion is held on its way until the editor has been asked for.
    const release = signal();
    const held = signal();
    /** The completion: a PATCH that sets `completed` alone (the save sends the title too). */
    const isCompletion = (request: Request) =>
      request.method() === "PATCH" && !(request.postData() ?? "").includes("title");
    await page.route(`${product.apiUrl}/**`, async (route) => {
      if (isCompletion(route.request())) {
        held.fire();
        await release.fired;
      }
      await route.continue();
    });
    const order: string[] = [];
    page.on("response", (response) => {
      if (isCompletion(response.request())) order.push("completion answered");
    });
    page.on("request", (request) => {
      if (request.method() === "GET" && /\/tasks\/[0-9a-f-]{36}$/.test(new URL(request.url()).pathname)) {
        order.push("editor's read");
      }
    });
    await page.getByRole("checkbox", { name: "Completed: “Pay rent”", checked: false }).click();
    await held.fired;
    await page.getByRole("button", { name: "Edit “Pay rent”" }).click();
    // An editor that read the task without waiting for the completion would ask at once (and get the
    // version before it): half a second to show itself.
    await page.waitForTimeout(500);
    release.fire();
    const title = page.getByLabel("Task title", { exact: true });
    await title.fill("Pay the rent");
    await title.press("Enter");
    await list.getByRole("button", { name: "Edit “Pay the rent”" }).waitFor({ timeout: 10_000 });
    assert.deepEqual(order, ["completion answered", "editor's read"], "the editor read the task once it was completed");
    assert.equal(await page.getByText("changed elsewhere").count(), 0, "no conflict with one's own change");
    assert.equal(
      await page.getByRole("checkbox", { name: "Completed: “Pay the rent”" }).isChecked(),
      true,
      "still completed",
    );
    await page.reload();
    await list.getByRole("button", { name: "Edit “Pay the rent”" }).waitFor();
    assert.equal(await page.getByRole("checkbox", { name: "Completed: “Pay the rent”" }).isChecked(), true);
  });

  test("two people in two browsers never see each other's tasks", async () => {
    const { context: first, page: pageA } = await newSignedInPage(browser, product.webUrl, "Alice");
    const { context: second, page: pageB } = await newSignedInPage(browser, product.webUrl, "Bob");
    await addTask(pageA, "Alice's secret plan");
    await addTask(pageB, "Bob's shopping");
    await pageA.reload();
    await pageB.reload();
    await pageA.getByText("Alice's secret plan").waitFor();
    await pageB.getByText("Bob's shopping").waitFor();
    assert.equal(await pageA.getByText("Bob's shopping").count(), 0);
    assert.equal(await pageB.getByText("Alice's secret plan").count(), 0);
    await first.close();
    await second.close();
  });

  test("no serious or critical accessibility violations on sign-in, sign-up and the dashboard (empty and full); dark mode", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${product.webUrl}/sign-in`);
    assert.deepEqual(await seriousViolations(page), [], "sign-in");
    await page.goto(`${product.webUrl}/sign-up`);
    assert.deepEqual(await seriousViolations(page), [], "sign-up");
    await signUp(page, product.webUrl, newPerson("Grace"));
    assert.deepEqual(await seriousViolations(page), [], "empty dashboard");
    await addTask(page, "Overdue thing", { priority: "high", due: "2020-02-02" });
    await addTask(page, "Something later", { due: "2099-12-31" });
    await addTask(page, "Low priority idea", { priority: "low" });
    assert.deepEqual(await seriousViolations(page), [], "full dashboard");
    assert.deepEqual(await contrastViolationsUnderPointer(page), [], "full dashboard, each control under the pointer");
    assert.deepEqual(
      await faintPlaceholders(page),
      [],
      "placeholders (the title's and the search's only visible label)",
    );
    await page.emulateMedia({ colorScheme: "dark" });
    // A completed task's box, filled in the accent colour: seen against its row.
    await page.getByRole("checkbox", { name: "Completed: “Low priority idea”" }).click();
    const ticked = page.getByRole("checkbox", { name: "Completed: “Low priority idea”", checked: true });
    await ticked.waitFor();
    await page.mouse.move(0, 0); // its resting fill, not the shade drawn under the pointer
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      const ratio = await drawnContrast(ticked);
      assert.ok(ratio >= 3, `a ticked box against its row (${colorScheme}): ${ratio.toFixed(2)}:1`);
    }
    assert.deepEqual(await seriousViolations(page), [], "full dashboard, dark");
    assert.deepEqual(
      await contrastViolationsUnderPointer(page),
      [],
      "full dashboard, dark, each control under the pointer",
    );
    assert.deepEqual(await faintPlaceholders(page), [], "placeholders, dark");
    await page.screenshot({ path: path.join(artifacts, "dashboard-dark.png"), fullPage: true });
    // Down to a phone's width: nothing runs off the side.
    await page.setViewportSize({ width: 375, height: 740 });
    await expectFitsWidth(page, "no horizontal scrolling at 375 px");
    // And at 320 px, the width WCAG's reflow asks for (a phone's at 400% zoom).
    await page.setViewportSize({ width: 320, height: 740 });
    await expectFitsWidth(page, "no horizontal scrolling at 320 px");
    await page.screenshot({ path: path.join(artifacts, "dashboard-phone-dark.png"), fullPage: true });
    await context.close();
  });
});
