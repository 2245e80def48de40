/**
 * The dashboard as the person moves between views: it shows a task only in the tabs and searches it
 * belongs to, between reloads too (an add in a tab or search it does not match, an editor kept open
 * across a change of tab, then closed without a save); what was typed stays across a visit to the
 * account page; and Escape that ends an input method's composition leaves the editor open.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import {
  addTask,
  holdRequests,
  launchBrowser,
  newSignedInPage,
  signIn,
  startTestProduct,
  waitForCount,
} from "./product";

const product = await startTestProduct();
const browser = await launchBrowser();

/** Once the page has drawn its next frame (what an answer or a key changed is on it). */
async function nextFrame(page: Page): Promise<void> {
  await page.evaluate("new Promise((drawn) => requestAnimationFrame(() => setTimeout(drawn)))");
}

/** The page's loads of the list and of the tabs' counts (each with a query string; an add has none). */
const listLoads = (url: URL) => url.href.startsWith(product.apiUrl) && url.search !== "";

/**
 * Adds `title` from the form with the reload that follows held: what the page shows then is what the
 * add's answer alone made of it, once the tab named `counted` (its count) says the task was added.
 */
async function addWithItsReloadHeld(page: Page, title: string, counted: string) {
  const reload = await holdRequests(page, listLoads);
  await page.getByLabel("New task title").fill(title);
  await page.getByLabel("New task title").press("Enter");
  await page.getByRole("tab", { name: counted }).waitFor();
  await reload.held;
  return reload;
}

describe("a task shows only where it belongs", () => {
  test("added in the Completed tab, or in a search it does not match: counted in its tab, not shown, while the reload is on its way", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Bea");
    const list = page.getByRole("list", { name: "Your tasks" });
    await page.getByRole("tab", { name: /Completed/ }).click();
    await page.getByText("No completed tasks yet.").waitFor();

    const reload = await addWithItsReloadHeld(page, "Buy milk", "Pending (1)");
    assert.equal(await list.getByText("Buy milk", { exact: true }).count(), 0, "not in Completed");
    assert.equal(await page.getByText("No completed tasks yet.").count(), 1);
    reload.release();
    await reload.answered();
    await page.unrouteAll({ behavior: "wait" });

    await page.getByRole("tab", { name: /^All/ }).click();
    await list.getByText("Buy milk", { exact: true }).waitFor();
    const searched = page.waitForResponse((answer) => new URL(answer.url()).searchParams.get("q") === "milk");
    await page.getByLabel("Search tasks").fill("milk");
    await searched;
    await nextFrame(page);
    const searchReload = await addWithItsReloadHeld(page, "Walk the dog", "All (2)");
    assert.equal(await list.getByText("Walk the dog", { exact: true }).count(), 0, "not in a search for milk");
    assert.equal(await list.getByRole("listitem").count(), 1);
    // One that does match the search is shown at once.
    await page.getByLabel("New task title").fill("Oat milk");
    await page.getByLabel("New task title").press("Enter");
    await list.getByText("Oat milk", { exact: true }).waitFor();
    searchReload.release();
    await searchReload.answered();
  });

  test("an editor kept open across a change of tab, then closed unsaved, takes its task out of a tab it does not belong to", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Cal");
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTask(page, "Water the plants");
    await list.getByRole("button", { name: "Edit “Water the plants”" }).click();
    await page.getByRole("button", { name: "Cancel" }).waitFor();
    await page.getByRole("tab", { name: /Completed/ }).click();
    await waitForCount(page.getByRole("tab", { name: /Completed/, selected: true }), 1);
    await page.getByTestId("list-announcement").getByText("Found no tasks.").waitFor();
    // Kept for its editor: what was typed stays.
    assert.equal(await page.getByRole("button", { name: "Cancel" }).count(), 1);
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByText("No completed tasks yet.").waitFor();
    assert.equal(await list.getByRole("listitem").count(), 0);
  });

  test("Escape that ends an input method's composition (Safari's key code 229) leaves the editor open; Escape alone closes it", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Dai");
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTask(page, "Learn kanji");
    await list.getByRole("button", { name: "Edit “Learn kanji”" }).click();
    const title = page.getByLabel("Task title", { exact: true });
    await title.fill("Learn kanji daily");
    // As Safari sends it: key Escape, key code 229, not composing.
    const cdp = await page.context().newCDPSession(page);
    for (const type of ["rawKeyDown", "keyUp"] as const) {
      await cdp.send("Input.dispatchKeyEvent", { type, key: "Escape", code: "Escape", windowsVirtualKeyCode: 229 });
    }
    // (React has drawn what a keydown changes by the next frame.)
    await nextFrame(page);
    assert.equal(await title.count(), 1, "the editor is open");
    assert.equal(await title.inputValue(), "Learn kanji daily", "with what was typed");
    await title.press("Escape");
    await list.getByRole("button", { name: "Edit “Learn kanji”" }).waitFor();
    assert.equal(await page.getByLabel("Task title", { exact: true }).count(), 0);
  });
});

