/**
 * The queue that makes batches of creates (src/tasks/create-batches.ts), on
 * its own: which jobs go together, in what order, how many at once, and what
 * each job is answered when its batch fails or never goes. The sender here
 * records batches and answers when the test says; create-batches.test.ts
 * drives the real INSERTs.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isDatabaseUnavailable, statementCannotHaveRun } from "@tasks/db";
import { CreateBatches, type CreateBatchLimits, type JobOutcome } from "../src/tasks/create-batches";

interface Job {
  person: string;
  name: string;
}

/** A queue whose sender holds each batch until `finish` answers it (every job with its name, or an error). */
function queue(limits: Partial<CreateBatchLimits> = {}) {
  const sent: { names: string[]; finish: (error?: Error) => void }[] = [];
  const batches = new CreateBatches<Job, string>(
    (jobs) =>
      new Promise<JobOutcome<string>[]>((resolve, reject) => {
        sent.push({
          names: jobs.map((job) => job.name),
          finish: (error) => (error ? reject(error) : resolve(jobs.map((job) => ({ ok: true, value: job.name })))),
        });
      }),
    (job) => job.person,
    { inFlight: 1, size: 25, maxWaitMs: 60_000, ...limits },
  );
  const add = (person: string, name: string) => batches.add({ person, name });
  return { add, sent };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));
// Three people, in PostgreSQL's order of their ids.
const A = "0a000000-0000-4000-8000-000000000000";
const B = "0b000000-0000-4000-8000-000000000000";
const C = "0c000000-0000-4000-8000-000000000000";

describe("batches of creates", () => {
  test("with a place free a job goes alone at once; what comes meanwhile goes next, by person", async () => {
    const { add, sent } = queue({ inFlight: 1 });
    const first = add(B, "b1");
    assert.deepEqual(
      sent.map((batch) => batch.names),
      [["b1"]],
    );
    const rest = [add(C, "c1"), add(A, "a1"), add(B, "b2")];
    assert.equal(sent.length, 1, "nothing else goes while the one place is taken");
    sent[0]?.finish();
    assert.equal(await first, "b1");
    await settled();
    assert.deepEqual(sent[1]?.names, ["a1", "b2", "c1"], "one batch, rows by person");
    sent[1]?.finish();
    assert.deepEqual(await Promise.all(rest), ["c1", "a1", "b2"], "each job gets its own answer");
  });

  test("one job a person in a batch (case aside), and no more than `size`", async () => {
    const { add, sent } = queue({ inFlight: 1, size: 2 });
    const all = [add(A, "first"), add(A, "a1"), add(A.toUpperCase(), "a2"), add(B, "b1"), add(C, "c1")];
    for (let i = 1; i <= 3; i++) {
      sent[i - 1]?.finish();
      await settled();
    }
    assert.deepEqual(
      sent.map((batch) => batch.names),
      [["first"], ["a1", "b1"], ["a2", "c1"]],
    );
    await Promise.all(all);
  });

  test("no more than `inFlight` batches out at once", async () => {
    const { add, sent } = queue({ inFlight: 2 });
    const all = [add(A, "a1"), add(B, "b1"), add(C, "c1"), add(A, "a2")];
    assert.deepEqual(
      sent.map((batch) => batch.names),
      [["a1"], ["b1"]],
    );
    sent[1]?.finish();
    await settled();
    assert.deepEqual(sent[2]?.names, ["a2", "c1"]);
    sent[0]?.finish();
    sent[2]?.finish();
    await Promise.all(all);
  });

  test("a batch that fails gives every job of it that error, and the queue goes on", async () => {
    const { add, sent } = queue({ inFlight: 1 });
    const first = add(A, "a1");
    const failing = [add(B, "b1"), add(C, "c1")];
    const after = add(B, "b2");
    sent[0]?.finish();
    await first;
    await settled();
    const lost = new Error("Connection terminated unexpectedly");
    sent[1]?.finish(lost);
    for (const job of failing) await assert.rejects(job, (error) => error === lost);
    await settled();
    assert.deepEqual(sent[2]?.names, ["b2"]);
    sent[2]?.finish();
    assert.equal(await after, "b2");
  });

  test("a job that waits longer than the pool would wait for a connection fails as never run, and is never sent", async () => {
    const { add, sent } = queue({ inFlight: 1, maxWaitMs: 50 });
    const first = add(A, "a1"); // goes at once, and takes longer than 50 ms: it is not failed for that
    const waiting = add(B, "b1");
    // The queue's timers do not keep a process alive (a server has its sockets for that); this does.
    const alive = setTimeout(() => {}, 10_000);
    await assert.rejects(waiting, (error) => isDatabaseUnavailable(error) && statementCannotHaveRun(error));
    clearTimeout(alive);
    sent[0]?.finish();
    assert.equal(await first, "a1");
    await settled();
    assert.equal(sent.length, 1, "the failed job was not sent afterwards");
  });
});
