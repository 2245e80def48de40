/**
 * Every error a request meets, as the problem document the contract gives it:
 * validation (400, 422), the body's parser (400, 413, 415), an account gone
 * (401), the database out (503, saying whether a write may have been made),
 * and anything else a 500 that tells nothing and is logged without the
 * request's data.
 */
import { databaseErrorCode, isDatabaseUnavailable, loggableError, statementCannotHaveRun } from "@tasks/db";
import type { FastifyError, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { bearerChallenge, TASKS_REALM } from "./auth/authenticate";
import { BODY_LIMIT_BYTES } from "./limits";
import { HttpProblem, problemBody } from "./problem";

const NO_BODY_DETAIL = "The request has no body: send the task as JSON with Content-Type: application/json.";

/** Every error becomes a problem document with the contract's status. */
export function toProblem(error: FastifyError | Error, request: FastifyRequest): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const log = request.log;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext;
    const errors = error.validation.map((issue) => ({
      path: issue.instancePath.replace(/^\//, "").replaceAll("/", ".") || where || "",
      message: issue.message ?? "is invalid",
    }));
    // No body at all (nor a Content-Type, so Fastify parsed nothing) is not JSON: 400, as an empty
    // body sent as JSON is. A body that is valid JSON but breaks the schema is 422; a bad query, 400.
    if (where === "body" && request.body === undefined) return new HttpProblem(400, NO_BODY_DETAIL);
    if (where === "body") return new HttpProblem(422, "The task is not valid.", { errors });
    return new HttpProblem(400, `Invalid ${where === "querystring" ? "query parameters" : "request"}.`, { errors });
  }
  const code = (error as FastifyError).code;
  switch (code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new HttpProblem(400, "The request body is not valid JSON.");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HttpProblem(400, NO_BODY_DETAIL);
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HttpProblem(413, `The request body is larger than ${BODY_LIMIT_BYTES / 1024} KiB.`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_TYPE":
      return new HttpProblem(415, "Send the body as JSON with Content-Type: application/json.");
  }
  const databaseCode = databaseErrorCode(error);
  if (databaseCode === "23503") {
    // The token is still valid but its user was deleted since it was issued.
    return new HttpProblem(401, "This account no longer exists.", {
      headers: { "www-authenticate": bearerChallenge(TASKS_REALM, "invalid_token") },
    });
  }
  if (isDatabaseUnavailable(error)) {
    log.warn({ code: databaseCode }, "database unavailable");
    return new HttpProblem(503, unavailableDetail(request.method, error), { headers: { "retry-after": "5" } });
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500)
    return new HttpProblem(status, problemBody(status, "").title);
  // Never the statement's parameters or the row (loggableError): task text stays out of the log.
  log.error({ err: loggableError(error) }, "unexpected error");
  return new HttpProblem(500, "Something went wrong on our side.");
}

/**
 * What a 503 can truly say about a write: nothing changed when its statement
 * cannot have run; when the connection was lost while it was out, the
 * database may have committed it (a write is whole or nothing, never half),
 * so the client should look before repeating it.
 */
function unavailableDetail(method: string, error: Error): string {
  if (method === "GET" || method === "HEAD") return "The database is not available right now. Try again shortly.";
  if (statementCannotHaveRun(error)) {
    return "The database is not available right now; nothing was changed. Try again shortly.";
  }
  return (
    "The connection to the database was lost while this change was being made, so it was made whole or " +
    "not at all. Reload your tasks to see which before repeating it."
  );
}
