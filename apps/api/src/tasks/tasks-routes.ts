/**
 * The task routes of ../../shared/CONTRACT.md. Authentication and the
 * `{user_id}` check run first (see auth/authenticate.ts); every handler then
 * works only on `request.userId`'s tasks.
 */
import { createHash } from "node:crypto";
import { isUuid, Problem, Task, TaskCreate, TaskListQuery, TaskPatch, TaskReplace } from "@tasks/task-schema";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { dropAnyBody } from "../ignored-bodies";
import { HttpProblem } from "../problem";
import { etagForVersion, ifMatchHolds, ifNoneMatchHolds, parseIfMatch } from "./etag";
import type { PerUserSlots } from "./per-user-slots";
import type { TaskRecord } from "./task-json";
import type { TasksRepository, WritePrecondition, WriteRefusal } from "./tasks-repository";

const UserParams = z.object({ user_id: z.string().meta({ description: "Must be the token's `sub`." }) });
const TaskParams = UserParams.extend({ id: z.string().meta({ description: "The task's id (a UUID)." }) });
const IdempotencyKey = z.looseObject({
  "idempotency-key": z
    .string()
    .optional()
    .meta({
      description:
        "Makes a repeated create (after no answer came) return the task the first one made instead of a second task. " +
        'A unique value per task, e.g. a random UUID, bare or quoted ("…"); kept at least a day while its task exists ' +
        "(once the task is deleted, the key makes a new one). " +
        "8 to 128 letters, digits or . _ : ~ + / = - (else 400); the same key with another body is a 422.",
    }),
});
const IfNoneMatch = z.looseObject({
  "if-none-match": z
    .string()
    .optional()
    .meta({ description: "An ETag read before: 304 (nothing sent again) while it is still the current one." }),
});
const Preconditions = z.looseObject({
  "if-match": z.string().optional().meta({ description: "Write only if the task still has this ETag (or `*`)." }),
  "if-none-match": z
    .string()
    .optional()
    .meta({ description: "Write only if the task does not have this ETag (`*`: never, since it exists): else 412." }),
});
/** A read whose ETag the client has already: nothing sent again. */
const NotModified = z.null().meta({ description: "Not Modified" });

const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((status) => [status, Problem]));
const common = [401, 403, 429, 503];

export interface TasksRoutesOptions {
  repository: TasksRepository;
  /** How many lists of one person run at once, and wait (per-user-slots.ts). */
  listSlots: PerUserSlots;
}

