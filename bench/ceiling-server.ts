/**
 * The benchmark's ceiling: the least a server can do for the bench's
 * requests and still give the same answers as the Task API. A bare
 * `node:http` server that verifies the Bearer token with `jose` (EdDSA, `iss`,
 * `aud`, against the same JWKS), checks `{user_id}` against `sub`, runs the
 * very SQL the API's Drizzle repository generates (plain `pg`, parameterized
 * text queries, rows as arrays) and writes the JSON text PostgreSQL built.
 *
 * It handles exactly the routes `npm run bench` drives, plus /readyz:
 *   GET   /api/{user_id}/tasks?limit=N          (list; X-Total-Count, ETag)
 *   GET   /api/{user_id}/tasks/{id}
 *   POST  /api/{user_id}/tasks                  (create; Location)
 *   PATCH /api/{user_id}/tasks/{id}/complete    (toggle)
 * No framework, no schema library, no logger, no rate limit: it is not a
 * product, it is the measure of what this machine can do.
 *
 * Like the API, it verifies each distinct token once and remembers the result
 * until the token expires (the API's VerifiedTokenCache), so both do the same
 * cryptographic work. Set CEILING_TOKEN_CACHE=0 to verify every request.
 * Like the API too, it keeps a search's counted total while the person's
 * counts' version stands (unbounded here: the bench asks one search).
 *
 * The statements are named, as the API's are (each connection parses and
 * plans them once). CEILING_PREPARED=0 sends them unnamed instead. Creates
 * that come together go as one INSERT, through the API's own CreateBatches
 * (apps/api/src/tasks/create-batches.ts) with the API's limits: a lever the
 * API has, so the ceilings have it too.
 *
 * CEILING_SCHEMA=bench_minimal runs the same statements on the bench's
 * minimal table instead (a primary key and one index on (user_id,
 * created_at), no foreign key, no trigger, no search or sort index; see
 * scripts/bench/seed.ts): the list's total is then counted, as a server
 * without task_counts would. The difference between the two ceilings is what
 * our schema costs.
 *
 * Environment: DATABASE_URL, PORT, AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE,
 * DATABASE_POOL_MAX (default 10, as the API's), CEILING_TOKEN_CACHE,
 * CEILING_PREPARED (default 1), CEILING_SCHEMA (default: the product's table).
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRemoteJWKSet, jwtVerify } from "jose";
import pg from "pg";
import { uuidv7 } from "uuidv7";
import { CreateBatches, createBatchLimits } from "../apps/api/src/tasks/create-batches";
import { ceilingStatements, createStatement } from "./ceiling-sql";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`ceiling-server: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const databaseUrl = required("DATABASE_URL");
const port = Number(process.env.PORT ?? 8001);
const issuer = required("AUTH_ISSUER");
const audience = required("AUTH_AUDIENCE");
const jwks = createRemoteJWKSet(new URL(required("AUTH_JWKS_URL")));
const cacheTokens = process.env.CEILING_TOKEN_CACHE !== "0";
const namedStatements = process.env.CEILING_PREPARED !== "0";
const schema = process.env.CEILING_SCHEMA;
if (schema !== undefined && !/^[a-z_]+$/.test(schema)) {
  console.error("ceiling-server: CEILING_SCHEMA must be a plain lower-case name");
  process.exit(2);
}

const pool = new pg.Pool({
  connectionString: databaseUrl,
  max: Number(process.env.DATABASE_POOL_MAX ?? 10),
  // As the API's pool (packages/db): connections outlive the pause while the other servers are measured.
  idleTimeoutMillis: 30_000,
  // The minimal table shadows the product's "tasks"; the enum type stays in public.
  options: schema ? `-c search_path=${schema},public` : undefined,
});
pool.on("error", () => {});

const SQL = ceilingStatements({ minimalTable: schema !== undefined });

type Row = unknown[];
/**
 * A search's total as counted, by person and pattern, with their counts' version and tasks then (as
 * the API keeps them).
 */
