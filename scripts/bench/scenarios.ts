/**
 * What the bench sends: the scenarios (which kind of request the n-th request
 * of a run is), the request for a kind, user and position, and the check that
 * the API and the ceiling answer those requests alike before anything is
 * measured.
 */
import type autocannon from "autocannon";
import { type BenchUser, CREATED_TASK_TITLE } from "./seed";
import { COMMON_WORD } from "./seed-large";
import type { Target } from "./servers";

export type RequestKind = "list" | "get" | "create" | "toggle" | "search";

export interface Scenario {
  name: "list" | "get" | "create" | "toggle" | "mixed" | "list_large" | "search_large";
  description: string;
  /** Whether the scenario changes the table, which is then reset after each run. */
  writes: boolean;
  /** Its requests are the large user's, in the table of a million tasks (seed-large.ts). */
  large?: boolean;
  /** The query string of its "list" requests (default `limit=20`). */
  listQuery?: string;
  kindOf: (n: number) => RequestKind;
}

export const LIST_LIMIT = 20;

/** What every create of the bench sends (npm run bench:writes inserts the same). */
export const CREATE_INPUT = {
  title: CREATED_TASK_TITLE,
  description: "made by npm run bench",
  priority: "low",
} as const;
const CREATE_BODY = JSON.stringify(CREATE_INPUT);

/** 1000 request kinds, 40% list, 40% get, 10% create, 10% toggle, in a fixed shuffled order. */
const MIXED_KINDS: RequestKind[] = (() => {
  const kinds: RequestKind[] = [];
  for (let i = 0; i < 1000; i++) kinds.push(i < 400 ? "list" : i < 800 ? "get" : i < 900 ? "create" : "toggle");
  let seed = 42;
  for (let i = kinds.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [kinds[i], kinds[j]] = [kinds[j] as RequestKind, kinds[i] as RequestKind];
  }
  return kinds;
})();

export const ALL_SCENARIOS: Scenario[] = [
  { name: "list", description: `GET /api/{uid}/tasks?limit=${LIST_LIMIT}`, writes: false, kindOf: () => "list" },
  { name: "get", description: "GET /api/{uid}/tasks/{id}", writes: false, kindOf: () => "get" },
  { name: "create", description: "POST /api/{uid}/tasks", writes: true, kindOf: () => "create" },
  { name: "toggle", description: "PATCH /api/{uid}/tasks/{id}/complete", writes: true, kindOf: () => "toggle" },
  {
    name: "mixed",
    description: "40% list, 40% get, 10% create, 10% toggle",
    writes: true,
    kindOf: (n) => MIXED_KINDS[n % MIXED_KINDS.length] as RequestKind,
  },
  {
    name: "list_large",
    description: `GET /api/{uid}/tasks?limit=${LIST_LIMIT} for a user with 10,000 tasks, in a table of a million`,
    writes: false,
    large: true,
    kindOf: () => "list",
  },
  {
    name: "search_large",
    description: `GET /api/{uid}/tasks?q=${COMMON_WORD}&limit=${LIST_LIMIT} (1 task in 6 matches), same user and table`,
    writes: false,
    large: true,
    kindOf: () => "search",
  },
];

/** The n-th request of a run: users round-robin, and each user's tasks in turn. */
export function buildRequest(
  users: BenchUser[],
  kind: RequestKind,
  n: number,
  listQuery = `limit=${LIST_LIMIT}`,
): autocannon.Request {
  const user = users[n % users.length] as BenchUser;
  const taskId = user.taskIds[Math.floor(n / users.length) % user.taskIds.length];
  const headers: Record<string, string> = { authorization: user.authorization };
  switch (kind) {
    case "list":
      return { method: "GET", path: `/api/${user.id}/tasks?${listQuery}`, headers };
    case "search":
      return { method: "GET", path: `/api/${user.id}/tasks?q=${COMMON_WORD}&limit=${LIST_LIMIT}`, headers };
    case "get":
      return { method: "GET", path: `/api/${user.id}/tasks/${taskId}`, headers };
    case "create":
      return {
        method: "POST",
        path: `/api/${user.id}/tasks`,
        headers: { ...headers, "content-type": "application/json" },
        body: CREATE_BODY,
      };
    case "toggle":
      return { method: "PATCH", path: `/api/${user.id}/tasks/${taskId}/complete`, headers };
  }
}

/**
 * One request of each kind at both servers: same status, and for reads the
 * same bytes. The create and toggle leave changes behind: reset the tasks after.
 */
export async function checkEquivalence(
  api: Target,
  ceiling: Target,
  users: BenchUser[],
  kinds: RequestKind[] = ["list", "get", "create", "toggle"],
): Promise<void> {
  for (const kind of kinds) {
    const answers: { status: number; body: string; total: string | null }[] = [];
    for (const target of [api, ceiling]) {
      const request = buildRequest(users, kind, 0);
      const response = await fetch(`${target.url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body as string | undefined,
      });
      answers.push({
        status: response.status,
        body: await response.text(),
        total: response.headers.get("x-total-count"),
      });
    }
    const [fromApi, fromCeiling] = answers as [(typeof answers)[0], (typeof answers)[0]];
    const expected = kind === "create" ? 201 : 200;
    if (fromApi.status !== expected || fromCeiling.status !== expected) {
      throw new Error(
        `${kind}: expected ${expected}, the API answered ${fromApi.status} ${fromApi.body.slice(0, 200)}, ` +
          `the ceiling ${fromCeiling.status} ${fromCeiling.body.slice(0, 200)}`,
      );
    }
    const keys = (body: string) => Object.keys(JSON.parse(body)[0] ?? JSON.parse(body)).join(",");
    if (kind === "list" || kind === "get" || kind === "search") {
      if (fromApi.body !== fromCeiling.body || fromApi.total !== fromCeiling.total) {
        throw new Error(`${kind}: the API and the ceiling answered different bodies or X-Total-Count`);
      }
    } else if (keys(fromApi.body) !== keys(fromCeiling.body)) {
      throw new Error(`${kind}: the API and the ceiling answered differently shaped tasks`);
    }
    if ((kind === "list" || kind === "search") && JSON.parse(fromApi.body).length !== LIST_LIMIT) {
      throw new Error(`${kind}: expected ${LIST_LIMIT} tasks`);
    }
  }
}
