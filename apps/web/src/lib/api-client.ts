"use client";
/**
 * The browser's client for the Task API. It holds the access token in memory
 * only (never localStorage), renews it about a minute before it expires with
 * at most one renewal in flight however many requests wait, sends it as
 * `Authorization: Bearer` on every call, and on a 401 renews once and retries.
 */
import type { Priority, Task, TaskCreate, TaskListQuery, TaskPatch } from "@tasks/task-schema";
import type { z } from "zod";
import { answeredInTime, NoAnswerError, readWhole } from "./answer-limit";
import { NO_ANSWER_TEXT } from "./auth-errors";

export type { Priority, Task };

/** What the API accepts for a new task (omitted fields take their defaults). */
export type TaskInput = z.input<typeof TaskCreate>;
export type TaskChanges = TaskPatch;

/** A task as stored, with the ETag a later write must match. */
export type VersionedTask = { task: Task; etag: string | null };

/** The session is gone (signed out elsewhere, or expired): the person must sign in again. */
export class SignedOutError extends Error {}

/** The API answered with a problem document. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** `If-Match` failed: the task changed in another tab or device since it was read. */
export class ChangedElsewhereError extends Error {
  constructor(readonly current: VersionedTask | undefined) {
    super("changed elsewhere");
  }
}

/**
 * A 412's read of the task as it is now that failed. The session over and the task deleted since
 * are answers of their own (go to sign-in; the editor offers to add it again), thrown as they are;
 * anything else leaves the conflict without the current version.
 */
function rereadFailure(failure: unknown): undefined {
  if (failure instanceof SignedOutError || (failure instanceof ApiError && failure.status === 404)) throw failure;
  return undefined;
}

/**
 * The network, the API or the web app's database is down (or 503), or too many requests (429):
 * worth a retry, nothing typed was lost. `retryAfterSeconds`: how long the server asked to wait first.
 */
export class UnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const RENEW_BEFORE_EXPIRY_MS = 60_000;
/**
 * A token whose renewal is refused is still sent until this long before it ends (time to reach the
 * API), or a quarter of its lifetime if that is shorter: a token of 10 s or less is renewed at
 * half its life, and 5 s would leave it no time in hand at all.
 */
const IN_HAND_MARGIN_MS = 5_000;
/**
 * After a renewal refused for now, the token in hand is sent without asking again for at least this
 * long (or the refusal's Retry-After): not a renewal, perhaps one that waits 15 s for no answer,
 * before every request.
 */
const RENEW_AGAIN_AFTER_MS = 10_000;

export class TaskApiClient {
  /**
   * `expiresAt`: when it is renewed (before its end); `inHandUntil`: until when it is sent all the
   * same while renewals are refused for now; `endsAt`: its end. All by this browser's clock.
   */
  private token: { value: string; expiresAt: number; inHandUntil: number; endsAt: number } | undefined;
  private renewal: Promise<string> | undefined;
  /** Until then, after a renewal refused for now, the token in hand is sent without asking again. */
  private renewAgainAt = 0;
  private signedOut = false;
  /** Writes sent and not answered yet: a page leaving for sign-in waits for them (writesSettled). */
  private readonly writesOnTheirWay = new Set<Promise<Response>>();

  constructor(
    private readonly apiUrl: string,
    private readonly userId: string,
  ) {}

  /**
   * The session ended elsewhere (another tab signed out): every later call
   * fails with SignedOutError at once, although the token in hand would still
   * pass until its exp.
   */
  markSignedOut(): void {
    this.signedOut = true;
    this.token = undefined;
  }

  /**
   * Renews the token now if it would need renewing: for work that may have to go out as the page
   * closes (a delete inside its undo window), when a renewal, a request of its own, would be cut off
   * with the page. A failure is left to that work's own request.
   */
  async prepareToken(): Promise<void> {
    await this.accessToken().catch(() => {});
  }

  /**
   * A token good for at least the next minute (or half its lifetime, if shorter). `leaving`: for a
   * request that may go out as the page closes, the one in hand while it lasts at all: a renewal
   * then (a request of its own) would be cut off with the page.
   */
  private async accessToken(force = false, leaving = false): Promise<string> {
    if (this.signedOut) throw new SignedOutError("signed out");
    const now = Date.now();
    const token = this.token;
    // Leaving: while it lasts at all, a second to spare (never less long than when it is not).
    const usableUntil = !token ? 0 : leaving ? Math.max(token.expiresAt, token.endsAt - 1_000) : token.expiresAt;
    if (!force && token && now < usableUntil) return token.value;
    const inHandUntil = token?.inHandUntil ?? 0;
    if (!force && token && now < this.renewAgainAt && now < inHandUntil) return token.value;
    this.renewal ??= this.fetchToken().finally(() => {
      this.renewal = undefined;
    });
    try {
      return await this.renewal;
    } catch (failure) {
      // A renewal refused for now (too many renewals from this address, the web app's database down,
      // no answer): the token in hand is still taken until it ends, so the person's action is not
      // refused for it. (Not after a 401, `force`: the API has refused that token.)
      const stillGood = !force && token && this.token === token && Date.now() < inHandUntil;
      if (stillGood && failure instanceof UnavailableError) {
        this.renewAgainAt = Date.now() + Math.max(RENEW_AGAIN_AFTER_MS, (failure.retryAfterSeconds ?? 0) * 1000);
        return token.value;
      }
      throw failure;
    }
  }