const countedTotals = new Map<string, { version: string; total: number; personTasks: number }>();
const statementNames = new Map(Object.entries(SQL).map(([name, text]) => [text, `ceiling_${name}`]));

async function query(text: string, values: unknown[]): Promise<Row[]> {
  const name = namedStatements ? statementNames.get(text) : undefined;
  const result = await pool.query<Row>({ name, text, values, rowMode: "array" });
  return result.rows;
}

// ---- Creates: in batches when they come together, as the API's (its own CreateBatches) ----

interface NewTask {
  id: string;
  sub: string;
  input: { title: string; description: string; priority: string };
}

/** The INSERT for each count of rows, built once, as the API's named statements are. */
const insertTexts = new Map<number, string>();
function insertText(rows: number): string {
  let text = insertTexts.get(rows);
  if (text === undefined) {
    text = createStatement(rows);
    insertTexts.set(rows, text);
    if (!statementNames.has(text)) statementNames.set(text, `ceiling_create_${rows}`); // one row: SQL.create's
  }
  return text;
}
const creates = new CreateBatches<NewTask, Row>(
  async (batch) => {
    const text = insertText(batch.length);
    const values = batch.flatMap(({ id, sub, input }) => [
      id,
      sub,
      input.title,
      input.description,
      input.priority,
      null,
    ]);
    const byId = new Map((await query(text, values)).map((row) => [row[0] as string, row]));
    return batch.map(({ id }) => {
      const row = byId.get(id);
      return row ? { ok: true, value: row } : { ok: false, error: new Error("no row") };
    });
  },
  (task) => task.sub,
  createBatchLimits(pool),
);

// ---- Authentication ----

const BEARER = /^Bearer +([A-Za-z0-9_.~+/=-]+)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const verified = new Map<string, { sub: string; until: number }>();

async function authenticate(header: string | undefined): Promise<string | undefined> {
  const match = header ? BEARER.exec(header.trim()) : null;
  const token = match?.[1];
  if (!token) return undefined;
  const now = Date.now();
  const cached = cacheTokens ? verified.get(token) : undefined;
  if (cached && cached.until > now) return cached.sub;
  try {
    const { payload } = await jwtVerify(token, jwks, {
      algorithms: ["EdDSA"],
      issuer,
      audience,
      clockTolerance: 30,
      requiredClaims: ["sub", "exp"],
    });
    if (typeof payload.sub !== "string" || !UUID.test(payload.sub) || typeof payload.exp !== "number") return undefined;
    if (cacheTokens) verified.set(token, { sub: payload.sub, until: Math.min(payload.exp * 1000, now + 300_000) });
    return payload.sub;
  } catch {
    return undefined;
  }
}

// ---- HTTP ----

const BASE_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff" };

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    ...BASE_HEADERS,
    ...headers,
    "content-type": status < 300 ? "application/json; charset=utf-8" : "application/problem+json",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

function problem(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  send(response, status, JSON.stringify({ type: "about:blank", title: String(status), status, detail: "" }), headers);
}

function sendTask(
  response: ServerResponse,
  status: number,
  row: Row | undefined,
  headers: Record<string, string> = {},
) {
  if (!row) return problem(response, 404);
  send(response, status, row[1] as string, { etag: `"${row[2]}"`, ...headers });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) reject(new Error("too large"));
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

const PRIORITIES = new Set(["low", "medium", "high"]);

