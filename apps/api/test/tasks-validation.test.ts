import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { backendPid, waitUntilBlockedBy } from "../../../scripts/lib/lock-waits";
import { assertProblem, createTask, setup, storedTasks, type TestUser } from "./helper";

const ctx = await setup();

/** Bytes sent as they are, with `headers`: a new task (POST) or an edit of `taskId` (PATCH). */
function sendBodyBytes(
  user: TestUser,
  taskId: string,
  method: "POST" | "PATCH",
  headers: Record<string, string>,
  payload: Buffer,
) {
  const url = method === "POST" ? `/api/${user.id}/tasks` : `/api/${user.id}/tasks/${taskId}`;
  return ctx.app.inject({ method, url, headers: { ...user.auth, ...headers }, payload });
}

describe("validation edges (contract: Task shape and Errors)", () => {
  test("title is 1-200 characters after trimming, counted in code points", async () => {
    const user = await ctx.newUser();
    const post = (payload: unknown) =>
      ctx.app.inject({ method: "POST", url: `/api/${user.id}/tasks`, headers: user.auth, payload: payload as object });
    for (const title of ["", "   ", "a".repeat(201), "🙂".repeat(201)]) {
      const body = assertProblem(await post({ title }), 422);
      assert.equal((body.errors as { path: string }[])[0]?.path, "title");
    }
    assert.equal((await post({ title: "a" })).statusCode, 201);
    assert.equal((await post({ title: "a".repeat(200) })).statusCode, 201);
    const emoji = await post({ title: "🙂".repeat(200) });
    assert.equal(emoji.statusCode, 201, "200 emoji are 200 characters, though 400 UTF-16 units");
    assert.equal(emoji.json().title, "🙂".repeat(200));
    assertProblem(await post({}), 422);
    assertProblem(await post({ title: 42 }), 422);
    assert.equal((await storedTasks(ctx.pool, user.id)).length, 3, "no refused task was stored");
  });

  test("PUT and PATCH check the same fields: a refused edit changes nothing, and titles are stored trimmed", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user, { title: "Original", description: "kept" });
    const url = `/api/${user.id}/tasks/${task.id}`;
    const before = await storedTasks(ctx.pool, user.id);
    for (const method of ["PUT", "PATCH"] as const) {
      for (const payload of [
        { title: "" },
        { title: "   " },
        { title: "a".repeat(201) },
        { title: "t", priority: "urgent" },
        { title: "t", due_date: "2026-02-30" },
        { title: "t", description: "d".repeat(1001) },
        { title: "t", completed: "yes" },
      ]) {
        assertProblem(await ctx.app.inject({ method, url, headers: user.auth, payload }), 422);
      }
    }
    assert.deepEqual(await storedTasks(ctx.pool, user.id), before, "no refused edit was stored");
    for (const method of ["PUT", "PATCH"] as const) {
      const edited = await ctx.app.inject({ method, url, headers: user.auth, payload: { title: `  ${method} me  ` } });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal(edited.json().title, `${method} me`);
      assert.equal((await storedTasks(ctx.pool, user.id))[0]?.title, `${method} me`, "stored trimmed");
    }
  });

  test("unicode round-trips unchanged", async () => {
    const user = await ctx.newUser();
    const title = "Ça marche — 日本語 👩🏽‍💻 'quotes' \"and\" \\backslash";
    const task = await createTask(ctx.app, user, { title, description: "ß ∑ 🇺🇦\nnew line\ttab" });
    const read = await ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks/${task.id}`, headers: user.auth });
    assert.equal(read.json().title, title);
    assert.equal(read.json().description, "ß ∑ 🇺🇦\nnew line\ttab");
  });

  test("a body is UTF-8: bytes that are not are a 400, another charset a 415, and nothing is stored or changed", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user, { title: "Café" });
    const send = (method: "POST" | "PATCH", contentType: string, payload: Buffer) =>
      sendBodyBytes(user, task.id, method, { "content-type": contentType }, payload);
    const latin1 = Buffer.from('{"title":"Caf\u00e9 au lait"}', "latin1"); // é as the one byte E9
    for (const method of ["POST", "PATCH"] as const) {
      assert.match(String(assertProblem(await send(method, "application/json", latin1), 400).detail), /UTF-8/);
      assertProblem(await send(method, "application/json; charset=iso-8859-1", latin1), 415);
      assertProblem(await send(method, "application/json; charset=windows-1252", latin1), 415);
    }
    const stored = await storedTasks(ctx.pool, user.id);
    assert.deepEqual(
      stored.map((row) => row.title),
      ["Café"],
      "nothing made, nothing changed",
    );
    const utf8 = Buffer.from('{"title":"Café au lait"}', "utf8");
    const made = await send("POST", "application/json; charset=UTF-8", utf8);
    assert.equal(made.statusCode, 201, made.body);
    assert.equal(made.json().title, "Café au lait");
    assert.equal((await send("PATCH", 'application/json; charset="utf-8"', utf8)).statusCode, 200);
  });

  test("a coded body (Content-Encoding: gzip) is a 415 that says so and which coding is read; nothing is stored", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user, { title: "Plain" });
    const send = (method: "POST" | "PATCH", coding: string, payload: Buffer) =>
      sendBodyBytes(user, task.id, method, { "content-type": "application/json", "content-encoding": coding }, payload);
    const body = Buffer.from(JSON.stringify({ title: "Zipped" }));
    for (const method of ["POST", "PATCH"] as const) {
      for (const coding of ["gzip", "br", "identity, gzip"]) {
        const payload = coding.includes("gzip") ? gzipSync(body) : body;
        const refused = await send(method, coding, payload);
        assert.match(String(assertProblem(refused, 415).detail), /Content-Encoding/, `${method} ${coding}`);
        assert.equal(refused.headers["accept-encoding"], "identity");
      }
    }
    assert.deepEqual(
      (await storedTasks(ctx.pool, user.id)).map((row) => row.title),
      ["Plain"],
      "nothing made, nothing changed",
    );
    // No coding at all, said in so many words, is read.
    assert.equal((await send("POST", "identity", body)).statusCode, 201);
  });

  test("description at most 1000 characters; priority and due_date are checked", async () => {
    const user = await ctx.newUser();
    const post = (payload: object) =>
      ctx.app.inject({ method: "POST", url: `/api/${user.id}/tasks`, headers: user.auth, payload });
    assert.equal((await post({ title: "t", description: "d".repeat(1000) })).statusCode, 201);
    assertProblem(await post({ title: "t", description: "d".repeat(1001) }), 422);
    // Counted in code points: 1000 emoji are 2000 UTF-16 units.
    assert.equal((await post({ title: "t", description: "🙂".repeat(1000) })).statusCode, 201);
    assertProblem(await post({ title: "t", description: "🙂".repeat(1001) }), 422);
    assertProblem(await post({ title: "t", description: null }), 422);
    assertProblem(await post({ title: "t", priority: "urgent" }), 422);
    assertProblem(await post({ title: "nul \u0000 inside" }), 422);
    assertProblem(await post({ title: "t", description: "lone \ud800 surrogate" }), 422);
    assertProblem(await post({ title: "t", due_date: "2026-02-30" }), 422);
    assertProblem(await post({ title: "t", due_date: "26-11-2026" }), 422);
    assertProblem(await post({ title: "t", due_date: "2026-11-26T00:00:00Z" }), 422);
    assert.equal((await post({ title: "t", completed: true })).json().completed, false, "POST creates pending tasks");
  });

  test("malformed JSON is 400, a body that is not JSON is 415, more than 64 KiB is 413", async () => {
    const user = await ctx.newUser();
    const url = `/api/${user.id}/tasks`;
    const json = { ...user.auth, "content-type": "application/json" };
    assertProblem(await ctx.app.inject({ method: "POST", url, headers: json, payload: '{"title": "x",' }), 400);
    assertProblem(await ctx.app.inject({ method: "POST", url, headers: json, payload: "" }), 400);
    // No body and no Content-Type: not JSON either, so 400 (it was 422, "the task is not valid").
    const task = await createTask(ctx.app, user, { title: "Kept" });
    for (const [method, path] of [
      ["POST", url],
      ["PUT", `${url}/${task.id}`],
      ["PATCH", `${url}/${task.id}`],
    ] as const) {
      const body = assertProblem(await ctx.app.inject({ method, url: path, headers: user.auth }), 400);
      assert.match(String(body.detail), /no body/, `${method} ${path}`);
    }
    for (const [type, payload] of [
      ["text/plain", "title"],
      ["application/x-www-form-urlencoded", "title=x"],
    ]) {
      const headers = { ...user.auth, "content-type": type };
      assertProblem(await ctx.app.inject({ method: "POST", url, headers, payload }), 415);
    }
    // The line is 64 KiB exactly: a body of that size is read (and refused for its description,
    // 422), one byte more is not read at all (413).
    const ofSize = (bytes: number) => {
      const body = JSON.stringify({ title: "big", description: "" });
      return body.replace('""', `"${"x".repeat(bytes - body.length)}"`);
    };
    assert.equal(Buffer.byteLength(ofSize(64 * 1024)), 64 * 1024);
    assertProblem(await ctx.app.inject({ method: "POST", url, headers: json, payload: ofSize(64 * 1024) }), 422);
    assertProblem(await ctx.app.inject({ method: "POST", url, headers: json, payload: ofSize(64 * 1024 + 1) }), 413);
    assert.deepEqual(
      (await storedTasks(ctx.pool, user.id)).map((stored) => stored.title),
      ["Kept"],
    );
  });

  test("a __proto__ or constructor key is valid JSON and, like any unknown field, changes nothing", async () => {
    const user = await ctx.newUser();
    const json = { ...user.auth, "content-type": "application/json" };
    for (const payload of [
      '{"title":"Proto","__proto__":{"completed":true,"user_id":"someone"}}',
      '{"title":"Constructor","constructor":{"prototype":{"completed":true}}}',
    ]) {
      const created = await ctx.app.inject({ method: "POST", url: `/api/${user.id}/tasks`, headers: json, payload });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().completed, false);
      assert.equal(created.json().user_id, user.id);
    }
    assert.deepEqual((await storedTasks(ctx.pool, user.id)).map((stored) => stored.title).sort(), [
      "Constructor",
      "Proto",
    ]);
  });

  test("a body with no Content-Type is 415, whichever route takes a body", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user);
    for (const [method, url] of [
      ["POST", `/api/${user.id}/tasks`],
      ["PUT", `/api/${user.id}/tasks/${task.id}`],
      ["PATCH", `/api/${user.id}/tasks/${task.id}`],
    ] as const) {
      const response = await ctx.app.inject({
        method,
        url,
        headers: user.auth,
        body: Buffer.from('{"title":"changed"}'),
      });
      assertProblem(response, 415);
    }
    assert.deepEqual(
      (await storedTasks(ctx.pool, user.id)).map((stored) => stored.title),
      ["A task"],
      "nothing made or changed",
    );
  });

  test("an id that is not a UUID is simply 404, whatever the body", async () => {
    const user = await ctx.newUser();
    for (const id of ["1", "not-a-uuid", "00000000-0000-0000-0000-00000000000g", "%27%20OR%201=1--"]) {
      for (const method of ["GET", "DELETE"] as const) {
        assertProblem(await ctx.app.inject({ method, url: `/api/${user.id}/tasks/${id}`, headers: user.auth }), 404);
      }
      // A body that is invalid (422), of the wrong type (415) or too large (413) for a task that cannot exist.
      for (const [headers, payload] of [
        [{}, {}],
        [{ "content-type": "text/plain" }, "a title"],
        [{ "content-type": "application/json" }, JSON.stringify({ title: "x".repeat(70_000) })],
      ] as const) {
        for (const [method, path] of [
          ["PUT", id],
          ["PATCH", id],
          ["PATCH", `${id}/complete`],
        ] as const) {
          const answer = await ctx.app.inject({
            method,
            url: `/api/${user.id}/tasks/${path}`,
            headers: { ...user.auth, ...headers },
            payload,
          });
          assertProblem(answer, 404);
        }
      }
    }
    // Authentication still comes first.
    assertProblem(await ctx.app.inject({ method: "PUT", url: `/api/${user.id}/tasks/1`, payload: {} }), 401);
  });

  test("a method a route does not have is 405 with Allow", async () => {
    const user = await ctx.newUser();
    const list = await ctx.app.inject({ method: "DELETE", url: `/api/${user.id}/tasks`, headers: user.auth });
    assertProblem(list, 405);
    assert.equal(list.headers.allow, "GET, POST, HEAD, OPTIONS");
    const one = await ctx.app.inject({
      method: "POST",
      url: `/api/${user.id}/tasks/${crypto.randomUUID()}`,
      headers: user.auth,
    });
    assertProblem(one, 405);
    assert.equal(one.headers.allow, "GET, PUT, PATCH, DELETE, HEAD, OPTIONS");
    // The documentation page's own files too (they were 404).
    for (const [method, url] of [
      ["POST", "/docs/"],
      ["TRACE", "/docs/json"],
      ["DELETE", "/docs/static/index.html"],
    ] as const) {
      const docs = await ctx.app.inject({ method, url });
      assertProblem(docs, 405);
      assert.equal(docs.headers.allow, "GET, HEAD, OPTIONS", `${method} ${url}`);
    }
    assert.equal((await ctx.app.inject({ method: "GET", url: "/docs/json" })).statusCode, 200);
  });

  test("task responses are private and not sniffable", async () => {
    const user = await ctx.newUser();
    const response = await ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks`, headers: user.auth });
    assert.equal(response.headers["cache-control"], "no-store");
    assert.equal(response.headers["x-content-type-options"], "nosniff");
    assert.equal(response.headers["x-powered-by"], undefined);
  });
});