  private async fetchToken(): Promise<string> {
    let answer: { token: string } | { refused: Error };
    try {
      // Within the answer limit, body included (a connection can go silent after the headers): the
      // renewal is shared by every request waiting for a token, and one that never ended would hold
      // them all until the page was reloaded.
      answer = await answeredInTime(async (signal) => {
        const response = await fetch("/api/auth/token", { credentials: "same-origin", cache: "no-store", signal });
        if (response.status === 401 || response.status === 403) return { refused: new SignedOutError("signed out") };
        if (!response.ok) return { refused: await renewalRefused(response) };
        return (await response.json()) as { token: string };
      });
    } catch (failure) {
      if (failure instanceof NoAnswerError) throw new UnavailableError(NO_ANSWER_TEXT);
      throw new UnavailableError("Cannot reach the server. Check your connection.");
    }
    if ("refused" in answer) throw answer.refused;
    const { token } = answer;
    const { exp, iat, sub } = decodeClaims(token);
    // Someone else's: this page's person's session ended unannounced (ended from another device) and
    // another person has signed in on this browser since. Their token could do nothing here (the API
    // refuses another person's path): this page's person must sign in again.
    if (sub !== this.userId) {
      this.markSignedOut();
      throw new SignedOutError("another person is signed in");
    }
    const lifetime = (exp - iat) * 1000;
    const margin = Math.min(RENEW_BEFORE_EXPIRY_MS, lifetime / 2);
    // By this browser's clock, from when the token came: `exp` is the server's time, and a clock
    // some minutes fast would otherwise take every token for expired and renew before each request.
    const endsAt = Date.now() + lifetime;
    this.token = {
      value: token,
      expiresAt: endsAt - margin,
      inHandUntil: endsAt - Math.min(IN_HAND_MARGIN_MS, lifetime / 4),
      endsAt,
    };
    return token;
  }

  /**
   * Resolves once every write sent so far has been answered or has failed (each within the time a
   * request is given). Leaving the page would cut them off: a completion clicked, or a delete whose
   * undo window had just ended, neither made nor kept for after sign-in.
   */
  async writesSettled(): Promise<void> {
    // (A write's failure may lead to another, sent or refused at once: looked at again until none.)
    while (this.writesOnTheirWay.size > 0) await Promise.allSettled([...this.writesOnTheirWay]);
  }

