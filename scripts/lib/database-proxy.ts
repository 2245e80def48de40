/**
 * For tests: a TCP pass-through to a PostgreSQL that a test can cut, stall
 * and restore. To whatever connects through it, a real database outage
 * (connections reset, new ones refused) or a database gone silent (nothing
 * closed, nothing answered), with nothing in the product replaced.
 */
import { type AddressInfo, connect, createServer, type Socket } from "node:net";

export interface DatabaseProxy {
  /** The database URL, through the proxy. */
  url: string;
  cut(): void;
  /** Stops passing bytes either way, closing nothing; `restore` passes what waited. */
  stall(): void;
  restore(): void;
  close(): void;
}

/** `port`: where it listens (default: any free port). */
export async function startCuttableDatabaseProxy(databaseUrl: string, port = 0): Promise<DatabaseProxy> {
  const target = new URL(databaseUrl);
  /** Each connection through the proxy: the client's socket and the one to PostgreSQL. */
  const pairs = new Set<[Socket, Socket]>();
  let up = true;
  let stalled = false;
  const pass = ([client, upstream]: [Socket, Socket]) => client.pipe(upstream).pipe(client);
  const server = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    const close = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    for (const socket of pair) socket.on("error", close).on("close", close);
    pairs.add(pair);
    if (!stalled) pass(pair);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const proxied = new URL(databaseUrl);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((server.address() as AddressInfo).port);
  const cut = () => {
    up = false;
    for (const pair of pairs) for (const socket of pair) socket.destroy();
  };
  return {
    url: proxied.toString(),
    cut,
    stall: () => {
      stalled = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore: () => {
      up = true;
      if (stalled) for (const pair of pairs) pass(pair);
      stalled = false;
    },
    close: () => {
      cut();
      server.close();
    },
  };
}
