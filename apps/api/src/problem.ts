/**
 * Every error the Task API answers is an RFC 9457 problem document. Handlers
 * throw `HttpProblem`; the error handler (to-problem.ts) turns everything else
 * (parser, validation, database errors) into one as well.
 */

import { STATUS_CODES } from "node:http";
import type { Problem } from "@tasks/task-schema";
import type { FastifyReply } from "fastify";

/** RFC 9110's names where Node's STATUS_CODES still has the older ones; Node names the rest. */
const TITLES: Record<number, string> = {
  413: "Content Too Large",
  422: "Unprocessable Content",
};

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly extra: { errors?: Problem["errors"]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

/** A status's name as RFC 9110 gives it (Node's table still has some of RFC 7231's). */
export function statusTitle(status: number): string {
  return TITLES[status] ?? STATUS_CODES[status] ?? "Error";
}

export function problemBody(status: number, detail: string, errors?: Problem["errors"]): Problem {
  return {
    type: "about:blank",
    title: statusTitle(status),
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) reply.header(name, value);
  // Here too, not only in app.ts's onSend: the router's own errors skip that hook.
  reply.header("x-content-type-options", "nosniff");
  return reply
    .code(problem.status)
    .type("application/problem+json")
    .send(JSON.stringify(problemBody(problem.status, problem.detail, problem.extra.errors)));
}
