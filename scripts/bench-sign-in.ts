/**
 * `npm run bench:sign-in`: does a wrong password take about as long to refuse
 * as an unknown email? If not, response times tell an attacker which emails
 * have accounts. Starts the whole product on a throw-away embedded
 * PostgreSQL, makes one account, then times interleaved sign-ins (wrong
 * password, unknown email, and the right password for reference), each from
 * its own client address (the bench acts as a trusted proxy that says so) so
 * the sign-in rate limit stays out of the way.
 * Prints the figures and writes bench/sign-in.json. Measures; never fails on
 * timing.
 */
import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { freePort } from "./lib/free-port";
import { root, startProduct } from "./lib/product";

const ROUNDS = Math.max(5, Number(process.env.BENCH_SIGN_IN_ROUNDS ?? 40));
const WARMUP = 5;
const say = (message: string) => console.log(`[bench:sign-in] ${message}`);

const dataDir = path.join(root, ".data", `bench-sign-in-${process.pid}`);
const product = await startProduct({
  webPort: await freePort(),
  apiPort: await freePort(),
  embeddedPort: await freePort(),
  dataDir,
  stdio: "ignore",
  log: say,
  // The bench stands in for a proxy: its X-Forwarded-For names a client of its own per attempt.
  env: { TRUSTED_PROXY_HOPS: "1" },
});

let clientNumber = 0;
/** One sign-in attempt, from a client address of its own; its status, body and duration. */
async function signIn(email: string, password: string) {
  clientNumber++;
  const started = performance.now();
  const response = await fetch(`${product.webUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: product.webUrl,
      "x-forwarded-for": `10.${(clientNumber >> 16) & 255}.${(clientNumber >> 8) & 255}.${clientNumber & 255}`,
    },
    body: JSON.stringify({ email, password }),
  });
  const body = await response.text();
  return { status: response.status, body, ms: performance.now() - started };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const round1 = (value: number) => Math.round(value * 10) / 10;

try {
  const email = `timing-${Date.now()}@example.test`;
  const password = "correct horse battery";
  const signUp = await fetch(`${product.webUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: product.webUrl, "x-forwarded-for": "10.255.0.1" },
    body: JSON.stringify({ name: "Timing", email, password }),
  });
  if (!signUp.ok) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);

  const kinds = {
    wrong_password: () => signIn(email, "not the password at all"),
    unknown_email: () => signIn(`nobody-${crypto.randomUUID()}@example.test`, "not the password at all"),
    right_password: () => signIn(email, password),
  };
  type Kind = keyof typeof kinds;
  const times: Record<Kind, number[]> = { wrong_password: [], unknown_email: [], right_password: [] };
  const answers = new Map<Kind, Set<string>>();

  say(`timing ${ROUNDS} rounds (after ${WARMUP} warm-up rounds), each kind once per round in a random order`);
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const order = (Object.keys(kinds) as Kind[]).sort(() => Math.random() - 0.5);
    for (const kind of order) {
      const { status, body, ms } = await kinds[kind]();
      if (status === 429) throw new Error("rate-limited: the client addresses did not spread the load");
      if (i < WARMUP) continue;
      times[kind].push(ms);
      const answer = kind === "right_password" ? String(status) : `${status} ${body}`;
      answers.set(kind, (answers.get(kind) ?? new Set()).add(answer));
    }
  }

  const summary = Object.fromEntries(
    (Object.keys(times) as Kind[]).map((kind) => [
      kind,
      {
        p50_ms: round1(percentile(times[kind], 50)),
        p90_ms: round1(percentile(times[kind], 90)),
        min_ms: round1(Math.min(...times[kind])),
      },
    ]),
  ) as Record<Kind, { p50_ms: number; p90_ms: number; min_ms: number }>;
  const wrong = [...(answers.get("wrong_password") ?? [])];
  const unknown = [...(answers.get("unknown_email") ?? [])];
  const sameAnswer = wrong.length === 1 && unknown.length === 1 && wrong[0] === unknown[0];
  const difference = summary.unknown_email.p50_ms - summary.wrong_password.p50_ms;
  const result = {
    machine: { cpus: os.cpus().length, node: process.version },
    rounds: ROUNDS,
    ...summary,
    p50_difference_ms: round1(difference),
    p50_difference_pct: round1((100 * difference) / summary.wrong_password.p50_ms),
    same_answer: sameAnswer,
  };

  console.log("");
  console.log("kind             p50 ms   p90 ms   min ms");
  for (const kind of Object.keys(times) as Kind[]) {
    const { p50_ms, p90_ms, min_ms } = summary[kind];
    console.log(
      `${kind.padEnd(15)} ${String(p50_ms).padStart(7)}  ${String(p90_ms).padStart(7)}  ${String(min_ms).padStart(7)}`,
    );
  }
  console.log("");
  say(
    `unknown email vs wrong password: ${result.p50_difference_ms} ms (${result.p50_difference_pct}%) at the median; same answer: ${sameAnswer ? "yes" : "NO"}`,
  );
  const file = path.join(root, "bench", "sign-in.json");
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  say(`wrote ${path.relative(root, file)}`);
} finally {
  await product.stop({ deleteData: true });
  rmSync(dataDir, { recursive: true, force: true });
}
