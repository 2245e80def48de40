import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createTask, setup, storedTasks } from "./helper";

const ctx = await setup();

/** The contract's timestamps: UTC, to the millisecond. */
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A task's stored `updated_at`, to the microsecond (the answer's JSON keeps milliseconds). */
async function storedUpdatedAt(id: string): Promise<string> {
  const { rows } = await ctx.pool.query<{ at: string }>("SELECT updated_at::text AS at FROM tasks WHERE id = $1", [id]);
  return rows[0]?.at ?? "";
}

/** Whether a task's stored `updated_at` is later than `before` (from storedUpdatedAt). */
async function movedSince(id: string, before: string): Promise<boolean> {
  const { rows } = await ctx.pool.query<{ moved: boolean }>(
    "SELECT updated_at > $2::timestamptz AS moved FROM tasks WHERE id = $1",
    [id, before],
  );
  return rows[0]?.moved ?? false;
}

describe("task CRUD (contract: Task API routes)", () => {
  test("a user creates, reads, lists, replaces, patches, toggles and deletes a task", async () => {
    const { app } = ctx;
    const user = await ctx.newUser();
    const base = `/api/${user.id}/tasks`;

    const created = await app.inject({
      method: "POST",
      url: base,
      headers: user.auth,
      payload: { title: "  Buy milk  ", description: "2 litres", priority: "high", due_date: "2026-12-01" },
    });
    assert.equal(created.statusCode, 201);
    const task = created.json();
    assert.match(task.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, "id is a UUIDv7");
    assert.deepEqual(
      { ...task, id: undefined, created_at: undefined, updated_at: undefined },
      {
        id: undefined,
        user_id: user.id,
        title: "Buy milk",
        description: "2 litres",
        completed: false,
        priority: "high",
        due_date: "2026-12-01",
        created_at: undefined,
        updated_at: undefined,
      },
    );
    assert.match(task.created_at, ISO_MS);
    assert.match(task.updated_at, ISO_MS);
    assert.equal(created.headers.location, `${base}/${task.id}`);
    assert.equal(created.headers["cache-control"], "no-store");
    assert.match(String(created.headers.etag), /^"[^"]+"$/);

    const read = await app.inject({ method: "GET", url: `${base}/${task.id}`, headers: user.auth });
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.json(), task);
    assert.equal(read.headers.etag, created.headers.etag);
    assert.equal(read.headers["cache-control"], "no-store");

    const list = await app.inject({ method: "GET", url: base, headers: user.auth });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), [task]);
    assert.equal(list.headers["x-total-count"], "1");

    // Completed first: a PUT that leaves `completed` out puts it back to false, not as it was.
    const done = await app.inject({ method: "PATCH", url: `${base}/${task.id}/complete`, headers: user.auth });
    assert.equal(done.json().completed, true);
    assert.equal(done.headers["cache-control"], "no-store");
    let before = await storedUpdatedAt(task.id);
    const replaced = await app.inject({
      method: "PUT",
      url: `${base}/${task.id}`,
      headers: user.auth,
      payload: { title: "Buy oat milk" },
    });
    assert.equal(replaced.statusCode, 200);
    assert.equal((await storedTasks(ctx.pool, user.id))[0]?.completed, false, "stored as the answer says");
    assert.deepEqual(
      { ...(replaced.json() as object), updated_at: undefined },
      {
        ...task,
        title: "Buy oat milk",
        description: "",
        priority: "medium",
        due_date: null,
        completed: false,
        updated_at: undefined,
      },
      "PUT puts omitted fields back to their defaults",
    );
    assert.notEqual(replaced.headers.etag, created.headers.etag);
    assert.equal(replaced.headers["cache-control"], "no-store");
    assert.equal(await movedSince(task.id, before), true, "a PUT moves updated_at");

    before = await storedUpdatedAt(task.id);

    const patched = await app.inject({
      method: "PATCH",
      url: `${base}/${task.id}`,
      headers: user.auth,
      payload: { description: "from the corner shop" },
    });
    assert.equal(patched.statusCode, 200);
    assert.equal(patched.json().title, "Buy oat milk", "PATCH keeps fields it does not name");
    assert.equal(patched.json().description, "from the corner shop");
    assert.equal(patched.headers["cache-control"], "no-store");
    assert.equal(await movedSince(task.id, before), true, "a PATCH moves updated_at");
    assert.match(patched.json().updated_at, ISO_MS);
    // A due date set, then taken away by a PATCH of null (not kept as if the field were left out).
    for (const due_date of ["2026-12-24", null]) {
      const dated = await app.inject({
        method: "PATCH",
        url: `${base}/${task.id}`,
        headers: user.auth,
        payload: { due_date },
      });
      assert.equal(dated.statusCode, 200);
      assert.equal(dated.json().due_date, due_date);
      assert.equal((await storedTasks(ctx.pool, user.id))[0]?.due_date, due_date, "stored as the answer says");
    }

    const toggled = await app.inject({ method: "PATCH", url: `${base}/${task.id}/complete`, headers: user.auth });
    assert.equal(toggled.statusCode, 200);
    assert.equal(toggled.json().completed, true);
    const toggledBack = await app.inject({ method: "PATCH", url: `${base}/${task.id}/complete`, headers: user.auth });
    assert.equal(toggledBack.json().completed, false);

    const deleted = await app.inject({ method: "DELETE", url: `${base}/${task.id}`, headers: user.auth });
    assert.equal(deleted.statusCode, 204);
    assert.equal(deleted.body, "");
    const gone = await app.inject({ method: "GET", url: `${base}/${task.id}`, headers: user.auth });
    assert.equal(gone.statusCode, 404);
    assert.match(String(gone.headers["content-type"]), /^application\/problem\+json/);
    assert.deepEqual(await storedTasks(ctx.pool, user.id), []);
  });

  test("an empty PATCH answers the task as it is: not its updated_at, nor its ETag, changes", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user, { title: "Left alone" });
    const before = await ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks/${task.id}`, headers: user.auth });
    await sleep(5); // a change would show in updated_at's milliseconds
    const patched = await ctx.app.inject({
      method: "PATCH",
      url: `/api/${user.id}/tasks/${task.id}`,
      headers: user.auth,
      payload: {},
    });
    assert.equal(patched.statusCode, 200);
    assert.deepEqual(patched.json(), before.json());
    assert.equal(patched.headers.etag, before.headers.etag);
    // A client holding the old tag may still write with it.
    const guarded = await ctx.app.inject({
      method: "PATCH",
      url: `/api/${user.id}/tasks/${task.id}`,
      headers: { ...user.auth, "if-match": String(before.headers.etag) },
      payload: { title: "Changed" },
    });
    assert.equal(guarded.statusCode, 200);
  });

  test("server-owned fields in a body change nothing (no mass assignment)", async () => {
    const { app } = ctx;
    const user = await ctx.newUser();
    const other = await ctx.newUser();
    const sneaky = {
      id: "00000000-0000-7000-8000-000000000000",
      user_id: other.id,
      created_at: "2000-01-01T00:00:00.000Z",
      updated_at: "2000-01-01T00:00:00.000Z",
      version: 999,
    };
    const created = await app.inject({
      method: "POST",
      url: `/api/${user.id}/tasks`,
      headers: user.auth,
      payload: { title: "mine", ...sneaky },
    });
    assert.equal(created.statusCode, 201);
    const task = created.json();
    assert.notEqual(task.id, sneaky.id);
    assert.equal(task.user_id, user.id);
    assert.notEqual(task.created_at, sneaky.created_at);

    for (const method of ["PUT", "PATCH"] as const) {
      const response = await app.inject({
        method,
        url: `/api/${user.id}/tasks/${task.id}`,
        headers: user.auth,
        payload: { title: "still mine", ...sneaky },
      });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().id, task.id);
      assert.equal(response.json().user_id, user.id);
      assert.equal(response.json().created_at, task.created_at);
      assert.notEqual(response.json().updated_at, sneaky.updated_at);
    }
    assert.equal((await storedTasks(ctx.pool, user.id)).length, 1);
    assert.deepEqual(await storedTasks(ctx.pool, other.id), []);
  });

  test("PATCH /complete ignores any body, whatever its type", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user);
    const url = `/api/${user.id}/tasks/${task.id}/complete`;
    const first = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: { ...user.auth, "content-type": "application/json" },
      payload: '{"completed": false}',
    });
    assert.equal(first.statusCode, 200);
    assert.equal(first.json().completed, true);
    const second = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: { ...user.auth, "content-type": "text/plain" },
      payload: "whatever",
    });
    assert.equal(second.statusCode, 200);
    assert.equal(second.json().completed, false);
  });

  test("DELETE ignores any body: an empty one with Content-Type: application/json (as many clients send) deletes", async () => {
    const user = await ctx.newUser();
    for (const [type, payload] of [
      ["application/json", undefined],
      ["application/json", "{not json"],
      ["text/plain", "whatever"],
    ] as const) {
      const task = await createTask(ctx.app, user);
      const response = await ctx.app.inject({
        method: "DELETE",
        url: `/api/${user.id}/tasks/${task.id}`,
        headers: { ...user.auth, "content-type": type },
        ...(payload === undefined ? {} : { payload }),
      });
      assert.equal(response.statusCode, 204, `${type} ${payload}: ${response.body}`);
    }
    assert.deepEqual(await storedTasks(ctx.pool, user.id), []);
  });
});