describe("what was typed stays across a visit to the account page", () => {
  test("the new task's draft and an open edit are there again after Account, then Back to your tasks", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Eve");
    const list = page.getByRole("list", { name: "Your tasks" });
    await addTask(page, "Plan the trip");
    await list.getByRole("button", { name: "Edit “Plan the trip”" }).click();
    await page.getByLabel("Task title", { exact: true }).fill("Plan the trip to Rome");
    await page.getByLabel("New task title").fill("Pack");
    await page.getByLabel("Description", { exact: true }).fill("Passport, tickets");

    await page.getByRole("link", { name: "Account" }).click();
    await page.waitForURL(/\/account$/);
    await page.getByRole("link", { name: "Back to your tasks" }).click();
    await page.waitForURL(/\/tasks/);
    await page.getByLabel("Task title", { exact: true }).waitFor();
    assert.equal(await page.getByLabel("Task title", { exact: true }).inputValue(), "Plan the trip to Rome");
    assert.equal(await page.getByLabel("New task title").inputValue(), "Pack");
    assert.equal(await page.getByLabel("Description", { exact: true }).inputValue(), "Passport, tickets");

    // Given back once: added, the draft is gone, and another visit finds the form empty.
    await page.getByLabel("New task title").press("Enter");
    await list.getByText("Pack", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("link", { name: "Account" }).click();
    await page.waitForURL(/\/account$/);
    await page.getByRole("link", { name: "Back to your tasks" }).click();
    await list.getByText("Pack", { exact: true }).waitFor();
    assert.equal(await page.getByLabel("New task title").inputValue(), "");
    assert.equal(await page.getByLabel("Task title", { exact: true }).count(), 0, "no editor open");
  });

  test("an add answered after the page was left comes back as the task it made, not as a draft", async () => {
    const { page } = await newSignedInPage(browser, product.webUrl, "Fay");
    const list = page.getByRole("list", { name: "Your tasks" });
    const add = await holdRequests(page, (url) => url.href.startsWith(product.apiUrl) && url.search === "");
    await page.getByLabel("New task title").fill("Pack");
    await page.getByLabel("New task title").press("Enter");
    await add.held;
    await page.getByRole("link", { name: "Account" }).click();
    await page.waitForURL(/\/account$/);
    add.release();
    await add.answered();
    await page.unrouteAll({ behavior: "wait" });
    await page.getByRole("link", { name: "Back to your tasks" }).click();
    await list.getByText("Pack", { exact: true }).waitFor();
    assert.equal(await page.getByLabel("New task title").inputValue(), "", "no draft of the task made");
  });

  test("signing out from the account page takes what was kept for the dashboard with it", async () => {
    const { page, person } = await newSignedInPage(browser, product.webUrl, "Gus");
    await page.getByLabel("New task title").fill("Private plans");
    await page.getByRole("link", { name: "Account" }).click();
    await page.waitForURL(/\/account$/);
    await page.getByRole("button", { name: /^Sign out .*\(this device\)$/ }).click();
    await page.waitForURL(/\/sign-in/);
    await signIn(page, product.webUrl, person);
    await page.getByText("No tasks yet").waitFor();
    assert.equal(await page.getByLabel("New task title").inputValue(), "", "nothing of before the sign-out");
  });
});
