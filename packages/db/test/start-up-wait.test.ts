/**
 * Start-up's wait for a database that does not answer yet (migrateDatabaseAt): one that takes the
 * connection and stays silent, as a pooler in front of a stopped or waking database does, is
 * waited for like one that refuses it, not given up on after the pool's connection timeout.
 */
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import { migrateDatabaseAt } from "../src/migrate";

test("a database that takes the connection and says nothing is waited for, past the pool's 3 s connection timeout", async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket); // taken, never answered
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const { port } = silent.address() as { port: number };
  const stop = new AbortController();
  const waits: string[] = [];
  const startedAt = Date.now();
  const migrating = migrateDatabaseAt(`postgres://tasks:secret@127.0.0.1:${port}/tasks`, "start-up-wait-test", {
    onWait: (message) => {
      waits.push(message);
      stop.abort(); // seen to wait: enough
    },
    signal: stop.signal,
  });
  try {
    await assert.rejects(migrating, { name: "AbortError" }, "it waited, until told to stop");
    assert.equal(waits.length, 1);
    assert.match(
      waits[0] ?? "",
      new RegExp(`the database at 127\\.0\\.0\\.1:${port} does not answer yet .*waiting up to 30 s`),
    );
    assert.ok(Date.now() - startedAt >= 2_900, "the first try ran into the pool's connection timeout");
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});
