/**
 * What the OpenAPI document (/openapi.json, /docs) says beyond the routes' Zod schemas, which
 * describe bodies only: problems as `application/problem+json` (what is sent), the headers a
 * client reads (ETag, Location, X-Total-Count, Retry-After, WWW-Authenticate, Cache-Control), `limit` and
 * `offset` as the whole numbers they are (the schema reads them from text), and each answer's
 * meaning instead of "Default Response".
 */
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, LIST_OFFSET_MAX } from "@tasks/task-schema";
import { statusTitle } from "./problem";

interface Header {
  description: string;
  schema: { type: "string" | "integer" };
}
interface Response {
  description?: string;
  content?: Record<string, unknown>;
  headers?: Record<string, Header>;
}
interface Parameter {
  in: string;
  name: string;
  schema?: unknown;
  description?: string;
}
interface Operation {
  parameters?: Parameter[];
  responses?: Record<string, Response>;
}
interface Document {
  paths?: Record<string, Record<string, Operation>>;
}

const text = (description: string): Header => ({ description, schema: { type: "string" } });
const ETAG = text("The task's version, for `If-Match` on a later write (strong).");
const LIST_ETAG = text("This page's tag (its tasks and the count), for `If-None-Match` on the next read of it.");
const TOTAL: Header = {
  description: "How many tasks match the filter, over every page.",
  schema: { type: "integer" },
};
const NO_STORE = text("`no-store`: a person's tasks are kept by no cache.");
const RETRY_AFTER: Header = { description: "Seconds to wait before asking again.", schema: { type: "integer" } };

/** The headers each status brings (and every 200: ETag with a task, X-Total-Count and ETag with a list). */
const HEADERS_BY_STATUS: Record<string, Record<string, Header>> = {
  "201": { ETag: ETAG, Location: text("The new task's address.") },
  "304": { ETag: text("The ETag the client has, still the current one.") },
  "401": { "WWW-Authenticate": text('`Bearer realm="tasks"`, with `error="invalid_token"` when a token was sent.') },
  "429": { "Retry-After": RETRY_AFTER },
  "503": { "Retry-After": RETRY_AFTER },
};

/** Whole numbers in the query, as sent: text of digits, read as numbers within these bounds. */
const QUERY_NUMBERS: Record<string, { schema: object; description: string }> = {
  limit: {
    schema: { type: "integer", minimum: 1, maximum: LIST_LIMIT_MAX, default: LIST_LIMIT_DEFAULT },
    description: `How many tasks in this page (at most ${LIST_LIMIT_MAX}).`,
  },
  offset: {
    schema: { type: "integer", minimum: 0, maximum: LIST_OFFSET_MAX, default: 0 },
    description: "How many matching tasks to skip before this page.",
  },
};

export function describeHttp<T extends object>(document: T): T {
  const paths = (document as Document).paths ?? {};
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const isList = method === "get" && path.endsWith("/tasks");
      for (const parameter of operation.parameters ?? []) {
        const number = parameter.in === "query" ? QUERY_NUMBERS[parameter.name] : undefined;
        if (number) Object.assign(parameter, number);
      }
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        response.description = statusTitle(Number(status));
        const problem = response.content?.["application/json"];
        if (Number(status) >= 400 && problem) response.content = { "application/problem+json": problem };
        const headers = {
          // Every answer of a task route (app.ts): private data, kept by no cache.
          "Cache-Control": NO_STORE,
          ...HEADERS_BY_STATUS[status],
          // A task in the body (GET, PUT, PATCH, complete) comes with its version; a list with the count.
          ...(status === "200" ? (isList ? { "X-Total-Count": TOTAL, ETag: LIST_ETAG } : { ETag: ETAG }) : {}),
          ...(status === "304" && isList ? { "X-Total-Count": TOTAL } : {}),
        };
        if (Object.keys(headers).length > 0) response.headers = { ...response.headers, ...headers };
      }
    }
  }
  return document;
}
