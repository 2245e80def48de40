/**
 * Creates that arrive while the database is busy with others go to it
 * together, as one INSERT of many rows. Most of what a single-row INSERT costs
 * PostgreSQL is the statement and its transaction, not the row (measured on
 * our table, 4 connections: 230 µs of PostgreSQL CPU for one row alone, about
 * 90 µs a row in tens), so under load a create costs far less; with nothing
 * else in flight a create goes alone at once, as it always did.
 *
 * What a batch may hold is chosen so that no request can tell it was in one:
 * - at most one task a person: every row of the statement gets the
 *   transaction's time as `created_at`, and a person's tasks made one after
 *   the other keep distinct times in the order they came, as alone;
 * - the rows go in by person, so two batches lock people's counts and
 *   accounts in one order and cannot wait on each other in a circle.
 * The statement is all or nothing, and the sender answers each job for itself
 * (`tasks-repository.ts` tries each alone when a batch fails for one row).
 */

/** One job's answer: its result, or the error that is its answer alone. */
export type JobOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface CreateBatchLimits {
  /** Batches out at once: the rest of the pool stays for reads and other writes. */
  inFlight: number;
  /** Jobs in one batch at most. */
  size: number;
}

interface Waiting<J, R> {
  job: J;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export class CreateBatches<J, R> {
  private waiting: Waiting<J, R>[] = [];
  private sending = 0;

  /**
   * `send` gets the jobs sorted by `person` and answers each, in that order;
   * if it throws, every job of the batch gets that error.
   */
  constructor(
    private readonly send: (jobs: J[]) => Promise<JobOutcome<R>[]>,
    private readonly person: (job: J) => string,
    private readonly limits: CreateBatchLimits,
  ) {}

  add(job: J): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.sendWaiting();
    });
  }

  private sendWaiting(): void {
    while (this.sending < this.limits.inFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.sending++;
      this.sendBatch(batch).finally(() => {
        this.sending--;
        this.sendWaiting();
      });
    }
  }

  /** The oldest waiting jobs, up to `size`, at most one a person; the others keep their place. */
  private takeBatch(): Waiting<J, R>[] {
    const batch: Waiting<J, R>[] = [];
    const people = new Set<string>();
    const left: Waiting<J, R>[] = [];
    for (const [i, entry] of this.waiting.entries()) {
      if (batch.length === this.limits.size) {
        left.push(...this.waiting.slice(i));
        break;
      }
      const person = personKey(this.person(entry.job));
      if (people.has(person)) {
        left.push(entry);
      } else {
        people.add(person);
        batch.push(entry);
      }
    }
    this.waiting = left;
    return batch.sort((a, b) => compare(personKey(this.person(a.job)), personKey(this.person(b.job))));
  }

  private async sendBatch(batch: Waiting<J, R>[]): Promise<void> {
    try {
      const outcomes = await this.send(batch.map((entry) => entry.job));
      batch.forEach((entry, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok) entry.resolve(outcome.value);
        else entry.reject(outcome ? outcome.error : new Error("a batch's sender left a job unanswered"));
      });
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}

/** A person's id as PostgreSQL orders and compares `uuid` values: its hex digits in lower case. */
function personKey(id: string): string {
  return id.toLowerCase();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
