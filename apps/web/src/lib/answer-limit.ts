/**
 * How long the browser waits for our servers (the Task API, the web app's sign-in and account
 * endpoints) before a request fails as "did not answer": both answer within seconds, a 503 at
 * worst, so a longer wait is a connection gone silent. Failing lets the person send it again
 * instead of a page busy for as long as the browser would wait. (A timer, not
 * AbortSignal.timeout, which browsers Next.js supports may lack.)
 */
export const ANSWER_WITHIN_MS = 15_000;

/** No answer came within ANSWER_WITHIN_MS (answeredInTime). */
export class NoAnswerError extends Error {}

/**
 * `send` (a fetch given the signal, with the reading of its body if it reads it), given up with
 * NoAnswerError when it is not over within ANSWER_WITHIN_MS. `cancel`: the caller's own signal,
 * passed on; a cancel is thrown as it came, not as NoAnswerError.
 */
export async function answeredInTime<T>(
  send: (signal: AbortSignal) => Promise<T>,
  cancel?: AbortSignal | null,
): Promise<T> {
  const noAnswer = new AbortController();
  const timer = setTimeout(() => noAnswer.abort(), ANSWER_WITHIN_MS);
  const passOnCancel = () => noAnswer.abort();
  if (cancel?.aborted) passOnCancel();
  cancel?.addEventListener("abort", passOnCancel);
  try {
    return await send(noAnswer.signal);
  } catch (failure) {
    throw noAnswer.signal.aborted && !cancel?.aborted ? new NoAnswerError("no answer") : failure;
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener("abort", passOnCancel);
  }
}

/** Answers a Response must be made without a body for. */
const BODILESS_STATUSES = new Set([204, 205, 304]);

/**
 * `answer` read to its end, as a Response again: read inside answeredInTime, so that a connection
 * gone silent after the headers counts as no answer (fetch is over once the headers have come).
 */
export async function readWhole(answer: Response): Promise<Response> {
  const body = await answer.arrayBuffer();
  const { status, statusText, headers } = answer;
  return new Response(BODILESS_STATUSES.has(status) ? null : body, { status, statusText, headers });
}

/** What answerOfAction gives when a server action got no answer in time. */
export const NO_ANSWER = "no answer";
/**
 * What to say then. Not "try again": Next.js sends a page's server actions one at a time, so
 * another one would wait behind the one that got no answer. A reload ends that wait.
 */
export const ACTION_NO_ANSWER_TEXT =
  "The server did not answer. Reload the page to see where things stand, and to try again.";

/**
 * A server action's answer: NO_ANSWER when none came within ANSWER_WITHIN_MS (Next.js sends an
 * action with no signal and no limit, and a connection gone silent left its buttons busy until a
 * reload; the action may still be made after), null when it failed otherwise (not sent, or the
 * server failed).
 */
export async function answerOfAction<T>(action: Promise<T>): Promise<T | typeof NO_ANSWER | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const noAnswer = new Promise<typeof NO_ANSWER>((resolve) => {
    timer = setTimeout(() => resolve(NO_ANSWER), ANSWER_WITHIN_MS);
  });
  try {
    return await Promise.race([action.catch(() => null), noAnswer]);
  } finally {
    clearTimeout(timer);
  }
}