describe("If-Match (contract: no lost updates)", () => {
  test("a stale ETag is 412 and changes nothing; the current one, or *, goes through", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user);
    const url = `/api/${user.id}/tasks/${task.id}`;
    const first = await ctx.app.inject({ method: "GET", url, headers: user.auth });
    const staleEtag = String(first.headers.etag);
    const moved = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: { ...user.auth, "if-match": staleEtag },
      payload: { title: "tab 1" },
    });
    assert.equal(moved.statusCode, 200);
    for (const [method, path, payload] of [
      ["PATCH", url, { title: "tab 2" }],
      ["PUT", url, { title: "tab 2" }],
      ["PATCH", `${url}/complete`, undefined],
      ["DELETE", url, undefined],
    ] as const) {
      const refused = await ctx.app.inject({
        method,
        url: path,
        headers: { ...user.auth, "if-match": staleEtag },
        payload,
      });
      assertProblem(refused, 412);
    }
    const weak = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: { ...user.auth, "if-match": `W/${moved.headers.etag}` },
      payload: { title: "weak" },
    });
    assertProblem(weak, 412);
    // Strong comparison is of the characters: the current version with a leading zero is another tag.
    const padded = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: { ...user.auth, "if-match": String(moved.headers.etag).replace('"', '"0') },
      payload: { title: "padded" },
    });
    assertProblem(padded, 412);
    const stored = await storedTasks(ctx.pool, user.id);
    assert.equal(stored[0]?.title, "tab 1");
    assert.equal(stored[0]?.completed, false);

    const current = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: { ...user.auth, "if-match": `"0", ${moved.headers.etag}` },
      payload: { title: "tab 2" },
    });
    assert.equal(current.statusCode, 200);
    const any = await ctx.app.inject({
      method: "PATCH",
      url: `${url}/complete`,
      headers: { ...user.auth, "if-match": "*" },
    });
    assert.equal(any.statusCode, 200);
    const del = await ctx.app.inject({
      method: "DELETE",
      url,
      headers: { ...user.auth, "if-match": String(any.headers.etag) },
    });
    assert.equal(del.statusCode, 204);
    const missing = await ctx.app.inject({ method: "DELETE", url, headers: { ...user.auth, "if-match": "*" } });
    assertProblem(missing, 404);
  });

  test("a task written two billion times: its ten-digit ETag matches, the write after the largest version makes 1, a larger tag matches nothing (412, never a 500)", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user);
    const url = `/api/${user.id}/tasks/${task.id}`;
    await ctx.pool.query("UPDATE tasks SET version = 2147483646 WHERE id = $1", [task.id]);
    const read = await ctx.app.inject({ method: "GET", url, headers: user.auth });
    assert.equal(read.headers.etag, '"2147483646"');
    const edited = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: { ...user.auth, "if-match": '"2147483646"' },
      payload: { title: "nearly the last" },
    });
    assert.equal(edited.statusCode, 200);
    assert.equal(edited.headers.etag, '"2147483647"', "the largest version");
    for (const tag of ['"2147483648"', '"99999999999"']) {
      const beyond = await ctx.app.inject({
        method: "PATCH",
        url,
        headers: { ...user.auth, "if-match": tag },
        payload: { title: "beyond" },
      });
      assertProblem(beyond, 412);
    }
    const toggled = await ctx.app.inject({
      method: "PATCH",
      url: `${url}/complete`,
      headers: { ...user.auth, "if-match": '"2147483647"' },
    });
    assert.equal(toggled.statusCode, 200);
    assert.equal(toggled.headers.etag, '"1"', "after the largest version, 1");
    const [stored] = await storedTasks(ctx.pool, user.id);
    assert.equal(stored?.title, "nearly the last");
    assert.equal(stored?.completed, true);
  });

  test("If-None-Match: a read whose ETag the client has is 304 with nothing sent again; a write refused on it is 412 and changes nothing", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user);
    const url = `/api/${user.id}/tasks/${task.id}`;
    const read = (headers: Record<string, string>, path = url) =>
      ctx.app.inject({ method: "GET", url: path, headers: { ...user.auth, ...headers } });
    const etag = String((await read({})).headers.etag);
    for (const tag of [etag, `W/${etag}`, `"0", ${etag}`, "*"]) {
      const again = await read({ "if-none-match": tag });
      assert.equal(again.statusCode, 304, tag);
      assert.equal(again.body, "", tag);
      assert.equal(again.headers.etag, etag, tag);
      // No body: nothing says it has one (RFC 9110, 15.4.5).
      assert.equal(again.headers["content-length"], undefined, tag);
      assert.equal(again.headers["content-type"], undefined, tag);
    }
    assert.equal((await read({ "if-none-match": '"0"' })).statusCode, 200);
    const list = `/api/${user.id}/tasks`;
    const listTag = String((await read({}, list)).headers.etag);
    assert.equal((await read({ "if-none-match": listTag }, list)).statusCode, 304);

    // `*` on a write: the task exists, so never; its current tag: refused. Nothing changes.
    for (const [method, path, payload, tag] of [
      ["PUT", url, { title: "overwritten" }, "*"],
      ["PATCH", url, { title: "overwritten" }, etag],
      ["PATCH", `${url}/complete`, undefined, `W/${etag}`],
      ["DELETE", url, undefined, "*"],
    ] as const) {
      const refused = await ctx.app.inject({
        method,
        url: path,
        headers: { ...user.auth, "if-none-match": tag },
        payload,
      });
      assertProblem(refused, 412);
    }
    let [stored] = await storedTasks(ctx.pool, user.id);
    assert.equal(stored?.title, task.title);
    assert.equal(stored?.completed, false);
    // If-Match is weighed first: a stale one is 412 whatever If-None-Match says.
    const stale = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: { ...user.auth, "if-match": '"0"', "if-none-match": '"0"' },
      payload: { title: "stale" },
    });
    assertProblem(stale, 412);
    // Another tag: the write goes, and the list read before is no longer current.
    const changed = await ctx.app.inject({
      method: "PATCH",
      url,
      headers: { ...user.auth, "if-none-match": '"0"' },
      payload: { title: "changed" },
    });
    assert.equal(changed.statusCode, 200);
    [stored] = await storedTasks(ctx.pool, user.id);
    assert.equal(stored?.title, "changed");
    assert.equal((await read({ "if-none-match": etag })).statusCode, 200);
    assert.equal((await read({ "if-none-match": listTag }, list)).statusCode, 200);
    const missing = `/api/${user.id}/tasks/00000000-0000-7000-8000-000000000000`;
    assertProblem(
      await ctx.app.inject({ method: "DELETE", url: missing, headers: { ...user.auth, "if-none-match": "*" } }),
      404,
    );
  });

  test("If-None-Match: a list page's tag covers its count too, so a task added beyond the page is not 'not modified'", async () => {
    const user = await ctx.newUser();
    await createTask(ctx.app, user, { title: "A first" });
    const url = `/api/${user.id}/tasks?sort=title&limit=1`;
    const first = await ctx.app.inject({ method: "GET", url, headers: user.auth });
    await createTask(ctx.app, user, { title: "Z last" }); // after the page's one task, by title
    const again = await ctx.app.inject({
      method: "GET",
      url,
      headers: { ...user.auth, "if-none-match": String(first.headers.etag) },
    });
    assert.equal(again.statusCode, 200);
    assert.equal(again.body, first.body, "the same page");
    assert.equal(again.headers["x-total-count"], "2");
  });

  /**
   * A PATCH of the title to "mine" with `precondition`, sent while another writer holds the task's
   * row; once it waits for the row, the other renames the task "theirs" and commits. Its answer.
   */
  async function patchWhileAnotherChangesTheTask(user: TestUser, taskId: string, precondition: Record<string, string>) {
    const other = await ctx.pool.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE", [taskId]);
      const holder = await backendPid(other);
      const write = ctx.app.inject({
        method: "PATCH",
        url: `/api/${user.id}/tasks/${taskId}`,
        headers: { ...user.auth, ...precondition },
        payload: { title: "mine" },
      });
      await waitUntilBlockedBy(ctx.pool, holder, "the write never waited for the row");
      await other.query("UPDATE tasks SET title = 'theirs', version = version + 1 WHERE id = $1", [taskId]);
      await other.query("COMMIT");
      return await write;
    } finally {
      other.release();
    }
  }

  test("If-None-Match: a write whose task changes between the check and the write is weighed again: it goes through while the tag still differs", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user);
    // This write reads the task (its check), then waits for the row.
    const written = await patchWhileAnotherChangesTheTask(user, task.id, { "if-none-match": '"0"' });
    assert.equal(written.statusCode, 200, written.body);
    assert.equal(written.json().title, "mine");
    assert.equal(written.headers.etag, '"3"', "written over the other change (version 2)");
    const [stored] = await storedTasks(ctx.pool, user.id);
    assert.equal(stored?.title, "mine");
  });

  test("If-None-Match: a write whose task changes between the check and the write to the tag it names is 412, and the other change stays", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user);
    // Version 1 when the write reads it; the other change makes it 2, the version this write refuses.
    const refused = await patchWhileAnotherChangesTheTask(user, task.id, { "if-none-match": '"2"' });
    assertProblem(refused, 412);
    assert.match(refused.json().detail, /has the ETag If-None-Match names/);
    const [stored] = await storedTasks(ctx.pool, user.id);
    assert.equal(stored?.title, "theirs");
  });

  test("If-Match: a write whose task changes while it waits for the row is 412, and the other change stays (no lost update)", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user);
    const current = await ctx.app.inject({
      method: "GET",
      url: `/api/${user.id}/tasks/${task.id}`,
      headers: user.auth,
    });
    // This write, on the version it read, waits for the row.
    assertProblem(
      await patchWhileAnotherChangesTheTask(user, task.id, { "if-match": String(current.headers.etag) }),
      412,
    );
    const [stored] = await storedTasks(ctx.pool, user.id);
    assert.equal(stored?.title, "theirs");
  });

  test("40 concurrent toggles leave a consistent state", async () => {
    const user = await ctx.newUser();
    const task = await createTask(ctx.app, user);
    const url = `/api/${user.id}/tasks/${task.id}/complete`;
    const responses = await Promise.all(
      Array.from({ length: 40 }, () => ctx.app.inject({ method: "PATCH", url, headers: user.auth })),
    );
    assert.deepEqual(new Set(responses.map((r) => r.statusCode)), new Set([200]));
    const seen = responses.map((r) => r.json().completed as boolean);
    assert.equal(seen.filter(Boolean).length, 20, "each toggle saw a distinct state: half true, half false");
    const [stored] = await storedTasks(ctx.pool, user.id);
    assert.equal(stored?.completed, false, "an even number of toggles ends where it began");
    assert.equal(stored?.version, 41);
  });
});