  private request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    keepalive = false,
  ): Promise<Response> {
    const answer = this.requestOnce(method, path, body, headers, keepalive);
    if (method === "GET") return answer;
    this.writesOnTheirWay.add(answer);
    const settled = () => this.writesOnTheirWay.delete(answer);
    answer.then(settled, settled);
    return answer;
  }

  private async requestOnce(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    keepalive: boolean,
  ): Promise<Response> {
    const send = async (token: string) => {
      try {
        return await answeredInTime(async (signal) => {
          const response = await fetch(this.url(path), {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              ...(body === undefined ? {} : { "content-type": "application/json" }),
              ...headers,
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            cache: "no-store",
            keepalive,
            signal,
          });
          // The body too, within the same limit: a connection gone silent after the headers left an
          // add "Adding…" (and every later add ignored), or a task's checkbox and editor waiting on
          // its write, until the page was reloaded.
          return readWhole(response);
        });
      } catch (failure) {
        if (failure instanceof NoAnswerError) {
          throw new UnavailableError("The task service did not answer. Check your connection and try again.");
        }
        throw new UnavailableError("Cannot reach the task service. Check your connection and try again.");
      }
    };
    const token = await this.accessToken(false, keepalive);
    let response = await send(token);
    if (response.status === 401) {
      // That token is not sent again: not by a request whose renewal is refused for now either.
      if (this.token?.value === token) this.token = undefined;
      // Renew once (the token may have expired in flight): a session that has ended gets no new
      // token, and that is the SignedOutError that takes the person to sign in.
      response = await send(await this.accessToken(true));
      if (response.status === 401) {
        // A new token from a live session, refused too: signed out only if the session has ended
        // since. Otherwise sign-in would send this signed-in person straight back, for ever.
        await this.accessToken(true);
        throw new UnavailableError("The task service does not accept your sign-in right now. Try again later.");
      }
    }
    if (response.status === 429) throw tooManyRequests(response);
    if (response.status >= 500) {
      // Not "nothing was changed": a write whose connection to the database was lost may have been
      // made (whole) after all. Edits and toggles can be repeated safely (If-Match, a set value).
      // A 503's Retry-After (the API's say 1 or 5 s) counts down before Retry, as a 429's does.
      throw new UnavailableError(
        "The task service is unavailable right now; try again.",
        response.status === 503 ? retryAfterSeconds(response) : undefined,
      );
    }
    if (!response.ok) {
      const problem = await readProblem(response);
      throw new ApiError(response.status, problem.detail ?? `Request failed (${response.status})`, problem.errors);
    }
    return response;
  }

  async list(query: Partial<Record<keyof TaskListQuery, string | number>>): Promise<{ tasks: Task[]; total: number }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query))
      if (value !== undefined && value !== "") params.set(key, String(value));
    // (Not `params.size`: Safari before 17 and Chrome before 113, which Next.js supports, lack it.)
    const search = params.toString();
    const response = await this.request("GET", `/tasks${search ? `?${search}` : ""}`);
    return { tasks: (await response.json()) as Task[], total: Number(response.headers.get("x-total-count") ?? 0) };
  }

  /**
   * `idempotencyKey`: the same for a create sent again after no answer came, so that the API
   * answers with the task the first one made (if it was made) instead of making a second.
   */
  async create(input: TaskInput, idempotencyKey: string): Promise<Task> {
    return (await this.request("POST", "/tasks", input, { "idempotency-key": idempotencyKey })).json();
  }

  /** One task and its ETag, for a later write that must not overwrite someone else's change. */
  async get(id: string): Promise<VersionedTask> {
    const response = await this.request("GET", `/tasks/${id}`);
    return { task: (await response.json()) as Task, etag: response.headers.get("etag") };
  }

  /** With an ETag, the change applies only if nobody changed the task since (else ChangedElsewhereError). */
  async update(id: string, changes: TaskChanges, etag?: string | null): Promise<Task> {
    try {
      return (await this.request("PATCH", `/tasks/${id}`, changes, etag ? { "if-match": etag } : {})).json();
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 412) {
        throw new ChangedElsewhereError(await this.get(id).catch(rereadFailure));
      }
      throw failure;
    }
  }

  /** `keepalive`: the request outlives the page if it is closed meanwhile. */
  async remove(id: string, options: { keepalive?: boolean } = {}): Promise<void> {
    await this.request("DELETE", `/tasks/${id}`, undefined, {}, options.keepalive);
  }

  /**
   * For a page that is going away: one attempt with the token in hand (no
   * renewal, no answer awaited), sent with keepalive so it outlives the page.
   */
  removeWhileLeaving(id: string): void {
    if (!this.token) return;
    void fetch(this.url(`/tasks/${id}`), {
      method: "DELETE",
      headers: { authorization: `Bearer ${this.token.value}` },
      keepalive: true,
    }).catch(() => {});
  }

  private url(path: string): string {
    return `${this.apiUrl}/api/${this.userId}${path}`;
  }
}

/**
 * Why the web app gave no token, for the page to say: its own problem
 * document's words where it sent one (its database is down: lib/unavailable.ts),
 * and how long it asked to wait.
 */
async function renewalRefused(response: Response): Promise<UnavailableError> {
  if (response.status === 429) return tooManyRequests(response);
  const { detail } = await readProblem(response);
  return new UnavailableError(detail ?? "Could not renew your access. Try again.", retryAfterSeconds(response));
}

/** The detail (and the fields at fault) of a problem document (RFC 9457); nothing of a body that is none. */
async function readProblem(
  response: Response,
): Promise<{ detail?: string; errors?: { path: string; message: string }[] }> {
  const body: unknown = await response.json().catch(() => null);
  if (!body || typeof body !== "object") return {};
  const { detail, errors } = body as { detail?: unknown; errors?: unknown };
  return {
    detail: typeof detail === "string" ? detail : undefined,
    errors: Array.isArray(errors) ? (errors as { path: string; message: string }[]) : undefined,
  };
}

/** Retry-After in seconds, when the server sent a number of them. */
/** A Retry-After in seconds, at most a minute (a proxy's maintenance page may say an hour: Retry would wait as long). */
function retryAfterSeconds(response: Response): number | undefined {
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(60, Math.ceil(seconds)) : undefined;
}

/** A 429: try again after its Retry-After (10 s without one). */
function tooManyRequests(response: Response): UnavailableError {
  const seconds = retryAfterSeconds(response) ?? 10;
  return new UnavailableError(`Too many requests just now. Nothing was changed; try again in ${seconds} s.`, seconds);
}

function decodeClaims(token: string): { exp: number; iat: number; sub: string | undefined } {
  const payload = token.split(".")[1] ?? "";
  const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  const claims = JSON.parse(json) as { exp?: number; iat?: number; sub?: string };
  const now = Math.floor(Date.now() / 1000);
  return { exp: claims.exp ?? now + 60, iat: claims.iat ?? now, sub: claims.sub };
}
