import { HttpProblem } from "../problem";

/**
 * At most `running` lists of one person at once in this process; the next
 * ones wait their turn (at most `waiting` of them), the rest are a 429.
 *
 * Why: a list's cost follows what it asks and what it reads. A search is
 * PostgreSQL's ILIKE on each of the person's matching rows, whose worst case
 * grows with the text times the pattern (a row of 1,000 "a"s against 500 "a"s
 * and a "b": 0.5 ms a row, 90 times an ordinary word). One account whose rows
 * and searches were made for that could hold every pooled connection for
 * seconds at a time, and everyone else waited for one (then a 503). With a
 * cap, that account holds `running` of them and waits for itself.
 *
 * A slot is held while the list's statement runs, not while its request
 * lasts: a client that hangs up does not end its statement.
 */
export class PerUserSlots {
  private readonly people = new Map<string, { running: number; queue: (() => void)[] }>();

  constructor(
    private readonly running: number,
    private readonly waiting: number,
  ) {}

  async run<T>(user: string, work: () => Promise<T>): Promise<T> {
    let state = this.people.get(user);
    if (!state) {
      state = { running: 0, queue: [] };
      this.people.set(user, state);
    }
    if (state.running < this.running) {
      state.running++;
    } else if (state.queue.length < this.waiting) {
      // The slot is handed over as it is freed (the count of running lists stays as it is).
      const queue = state.queue;
      await new Promise<void>((resolve) => queue.push(resolve));
    } else {
      throw new HttpProblem(
        429,
        `Too many of your lists are being read at once: at most ${this.running}, and ${this.waiting} waiting. Try again in a moment.`,
        { headers: { "retry-after": "1" } },
      );
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
}
