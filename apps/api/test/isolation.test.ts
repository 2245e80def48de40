import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createTask, setup, storedTasks, taskRoutes } from "./helper";

const ctx = await setup();

describe("per-user isolation (contract: 403 for another user's path, 404 for another user's task)", () => {
  test("every route with another user's path is 403, and the other user's data is unchanged", async () => {
    const alice = await ctx.newUser();
    const mallory = await ctx.newUser();
    const task = await createTask(ctx.app, alice, { title: "alice's", description: "private" });
    const before = await storedTasks(ctx.pool, alice.id);
    for (const { namesTask: _, ...route } of taskRoutes(alice.id, task.id)) {
      const response = await ctx.app.inject({ ...route, headers: mallory.auth });
      assert.equal(response.statusCode, 403, `${route.method} ${route.url}`);
      assert.doesNotMatch(response.body, /private|alice's/);
    }
    // An upper-cased variant of one's own id is not one's own id.
    const upper = await ctx.app.inject({
      method: "GET",
      url: `/api/${mallory.id.toUpperCase()}/tasks`,
      headers: mallory.auth,
    });
    assert.equal(upper.statusCode, 403);
    assert.deepEqual(await storedTasks(ctx.pool, alice.id), before);
    assert.deepEqual(await storedTasks(ctx.pool, mallory.id), []);
  });

  test("another user's task id on one's own path is 404, exactly like a task that does not exist", async () => {
    const alice = await ctx.newUser();
    const mallory = await ctx.newUser();
    const task = await createTask(ctx.app, alice, { title: "alice's" });
    const before = await storedTasks(ctx.pool, alice.id);
    const missing = crypto.randomUUID();
    const nobodys = taskRoutes(mallory.id, missing);
    for (const [i, { namesTask, ...route }] of taskRoutes(mallory.id, task.id).entries()) {
      if (!namesTask) continue;
      const { namesTask: _, ...sameForNobody } = nobodys[i] ?? nobodys[0];
      const headers = { ...mallory.auth, "if-match": "*" };
      const theirs = await ctx.app.inject({ ...route, headers });
      const nobody = await ctx.app.inject({ ...sameForNobody, headers });
      assert.equal(theirs.statusCode, 404, `${route.method} ${route.url}`);
      assert.equal(theirs.body, nobody.body, "the answer does not reveal that the task exists");
    }
    const list = await ctx.app.inject({
      method: "GET",
      url: `/api/${mallory.id}/tasks?q=alice`,
      headers: mallory.auth,
    });
    assert.deepEqual(list.json(), []);
    assert.equal(list.headers["x-total-count"], "0", "nor counts them");
    assert.deepEqual(await storedTasks(ctx.pool, alice.id), before);
  });
});