export async function tasksRoutes(app: FastifyInstance, { repository, listSlots }: TasksRoutesOptions): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  // A path id that is not a UUID names no task: 404, like any other missing one, whatever the
  // request's body (so before it is read or validated: not 413, 415 or 422), once authenticated.
  // A query whose %-escapes are not UTF-8 (`q=%E0%A4%A`) or not escapes (`q=100%`): the parser keeps
  // them as the text they are, so a search would look for that; query parameters are strict.
  app.addHook("onRequest", (request, _reply, done) => {
    const { id } = request.params as { id?: string };
    if (id !== undefined && !isUuid(id)) return done(notFound());
    done(
      hasBrokenEscape(request.url)
        ? new HttpProblem(400, "The query string has a %-escape that is not UTF-8.")
        : undefined,
    );
  });
  const taskId = (id: string): string => id.toLowerCase();

  /** PUT and PATCH differ only in their body schema (PUT's fills in the defaults). */
  const updateTask = async (
    request: FastifyRequest<{ Params: { id: string }; Body: TaskReplace | TaskPatch }>,
    reply: FastifyReply,
  ) => {
    const id = taskId(request.params.id);
    const result = await writeUnderPreconditions(request, id, (precondition) =>
      repository.updateTaskForUser(request.userId, id, request.body, precondition),
    );
    return sendWriteResult(reply, result);
  };

  /**
   * A write under the request's preconditions. With If-None-Match, a refusal means the task changed
   * between the read that weighed them and the write (`preconditionOf`): they are weighed again
   * against the task as it is now, as if they had been weighed with the write, so a change that
   * still leaves them holding does not refuse a write that asked only for that (and one that makes
   * them fail is the 412 they name). A task that keeps changing under it is refused after 3 tries.
   */
  const writeUnderPreconditions = async <T>(
    request: FastifyRequest,
    id: string,
    write: (precondition: WritePrecondition) => Promise<T | WriteRefusal>,
  ): Promise<T | WriteRefusal> => {
    for (let attempt = 1; ; attempt++) {
      const result = await write(await preconditionOf(request, id));
      if (result !== "precondition-failed" || request.headers["if-none-match"] === undefined || attempt === 3) {
        return result;
      }
    }
  };

  /**
   * A write's precondition: If-Match's, as it is; with If-None-Match, the task is read first and
   * both are weighed against it (If-Match first, RFC 9110 13.2.2), and its version then guards the
   * write, so a change between that read and the write is refused too.
   */
  const preconditionOf = async (request: FastifyRequest, id: string): Promise<WritePrecondition> => {
    const ifMatch = parseIfMatch(request.headers["if-match"]);
    const ifNoneMatch = request.headers["if-none-match"];
    if (ifNoneMatch === undefined) return ifMatch;
    const current = await repository.getTaskForUser(request.userId, id);
    if (!current) throw notFound();
    if (!ifMatchHolds(ifMatch, current.version)) throw preconditionFailed("if-match");
    if (!ifNoneMatchHolds(ifNoneMatch, etagForVersion(current.version))) throw preconditionFailed("if-none-match");
    return { kind: "versions", versions: [current.version] };
  };

  api.get(
    "/api/:user_id/tasks",
    {
      schema: {
        summary: "List your tasks",
        tags: ["tasks"],
        params: UserParams,
        querystring: TaskListQuery,
        headers: IfNoneMatch,
        response: { 200: z.array(Task), 304: NotModified, ...errors(400, ...common) },
      },
    },
    async (request, reply) => {
      // (The answer's connection: a client that hangs up while its list waits for a slot leaves the queue.)
      const { json: body, total } = await listSlots.run(
        request.userId,
        () => repository.listTasksForUser(request.userId, request.query),
        reply.raw,
      );
      reply.header("x-total-count", String(total));
      // Of the page and the count: a task added beyond the page changes the count, and the tag.
      const etag = `"${createHash("sha256").update(`${total}\n${body}`).digest("base64url").slice(0, 27)}"`;
      if (!ifNoneMatchHolds(request.headers["if-none-match"], etag)) return notModified(reply, etag);
      reply.header("etag", etag);
      return sendJson(reply, 200, body);
    },
  );

  api.post(
    "/api/:user_id/tasks",
    {
      schema: {
        summary: "Create a task",
        tags: ["tasks"],
        params: UserParams,
        headers: IdempotencyKey,
        body: TaskCreate,
        response: { 201: Task, ...errors(400, 413, 415, 422, ...common) },
      },
    },
    async (request, reply) => {
      const key = parseIdempotencyKey(request.headers["idempotency-key"]);
      let task: TaskRecord;
      if (key === undefined) {
        task = await repository.createTaskForUser(request.userId, request.body);
      } else {
        const once = await repository.createTaskOnceForUser(request.userId, request.body, key);
        if (once === "key-reused") {
          throw new HttpProblem(
            422,
            "This Idempotency-Key was already used for a different task; send a new key with a new task.",
          );
        }
        if (once === "busy") {
          throw new HttpProblem(503, "The task could not be created just now; nothing was changed. Try again.", {
            headers: { "retry-after": "1" },
          });
        }
        task = once;
      }
      reply.header("location", `/api/${request.userId}/tasks/${task.id}`);
      return sendTask(reply, 201, task);
    },
  );

  api.get(
    "/api/:user_id/tasks/:id",
    {
      schema: {
        summary: "Get one task",
        tags: ["tasks"],
        params: TaskParams,
        headers: IfNoneMatch,
        response: { 200: Task, 304: NotModified, ...errors(400, 404, ...common) },
      },
    },
    async (request, reply) => {
      const task = await repository.getTaskForUser(request.userId, taskId(request.params.id));
      if (!task) throw notFound();
      const etag = etagForVersion(task.version);
      if (!ifNoneMatchHolds(request.headers["if-none-match"], etag)) return notModified(reply, etag);
      return sendTask(reply, 200, task);
    },
  );

  api.put(
    "/api/:user_id/tasks/:id",
    {
      schema: {
        summary: "Replace a task's editable fields (omitted ones go back to their defaults)",
        tags: ["tasks"],
        params: TaskParams,
        headers: Preconditions,
        body: TaskReplace,
        response: { 200: Task, ...errors(400, 404, 412, 413, 415, 422, ...common) },
      },
    },
    updateTask,
  );

  api.patch(
    "/api/:user_id/tasks/:id",
    {
      schema: {
        summary: "Change some of a task's fields",
        tags: ["tasks"],
        params: TaskParams,
        headers: Preconditions,
        body: TaskPatch,
        response: { 200: Task, ...errors(400, 404, 412, 413, 415, 422, ...common) },
      },
    },
    updateTask,
  );

  // The routes that take no body, in their own scope: any body (of any type, even malformed, or an
  // empty one with Content-Type: application/json, as many clients send on every request) is read
  // and dropped, instead of a 400 or 415 that would leave the task as it was.
  await app.register(async (scope) => {
    dropAnyBody(scope);
    const bodyless = scope.withTypeProvider<ZodTypeProvider>();
    bodyless.patch(
      "/api/:user_id/tasks/:id/complete",
      {
        schema: {
          summary: "Toggle a task between pending and completed (any body is ignored)",
          tags: ["tasks"],
          params: TaskParams,
          headers: Preconditions,
          response: { 200: Task, ...errors(400, 404, 412, 413, ...common) },
        },
      },
      async (request, reply) => {
        const id = taskId(request.params.id);
        const result = await writeUnderPreconditions(request, id, (precondition) =>
          repository.toggleTaskForUser(request.userId, id, precondition),
        );
        return sendWriteResult(reply, result);
      },
    );

    bodyless.delete(
      "/api/:user_id/tasks/:id",
      {
        schema: {
          summary: "Delete a task (any body is ignored)",
          tags: ["tasks"],
          params: TaskParams,
          headers: Preconditions,
          response: { 204: z.null().meta({ description: "Deleted" }), ...errors(400, 404, 412, 413, ...common) },
        },
      },
      async (request, reply) => {
        const id = taskId(request.params.id);
        const result = await writeUnderPreconditions(request, id, (precondition) =>
          repository.deleteTaskForUser(request.userId, id, precondition),
        );
        if (result !== true) throw refusalProblem(result, request);
        return reply.code(204).send(null);
      },
    );
  });
}

