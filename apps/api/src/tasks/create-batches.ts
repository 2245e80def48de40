/**
 * Creates that arrive while the database is busy with others go to it
 * together, as one INSERT of many rows. Most of what a single-row INSERT costs
 * PostgreSQL is the statement and its transaction, not the row (measured on
 * our table, 4 connections: 230 µs of PostgreSQL CPU for one row alone, about
 * 90 µs a row in tens), so under load a create costs far less; with a place
 * free, a create goes alone at once, as it always did.
 *
 * What a batch may hold is chosen so that no request can tell it was in one:
 * - at most one task a person: every row of the statement gets the
 *   transaction's time as `created_at`, and a person's tasks made one after
 *   the other keep distinct times in the order they came, as alone;
 * - the rows go in by person, so two batches lock people's counts and
 *   accounts in one order and cannot wait on each other in a circle.
 * A create waits here no longer than the pool would let it wait for a
 * connection; then it fails as it would have there (a 503, nothing changed).
 * The statement is all or nothing, and the sender answers each job for itself
 * (`tasks-repository.ts` tries each alone when a batch fails for one row).
 */
import { ConnectionWaitTimeoutError } from "@tasks/db";

/** One job's answer: its result, or the error that is its answer alone. */
export type JobOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface CreateBatchLimits {
  /** Batches out at once: the rest of the pool stays for reads and other writes. */
  inFlight: number;
  /** Jobs in one batch at most. */
  size: number;
  /** How long a job may wait for its batch to go. */
  maxWaitMs: number;
}

/**
 * The limits for creates on `pool`: half its connections, 25 rows a batch,
 * and no longer a wait than the pool allows for a connection. (The API's and
 * the bench's ceilings' batches both take theirs from here.)
 */
export function createBatchLimits(pool: { options: { max?: number; connectionTimeoutMillis?: number } }) {
  return {
    inFlight: Math.max(1, Math.floor((pool.options.max ?? 10) / 2)),
    size: 25,
    maxWaitMs: pool.options.connectionTimeoutMillis || 3_000,
  } satisfies CreateBatchLimits;
}

interface Waiting<J, R> {
  job: J;
  person: string;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
  /** "expired": failed for waiting too long; the next batch drops it from the queue. */
  state: "waiting" | "sent" | "expired";
  /** Fails the job once it has waited `maxWaitMs`; cleared when a batch takes it. */
  deadline?: NodeJS.Timeout;
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
      const entry: Waiting<J, R> = { job, person: personKey(this.person(job)), resolve, reject, state: "waiting" };
      this.waiting.push(entry);
      this.sendWaiting();
      if (entry.state !== "waiting") return;
      // Not sent at once: it waits, and fails once it has waited too long.
      entry.deadline = setTimeout(() => {
        if (entry.state !== "waiting") return;
        entry.state = "expired";
        reject(new ConnectionWaitTimeoutError(this.limits.maxWaitMs));
      }, this.limits.maxWaitMs).unref();
    });
  }

  private sendWaiting(): void {
    while (this.sending < this.limits.inFlight && this.waiting.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) continue;
      this.sending++;
      void this.sendBatch(batch).finally(() => {
        this.sending--;
        this.sendWaiting();
      });
    }
  }

  /** The oldest waiting jobs, up to `size`, at most one a person, by person; the others keep their place. */
  private takeBatch(): Waiting<J, R>[] {
    const batch: Waiting<J, R>[] = [];
    const people = new Set<string>();
    let left: Waiting<J, R>[] = [];
    for (const [i, entry] of this.waiting.entries()) {
      if (batch.length === this.limits.size) {
        left = left.concat(this.waiting.slice(i));
        break;
      }
      if (entry.state === "expired") continue;
      if (people.has(entry.person)) {
        left.push(entry);
      } else {
        people.add(entry.person);
        clearTimeout(entry.deadline);
        entry.state = "sent";
        batch.push(entry);
      }
    }
    this.waiting = left;
    return batch.sort((a, b) => (a.person < b.person ? -1 : a.person > b.person ? 1 : 0));
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

/**
 * A person's id as PostgreSQL orders and compares `uuid` values: its hex
 * digits in lower case (the API accepts only the hyphenated form, isUuid).
 */
function personKey(id: string): string {
  return id.toLowerCase();
}