/** Just enough of TaskCreate for the bench's body: title 1-200 code points after trimming. */
function parseCreate(text: string): { title: string; description: string; priority: string } | undefined {
  const body = JSON.parse(text) as { title?: unknown; description?: unknown; priority?: unknown };
  if (typeof body.title !== "string") return undefined;
  const title = body.title.trim();
  const length = [...title].length;
  if (length < 1 || length > 200) return undefined;
  const description = body.description ?? "";
  const priority = body.priority ?? "medium";
  if (typeof description !== "string" || [...description].length > 1000) return undefined;
  if (typeof priority !== "string" || !PRIORITIES.has(priority)) return undefined;
  return { title, description, priority };
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = request.url ?? "/";
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const method = request.method ?? "GET";

  if (path === "/readyz") {
    await pool.query("SELECT 1");
    return send(response, 200, '{"status":"ok"}');
  }

  // /api/{user_id}/tasks[/{id}[/complete]]
  const parts = path.split("/");
  if (parts.length < 4 || parts.length > 6 || parts[0] !== "" || parts[1] !== "api" || parts[3] !== "tasks") {
    return problem(response, 404);
  }
  if (parts.length === 6 && parts[5] !== "complete") return problem(response, 404);

  const sub = await authenticate(request.headers.authorization);
  if (!sub) return problem(response, 401, { "www-authenticate": 'Bearer realm="tasks", error="invalid_token"' });
  if (parts[2] !== sub) return problem(response, 403);

  if (parts.length === 4) {
    if (method === "GET") {
      const params = new URLSearchParams(queryAt === -1 ? "" : url.slice(queryAt + 1));
      const limit = Number(params.get("limit") ?? 50);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return problem(response, 400);
      const q = params.get("q");
      const pattern = q ? `%${q.replace(/[\\%_]/g, "\\$&")}%` : undefined;
      const known = pattern ? countedTotals.get(`${sub} ${pattern}`) : undefined;
      // The API's rule (walkReadsLess, for its sort by creation from the start): walk the sort's index
      // when the counted total says the text is common.
      const walk = known !== undefined && known.total > 0 && 4 * limit * known.personTasks <= known.total * known.total;
      const [page] = pattern
        ? await query(walk ? SQL.searchWalk : SQL.search, [
            ...[sub, sub, pattern, pattern, limit, 0],
            ...[known?.version ?? null, known?.total ?? null, sub, pattern, pattern, sub],
          ])
        : await query(SQL.list, [sub, sub, limit, 0, sub]);
      const version = page?.[2] as string | null | undefined;
      if (pattern && version && version !== known?.version) {
        countedTotals.set(`${sub} ${pattern}`, { version, total: Number(page?.[1]), personTasks: Number(page?.[3]) });
      }
      const body = `[${(page?.[0] as string | null) ?? ""}]`;
      return send(response, 200, body, {
        "x-total-count": String(page?.[1] ?? 0),
        etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
      });
    }
    if (method === "POST") {
      if (!request.headers["content-type"]?.startsWith("application/json")) return problem(response, 415);
      let input: ReturnType<typeof parseCreate>;
      try {
        input = parseCreate(await readBody(request));
      } catch {
        return problem(response, 400);
      }
      if (!input) return problem(response, 422);
      const row = await creates.add({ id: uuidv7(), sub, input });
      return sendTask(response, 201, row, { location: `/api/${sub}/tasks/${row?.[0]}` });
    }
    return problem(response, 405);
  }

  const id = parts[4] ?? "";
  if (!UUID.test(id)) return problem(response, 404);
  if (parts.length === 5 && method === "GET") {
    const [row] = await query(SQL.get, [id.toLowerCase(), sub]);
    return sendTask(response, 200, row);
  }
  if (parts.length === 6 && method === "PATCH") {
    request.resume(); // any body is ignored
    const [row] = await query(SQL.toggle, [id.toLowerCase(), sub]);
    return sendTask(response, 200, row);
  }
  return problem(response, 405);
}

const server = createServer({ keepAliveTimeout: 72_000 }, (request, response) => {
  handle(request, response).catch(() => {
    if (!response.headersSent) problem(response, 503);
    else response.destroy();
  });
});

server.listen(port, "127.0.0.1", () => {
  console.log(`ceiling server listening on http://127.0.0.1:${port}`);
});

const stop = () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