/** The header's value (a bare token or a quoted string), or a 400 when it is no usable key. */
function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = /^"(.*)"$/.exec(header.trim())?.[1] ?? header.trim();
  if (!/^[A-Za-z0-9._:~+/=-]{8,128}$/.test(key)) {
    throw new HttpProblem(400, "Idempotency-Key must be 8 to 128 letters, digits or . _ : ~ + / = - (e.g. a UUID).");
  }
  return key;
}

function notFound(): HttpProblem {
  return new HttpProblem(404, "There is no such task.");
}

/**
 * A write refused. `request` with If-None-Match: its write was guarded by the version read first
 * (preconditionOf), so a refusal there means the task changed in between, whatever If-Match said
 * (each of three times: writeUnderPreconditions).
 */
function refusalProblem(refusal: WriteRefusal, request?: FastifyRequest): HttpProblem {
  if (refusal === "not-found") return notFound();
  return preconditionFailed(request?.headers["if-none-match"] !== undefined ? "changed-while-checked" : "if-match");
}

/** Every 412 the task routes send, by why the write was refused (the precondition it failed). */
const PRECONDITION_FAILED = {
  "if-match": "The task has changed since you read it (If-Match does not match); fetch it again.",
  "if-none-match": "The task has the ETag If-None-Match names (or any, for *); nothing was changed.",
  "changed-while-checked": "The task changed while this write was being checked; nothing was changed. Fetch it again.",
} as const;

function preconditionFailed(reason: keyof typeof PRECONDITION_FAILED): HttpProblem {
  return new HttpProblem(412, PRECONDITION_FAILED[reason]);
}

function sendWriteResult(reply: FastifyReply, result: TaskRecord | WriteRefusal): FastifyReply {
  if (typeof result === "string") throw refusalProblem(result, reply.request);
  return sendTask(reply, 200, result);
}

function sendTask(reply: FastifyReply, status: number, task: TaskRecord): FastifyReply {
  reply.header("etag", etagForVersion(task.version));
  return sendJson(reply, status, task.json);
}

/** 304: the client's copy is current. No body, so no Content-Type or Content-Length (RFC 9110, 15.4.5). */
function notModified(reply: FastifyReply, etag: string): FastifyReply {
  return reply.header("etag", etag).code(304).send();
}

/** The JSON text comes finished from PostgreSQL; a string payload skips the serializer. */
function sendJson(reply: FastifyReply, status: number, json: string): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send(json);
}

/** Whether the query of `url` has a %-escape that does not decode (bad hex, cut short, not UTF-8). */
function hasBrokenEscape(url: string): boolean {
  const start = url.indexOf("?");
  if (start === -1 || !url.includes("%", start)) return false;
  try {
    decodeURIComponent(url.slice(start + 1));
    return false;
  } catch {
    return true;
  }
}
