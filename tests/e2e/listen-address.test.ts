/**
 * `npm start` listens on loopback only (a development stack with a
 * development secret must not be reachable from a café's network), unless
 * HOST says otherwise. Read from the kernel's socket table, so no packet
 * leaves the machine to find out.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { startTestProduct } from "./product";

/** The local addresses (hex, as /proc/net/tcp{,6} writes them) of the sockets listening on this port. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      // columns: sl, local_address (ADDR:PORT), rem_address, st (0A = LISTEN), …
      .filter((columns) => columns[3] === "0A" && columns[1]?.endsWith(`:${hexPort}`))
      .map((columns) => (columns[1] ?? "").split(":")[0] ?? ""),
  );
}

const IPV4_LOOPBACK = "0100007F"; // 127.0.0.1, little-endian

test("the web app and the Task API listen on 127.0.0.1 only", async () => {
  const product = await startTestProduct();
  for (const url of [product.webUrl, product.apiUrl]) {
    const addresses = listeningAddresses(Number(new URL(url).port));
    assert.deepEqual(addresses, [IPV4_LOOPBACK], `${url} listens on ${addresses.join(", ") || "nothing"}`);
  }
});
