import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertProblem, captureQueries, createTask, setup, storedTasks, type TestUser } from "./helper";

const ctx = await setup();

async function list(user: TestUser, query = "") {
  const response = await ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks${query}`, headers: user.auth });
  return {
    status: response.statusCode,
    total: response.headers["x-total-count"],
    titles: response.statusCode === 200 ? (response.json() as { title: string }[]).map((t) => t.title) : [],
    body: response.json(),
  };
}

/** Five tasks created in order a → e, so "newest first" is e → a. */
async function seeded(): Promise<TestUser> {
  const user = await ctx.newUser();
  const specs = [
    { title: "a apples", priority: "low", due_date: "2026-12-03" },
    { title: "B bread", priority: "high", description: "wholemeal 100%" },
    { title: "c cheese", priority: "medium", due_date: "2026-12-01" },
    { title: "d dates_x", priority: "high", due_date: "2026-12-02" },
    { title: "E eggs", priority: "low", description: "back\\slash" },
  ];
  for (const spec of specs) await createTask(ctx.app, user, spec);
  const { body } = await list(user, "?q=cheese");
  await ctx.app.inject({ method: "PATCH", url: `/api/${user.id}/tasks/${body[0].id}/complete`, headers: user.auth });
  return user;
}

describe("listing (contract: GET /api/{user_id}/tasks)", () => {
  test("defaults: all tasks, newest first, with X-Total-Count", async () => {
    const user = await seeded();
    const result = await list(user);
    assert.equal(result.status, 200);
    assert.deepEqual(result.titles, ["E eggs", "d dates_x", "c cheese", "B bread", "a apples"]);
    assert.equal(result.total, "5");
  });

  test("a page is 50 tasks unless limit says otherwise; offset goes on from there", async () => {
    const user = await ctx.newUser();
    for (let i = 1; i <= 60; i++) await createTask(ctx.app, user, { title: `Task ${i}` });
    const first = await list(user);
    assert.equal(first.titles.length, 50);
    assert.equal(first.total, "60");
    assert.equal(first.titles[0], "Task 60", "newest first");
    const rest = await list(user, "?offset=50");
    assert.deepEqual(
      rest.titles,
      Array.from({ length: 10 }, (_, i) => `Task ${10 - i}`),
    );
  });

  test("status, priority and q filter; q is a case-insensitive substring in which % _ \\ are plain", async () => {
    const user = await seeded();
    assert.deepEqual((await list(user, "?status=completed")).titles, ["c cheese"]);
    assert.deepEqual((await list(user, "?status=pending")).titles, ["E eggs", "d dates_x", "B bread", "a apples"]);
    assert.deepEqual((await list(user, "?priority=high")).titles, ["d dates_x", "B bread"]);
    assert.deepEqual((await list(user, "?q=EGG")).titles, ["E eggs"]);
    assert.deepEqual((await list(user, "?q=wholemeal")).titles, ["B bread"], "q searches the description too");
    assert.deepEqual((await list(user, "?q=%25")).titles, ["B bread"], "% is a plain character");
    assert.deepEqual((await list(user, "?q=_")).titles, ["d dates_x"], "_ is a plain character");
    assert.deepEqual((await list(user, "?q=%5C")).titles, ["E eggs"], "\\ is a plain character");
    // A %-escape that does not decode is refused, not searched for as its own text.
    for (const broken of ["?q=%E0%A4%A", "?q=%ED%A0%80", "?q=100%", "?q=%zz", "?status=pending&q=%C3"]) {
      const answer = await ctx.app.inject({ method: "GET", url: `/api/${user.id}/tasks${broken}`, headers: user.auth });
      assert.match(String(assertProblem(answer, 400).detail), /%-escape/, broken);
    }
    const combined = await list(user, "?status=pending&priority=low&q=e");
    assert.deepEqual(combined.titles, ["E eggs", "a apples"]);
    assert.equal(combined.total, "2");
  });

  test("q ignores the case of letters beyond ASCII, whatever the machine's locale (LANG unset included)", async () => {
    const user = await ctx.newUser();
    await createTask(ctx.app, user, { title: "École fees", description: "Straße 5, ÅRHUS" });
    await createTask(ctx.app, user, { title: "other" });
    for (const q of ["école", "ÉCOLE", "straße", "STRAßE", "århus"]) {
      const result = await list(user, `?q=${encodeURIComponent(q)}`);
      assert.deepEqual(result.titles, ["École fees"], `q=${q}`);
      assert.equal(result.total, "1", `q=${q}`);
    }
  });

  test("q as long as a description: a long phrase copied from one is found; longer than any text is a 400", async () => {
    const user = await ctx.newUser();
    const description = `${"Quarterly report section ".repeat(40)}end`; // 1003 characters: over the limit, cut below
    await createTask(ctx.app, user, { title: "Report", description: description.slice(0, 1000) });
    const phrase = description.slice(100, 350); // 250 characters, longer than a title can be
    const found = await list(user, `?q=${encodeURIComponent(phrase)}`);
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.deepEqual(found.titles, ["Report"]);
    const tooLong = await list(user, `?q=${"x".repeat(1001)}`);
    assert.equal(tooLong.status, 400);
    assert.match(JSON.stringify(tooLong.body), /q must be at most 1000 characters/);
  });

  test("sorts: due (no date last, either order), priority, title (A to Z, Z to A), updated", async () => {
    const user = await seeded();
    assert.deepEqual((await list(user, "?sort=due")).titles, [
      "c cheese",
      "d dates_x",
      "a apples",
      "E eggs",
      "B bread",
    ]);
    assert.deepEqual((await list(user, "?sort=due&order=desc")).titles, [
      "a apples",
      "d dates_x",
      "c cheese",
      "E eggs",
      "B bread",
    ]);
    assert.deepEqual((await list(user, "?sort=priority")).titles, [
      "d dates_x",
      "B bread",
      "c cheese",
      "E eggs",
      "a apples",
    ]);
    assert.deepEqual((await list(user, "?sort=priority&order=asc")).titles, [
      "E eggs",
      "a apples",
      "c cheese",
      "d dates_x",
      "B bread",
    ]);
    assert.deepEqual((await list(user, "?sort=title")).titles, [
      "a apples",
      "B bread",
      "c cheese",
      "d dates_x",
      "E eggs",
    ]);
    assert.deepEqual((await list(user, "?sort=title&order=desc")).titles, [
      "E eggs",
      "d dates_x",
      "c cheese",
      "B bread",
      "a apples",
    ]);
    assert.deepEqual((await list(user, "?sort=updated")).titles[0], "c cheese", "the toggled task was updated last");
    assert.deepEqual((await list(user, "?sort=updated&order=asc")).titles.at(-1), "c cheese");
    assert.deepEqual((await list(user, "?sort=created&order=asc")).titles[0], "a apples");
  });

  test("every sort, either way, pages through the same order as the whole list, ties included", async () => {
    const user = await ctx.newUser();
    // Titles equal but for case, equal priorities and due dates, and tasks with no due date:
    // every tie-break of every sort has work to do.
    const specs = [
      { title: "milk", priority: "low", due_date: "2026-12-02" },
      { title: "Milk", priority: "low", due_date: "2026-12-02" },
      { title: "MILK", priority: "high" },
      { title: "bread", priority: "medium", due_date: "2026-12-01" },
      { title: "Bread", priority: "high", due_date: "2026-12-02" },
      { title: "eggs", priority: "medium" },
      { title: "tea", priority: "low", due_date: "2026-12-01" },
    ];
    for (const spec of specs) await createTask(ctx.app, user, spec);
    const ids = (response: { body: unknown }) => (response.body as { id: string }[]).map((task) => task.id);
    for (const sort of ["created", "updated", "priority", "title", "due"]) {
      for (const order of ["asc", "desc"]) {
        const whole = ids(await list(user, `?sort=${sort}&order=${order}&limit=100`));
        assert.equal(whole.length, specs.length);
        const paged: string[] = [];
        for (let offset = 0; offset < specs.length; offset += 2) {
          paged.push(...ids(await list(user, `?sort=${sort}&order=${order}&limit=2&offset=${offset}`)));
        }
        assert.deepEqual(paged, whole, `sort=${sort}&order=${order}`);
      }
    }
    // Titles equal but for case are ordered by the title itself, so one direction is the other reversed.
    const milks = (titles: string[]) => titles.filter((title) => title.toLowerCase() === "milk");
    const ascending = milks((await list(user, "?sort=title&order=asc")).titles);
    assert.equal(ascending.length, 3);
    assert.deepEqual(milks((await list(user, "?sort=title&order=desc")).titles), [...ascending].reverse());
    // No due date comes last both ways.
    for (const order of ["asc", "desc"]) {
      assert.deepEqual((await list(user, `?sort=due&order=${order}`)).titles.slice(-2).sort(), ["MILK", "eggs"]);
    }
  });

  test("tasks made in the same instant are told apart by their id, as the contract's last tie-break: every page in that order", async () => {
    const user = await ctx.newUser();
    for (const title of ["one", "two", "three", "four", "five"]) await createTask(ctx.app, user, { title });
    // One instant for all (an import could make them so): only the id is left to order them.
    await ctx.pool.query("UPDATE tasks SET created_at = '2026-12-01T00:00:00Z' WHERE user_id = $1", [user.id]);
    const byId = (await storedTasks(ctx.pool, user.id)).map((task) => String(task.id)); // PostgreSQL's ORDER BY id
    for (const query of ["sort=created", "sort=created&order=asc", "sort=priority", "sort=priority&order=asc"]) {
      const paged: string[] = [];
      for (let offset = 0; offset < byId.length; offset++) {
        paged.push(
          ...(await list(user, `?${query}&limit=1&offset=${offset}`)).body.map((task: { id: string }) => task.id),
        );
      }
      assert.deepEqual(paged, byId, query);
    }
  });

  test("due dates latest first and priorities lowest first (read in runs) page in the contract's order, filtered too", async () => {
    const user = await ctx.newUser();
    // Every priority with and without a due date, shared due dates, some completed: each run and
    // each tie-break has tasks in it.
    const dues = ["2026-12-01", "2026-12-02", undefined, "2026-12-02", "2026-11-30", undefined];
    const priorities = ["low", "medium", "high", "medium", "low"];
    const made: string[] = [];
    for (let n = 0; n < 30; n++) {
      const task = await createTask(ctx.app, user, {
        title: `task ${n}`,
        priority: priorities[n % priorities.length],
        ...(dues[n % dues.length] ? { due_date: dues[n % dues.length] } : {}),
      });
      made.push(task.id);
      if (n % 4 === 0) {
        const url = `/api/${user.id}/tasks/${task.id}/complete`;
        await ctx.app.inject({ method: "PATCH", url, headers: user.auth });
      }
    }
    type Listed = { id: string; completed: boolean; priority: string; due_date: string | null };
    const all = (await list(user, "?limit=100")).body as Listed[];
    assert.equal(all.length, 30);
    const rank = { low: 0, medium: 1, high: 2 } as Record<string, number>;
    // Ties: newest first (one at a time here, so no two share a creation time).
    const ties = (a: Listed, b: Listed) => made.indexOf(b.id) - made.indexOf(a.id);
    const dueLatestFirst = (a: Listed, b: Listed) =>
      a.due_date === b.due_date
        ? ties(a, b)
        : a.due_date === null
          ? 1
          : b.due_date === null
            ? -1
            : b.due_date.localeCompare(a.due_date);
    const lowestFirst = (a: Listed, b: Listed) =>
      (rank[a.priority] as number) - (rank[b.priority] as number) || ties(a, b);
    const filters: [string, (task: Listed) => boolean][] = [
      ["", () => true],
      ["status=pending&", (task) => !task.completed],
      ["status=completed&", (task) => task.completed],
      ["priority=medium&", (task) => task.priority === "medium"],
    ];
    for (const [sort, compare] of [
      ["sort=due&order=desc", dueLatestFirst],
      ["sort=priority&order=asc", lowestFirst],
    ] as const) {
      for (const [filter, keep] of filters) {
        const expected = all.filter(keep).sort(compare);
        const paged: Listed[] = [];
        for (let offset = 0; offset < 30; offset += 4) {
          paged.push(...((await list(user, `?${filter}${sort}&limit=4&offset=${offset}`)).body as Listed[]));
        }
        assert.deepEqual(
          paged.map((task) => task.id),
          expected.map((task) => task.id),
          `${filter}${sort}`,
        );
      }
    }
  });

  test("a common search asked again (then read along the sort's index) pages as the whole list filtered", async () => {
    const user = await ctx.newUser();
    // 300 tasks, distinct times both ways; nearly all match "common", some only by description;
    // four in five are of high priority.
    await ctx.pool.query(
      `INSERT INTO tasks (id, user_id, title, description, completed, priority, created_at, updated_at)
       SELECT gen_random_uuid(), $1,
              CASE WHEN n % 30 = 0 THEN 'plain ' || n WHEN n % 7 = 0 THEN 'other ' || n ELSE 'Common ' || n END,
              CASE WHEN n % 7 = 0 THEN 'a COMMON thing' ELSE '' END, n % 3 = 0,
              CASE WHEN n % 5 = 0 THEN 'low' ELSE 'high' END::task_priority,
              timestamptz '2026-01-01' + n * interval '1 minute',
              timestamptz '2026-02-01' + (n * 7919 % 300) * interval '1 minute'
       FROM generate_series(1, 300) AS n`,
      [user.id],
    );
    type Listed = { id: string; title: string; description: string; completed: boolean; priority: string } & Record<
      string,
      string
    >;
    const all: Listed[] = [];
    for (let offset = 0; offset < 300; offset += 100)
      all.push(...(await list(user, `?limit=100&offset=${offset}`)).body);
    // Every filter, both time sorts both ways, three offsets, each asked twice: once a filter's total
    // is counted, its searches walk where walkReadsLess says so.
    const cases = [["all"], ["pending"], ["completed"], ["all", "high"], ["pending", "high"]].flatMap(
      ([status, priority]) =>
        ["created", "updated"].flatMap((sort) =>
          ["asc", "desc"].flatMap((order) => [0, 20, 200].map((offset) => ({ status, priority, sort, order, offset }))),
        ),
    );
    const sent = await captureQueries(ctx.pool, async () => {
      for (const { status, priority, sort, order, offset } of cases) {
        const expected = all
          .filter((task) => `${task.title} ${task.description}`.toLowerCase().includes("common"))
          .filter((task) => status === "all" || task.completed === (status === "completed"))
          .filter((task) => priority === undefined || task.priority === priority)
          .sort((a, b) => {
            const [x, y] = [a[`${sort}_at`] as string, b[`${sort}_at`] as string];
            return (x < y ? -1 : 1) * (order === "asc" ? 1 : -1);
          });
        const filters = `status=${status}${priority ? `&priority=${priority}` : ""}`;
        const url = `?q=common&${filters}&sort=${sort}&order=${order}&limit=20&offset=${offset}`;
        for (const ask of ["first", "again"]) {
          const page = await list(user, url);
          const what = `${url} (${ask})`;
          assert.equal(page.total, String(expected.length), what);
          assert.deepEqual(
            page.body.map((task: Listed) => task.id),
            expected.slice(offset, offset + 20).map((task) => task.id),
            what,
          );
        }
      }
    });
    const walked = sent.filter((statement) => statement.text.includes('"walk"'));
    assert.ok(walked.length >= 12, "the searches asked again walked");
  });

  test("limit and offset page through the matches; X-Total-Count counts before the limit", async () => {
    const user = await seeded();
    const page1 = await list(user, "?limit=2");
    const page2 = await list(user, "?limit=2&offset=2");
    const page3 = await list(user, "?limit=2&offset=4");
    const beyond = await list(user, "?limit=2&offset=10");
    assert.deepEqual([...page1.titles, ...page2.titles, ...page3.titles], (await list(user)).titles);
    assert.deepEqual([page1.total, page2.total, page3.total, beyond.total], ["5", "5", "5", "5"]);
    assert.deepEqual(beyond.titles, []);
  });

  test("a new user sees an empty list", async () => {
    const user = await ctx.newUser();
    const result = await list(user);
    assert.equal(result.status, 200);
    assert.deepEqual(result.body, []);
    assert.equal(result.total, "0");
  });

  test("query parameters are strict: unknown values, repeats and unknown names are 400", async () => {
    const user = await ctx.newUser();
    for (const query of [
      "?status=",
      "?status=done",
      "?sort=foo",
      "?order=up",
      "?priority=urgent",
      "?limit=0",
      "?limit=101",
      "?limit=1.5",
      "?limit=abc",
      "?offset=-1",
      "?status=all&status=pending",
      "?limit=10&limit=20",
      "?colour=red",
    ]) {
      const result = await list(user, query);
      assert.equal(result.status, 400, query);
      assert.equal(result.body.status, 400);
    }
    assert.equal((await list(user, "?limit=1")).status, 200);
    assert.equal((await list(user, "?limit=100")).status, 200);
  });
});
