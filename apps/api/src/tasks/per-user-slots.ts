import { HttpProblem } from "../problem";

/**
 * At most `maxRunning` lists of one person at once in this process; the next
 * ones wait their turn (at most `maxWaiting` of them, each for at most
 * `maxWaitMs`), the rest are a 429.
 *
 * Why: a list's cost follows what it asks and what it reads. A search is
 * PostgreSQL's ILIKE on each of the person's matching rows, whose worst case
 * grows with the text times the pattern (a row of 1,000 "a"s against 500 "a"s
 * and a "b": 0.5 ms a row, 90 times an ordinary word). One account whose rows
 * and searches were made for that could hold every pooled connection for
 * seconds at a time, and everyone else waited for one (then a 503). With a
 * cap, that account holds `maxRunning` of them and waits for itself.
 *
 * A slot is held while the list's statement runs, not while its request
 * lasts: a client that hangs up does not end its statement. One still
 * waiting for a slot when its client hangs up (`client`'s "close") leaves the
 * queue; a list that gets its slot at once, nearly every one, listens for nothing.
 */
/** What a list's answer goes out on (Node's ServerResponse): "close" before the answer is a hang-up. */
interface ListClient {
  readonly destroyed: boolean;
  once(event: "close", listener: () => void): unknown;
  removeListener(event: "close", listener: () => void): unknown;
}

export class PerUserSlots {
  private readonly people = new Map<string, { running: number; queue: (() => void)[] }>();

  constructor(
    private readonly maxRunning: number,
    private readonly maxWaiting: number,
    private readonly maxWaitMs: number,
  ) {}

  async run<T>(user: string, work: () => Promise<T>, client: ListClient): Promise<T> {
    let state = this.people.get(user);
    if (!state) {
      state = { running: 0, queue: [] };
      this.people.set(user, state);
    }
    if (state.running < this.maxRunning) {
      state.running++;
    } else if (state.queue.length < this.maxWaiting) {
      // The slot is handed over as it is freed (the count of running lists stays as it is).
      await waitForTurn(state.queue, this.maxWaitMs, () => this.tooMany(), client);
    } else {
      throw this.tooMany();
    }
    try {
      return await work();
    } finally {
      const next = state.queue.shift();
      if (next) {
        next();
      } else if (--state.running === 0) {
        this.people.delete(user);
      }
    }
  }

  private tooMany(): HttpProblem {
    return new HttpProblem(
      429,
      `Too many of your lists are being read at once (at most ${this.maxRunning}, and ${this.maxWaiting} waiting for up to ${this.maxWaitMs / 1000} s). Try again in a moment.`,
      { headers: { "retry-after": "1" } },
    );
  }
}

/**
 * Resolves when `queue` hands this waiter its slot. Rejects (and leaves the queue) once `maxWaitMs`
 * have passed, with a 429, or once its client has hung up: a page gives up on an answer after 15 s
 * and asks again, and what it gave up on must not run later in front of what it asks now.
 */
function waitForTurn(
  queue: (() => void)[],
  maxWaitMs: number,
  refusal: () => HttpProblem,
  client: ListClient,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // Past its time, or hung up. (A client that hung up is sent the refusal too: nobody reads it.)
    const leave = () => {
      const at = queue.indexOf(take);
      if (at === -1) return; // given its slot already
      queue.splice(at, 1);
      done();
      reject(refusal());
    };
    const timer = setTimeout(leave, maxWaitMs);
    const done = () => {
      clearTimeout(timer);
      client.removeListener("close", leave);
    };
    const take = () => {
      done();
      resolve();
    };
    queue.push(take);
    if (client.destroyed) leave();
    else client.once("close", leave);
  });
}
