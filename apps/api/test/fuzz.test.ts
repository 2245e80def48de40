import assert from "node:assert/strict";
import { test } from "node:test";
import { createTask, setup } from "./helper";

const ctx = await setup();

/** mulberry32: a tiny seeded generator, so a failing run can be replayed exactly. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const REQUESTS = 600;

test(`${REQUESTS} seeded random requests (seed ${SEED}) get no 5xx, and every error is a problem document`, async () => {
  const { next, pick } = random(SEED);
  const alice = await ctx.newUser();
  const bob = await ctx.newUser();
  const aliceTask = await createTask(ctx.app, alice);
  const bobTask = await createTask(ctx.app, bob);

  const strings = [
    "",
    " ",
    "x",
    "a".repeat(201),
    "🙂".repeat(300),
    "\u0000",
    "\ud800",
    "'; DROP TABLE tasks; --",
    "%_\\",
    "<script>alert(1)</script>",
    "null",
    "2026-02-30",
    "2026-12-31",
    "0000-01-01",
    "9999-12-31",
    "low",
    "high",
    "true",
    "-1",
    "1e309",
  ];
  const values = () =>
    pick<unknown>([
      pick(strings),
      next() * 1e6,
      -1,
      0,
      true,
      false,
      null,
      [],
      {},
      [pick(strings)],
      { nested: { deeper: pick(strings) } },
      Number.MAX_SAFE_INTEGER,
    ]);
  const fields = [
    "title",
    "description",
    "priority",
    "due_date",
    "completed",
    "id",
    "user_id",
    "created_at",
    "__proto__",
    "constructor",
  ];
  const body = () => {
    const roll = next();
    if (roll < 0.1) return pick(['{"title":', "[1,2", "not json", "", "null", "[]", '"str"', "{}".repeat(1000)]);
    if (roll < 0.15) return JSON.stringify({ title: "big", description: "x".repeat(70_000) });
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 5); i >= 0; i--) object[pick(fields)] = values();
    if (next() < 0.5) object.title = pick(strings);
    return JSON.stringify(object);
  };
  const ids = () =>
    pick([
      aliceTask.id,
      bobTask.id,
      crypto.randomUUID(),
      "1",
      "abc",
      "%00",
      "..%2F..",
      aliceTask.id.toUpperCase(),
      "a".repeat(500),
    ]);
  const users = () => pick([alice.id, bob.id, alice.id.toUpperCase(), "me", "", "%2e%2e", crypto.randomUUID()]);
  const paths = () => {
    const user = users();
    return pick([
      `/api/${user}/tasks`,
      `/api/${user}/tasks/${ids()}`,
      `/api/${user}/tasks/${ids()}/complete`,
      `/api/${user}/tasks/${ids()}/extra`,
      `/api/${user}`,
      "/api",
      "/healthz",
      "/readyz",
      "/nope",
    ]);
  };
  const queries = () => {
    if (next() < 0.5) return "";
    const names = ["status", "q", "priority", "sort", "order", "limit", "offset", "unknown", "q[]", "__proto__"];
    const parts: string[] = [];
    for (let i = Math.floor(next() * 4); i >= 0; i--) {
      const value = pick([...strings, "all", "completed", "due", "asc", "50", "999999999999"]);
      // A lone surrogate cannot be percent-encoded: send bytes that are not UTF-8 at all instead.
      parts.push(`${pick(names)}=${value.isWellFormed() ? encodeURIComponent(value) : "%ED%A0%80%FF"}`);
    }
    return `?${parts.join("&")}`;
  };
  const auths = () =>
    pick<Record<string, string>>([
      alice.auth,
      alice.auth,
      alice.auth,
      bob.auth,
      {},
      { authorization: "Bearer x.y.z" },
      { authorization: "Basic Zm9vOmJhcg==" },
      { authorization: `Bearer ${"a".repeat(5000)}` },
    ]);
  const contentTypes = [
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "application/xml",
    "multipart/form-data; boundary=x",
    undefined,
  ];

  const statuses = new Map<number, number>();
  for (let i = 0; i < REQUESTS; i++) {
    const method = pick(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const);
    const contentType = pick(contentTypes);
    const headers: Record<string, string> = { ...auths() };
    if (contentType) headers["content-type"] = contentType;
    if (next() < 0.2) headers["if-match"] = pick(["*", '"1"', 'W/"1"', "garbage", '"999999999999"']);
    const withBody = method !== "GET" && method !== "HEAD" && next() < 0.8;
    const request = { method, url: paths() + queries(), headers, ...(withBody ? { payload: body() } : {}) };
    const response = await ctx.app.inject(request);
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    assert.ok(
      response.statusCode < 500,
      `request ${i} ${JSON.stringify(request).slice(0, 500)} → ${response.statusCode} ${response.body}`,
    );
    if (response.statusCode >= 400 && method !== "HEAD") {
      assert.match(
        String(response.headers["content-type"]),
        /^application\/problem\+json/,
        `request ${i} ${request.method} ${request.url} → ${response.statusCode} ${response.body}`,
      );
      assert.doesNotMatch(response.body, /at .*\.(ts|js):\d+|SELECT|INSERT|eyJ/, `request ${i} leaks internals`);
    }
  }
  // The run exercised more than the happy path.
  assert.ok([...statuses.keys()].filter((status) => status >= 400).length >= 6, JSON.stringify([...statuses]));
});
