/**
 * `npm run bench:sign-in`: does a wrong password take about as long to refuse
 * as an unknown email, and a password-reset request for a known address as
 * long as for an unknown one? If not, response times tell an attacker which
 * emails have accounts. Starts the whole product on a throw-away embedded
 * PostgreSQL, makes a few accounts, then times interleaved sign-ins (wrong
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
/** One POST to Better Auth, from a client address of its own; its status, body and duration. */
async function post(endpoint: string, body: object) {
  clientNumber++;
  const started = performance.now();
  const response = await fetch(`${product.webUrl}/api/auth/${endpoint}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: product.webUrl,
      "x-forwarded-for": `10.${(clientNumber >> 16) & 255}.${(clientNumber >> 8) & 255}.${clientNumber & 255}`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text, ms: performance.now() - started };
}
const signIn = (email: string, password: string) => post("sign-in/email", { email, password });
const requestReset = (email: string) => post("request-password-reset", { email, redirectTo: "/reset-password" });

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const round1 = (value: number) => Math.round(value * 10) / 10;

try {
  const password = "correct horse battery";
  // Ten wrong passwords for one address pause its sign-in (apps/web/src/lib/password-guesses.ts):
  // each account takes nine of the rounds' wrong passwords.
  const WRONG_PER_ACCOUNT = 9;
  const accounts: string[] = [];
  for (let i = 0; i < Math.ceil((WARMUP + ROUNDS) / WRONG_PER_ACCOUNT); i++) {
    const address = `timing-${i}-${Date.now()}@example.test`;
    const signUp = await post("sign-up/email", { name: "Timing", email: address, password });
    if (signUp.status !== 200) throw new Error(`sign-up failed: ${signUp.status} ${signUp.body}`);
    accounts.push(address);
  }
  const email = accounts[0] as string;
  let wrongPasswords = 0;

  const kinds = {
    wrong_password: () =>
      signIn(accounts[Math.floor(wrongPasswords++ / WRONG_PER_ACCOUNT)] as string, "not the password at all"),
    unknown_email: () => signIn(`nobody-${crypto.randomUUID()}@example.test`, "not the password at all"),
    right_password: () => signIn(email, password),
    reset_known_email: () => requestReset(email),
    reset_unknown_email: () => requestReset(`nobody-${crypto.randomUUID()}@example.test`),
  };
  type Kind = keyof typeof kinds;
  const times = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, [] as number[]])) as Record<Kind, number[]>;
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
  /** Whether two kinds got one and the same answer every time, and how far apart their medians are. */
  const compare = (known: Kind, unknown: Kind) => {
    const [a, b] = [[...(answers.get(known) ?? [])], [...(answers.get(unknown) ?? [])]];
    const difference = summary[unknown].p50_ms - summary[known].p50_ms;
    return {
      difference_ms: round1(difference),
      difference_pct: round1((100 * difference) / summary[known].p50_ms),
      same: a.length === 1 && b.length === 1 && a[0] === b[0],
    };
  };
  const signInGap = compare("wrong_password", "unknown_email");
  const resetGap = compare("reset_known_email", "reset_unknown_email");
  const sameAnswer = signInGap.same;
  const result = {
    machine: { cpus: os.cpus().length, node: process.version },
    rounds: ROUNDS,
    ...summary,
    p50_difference_ms: signInGap.difference_ms,
    p50_difference_pct: signInGap.difference_pct,
    same_answer: sameAnswer,
    reset_p50_difference_ms: resetGap.difference_ms,
    reset_p50_difference_pct: resetGap.difference_pct,
    reset_same_answer: resetGap.same,
  };

  console.log("");
  console.log("kind                  p50 ms   p90 ms   min ms");
  for (const kind of Object.keys(times) as Kind[]) {
    const { p50_ms, p90_ms, min_ms } = summary[kind];
    console.log(
      `${kind.padEnd(20)} ${String(p50_ms).padStart(7)}  ${String(p90_ms).padStart(7)}  ${String(min_ms).padStart(7)}`,
    );
  }
  console.log("");
  say(
    `unknown email vs wrong password: ${result.p50_difference_ms} ms (${result.p50_difference_pct}%) at the median; same answer: ${sameAnswer ? "yes" : "NO"}`,
  );
  say(
    `password reset, unknown vs known email: ${resetGap.difference_ms} ms (${resetGap.difference_pct}%) at the median; same answer: ${resetGap.same ? "yes" : "NO"}`,
  );
  const file = path.join(root, "bench", "sign-in.json");
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  say(`wrote ${path.relative(root, file)}`);
} finally {
  await product.stop({ deleteData: true });
  rmSync(dataDir, { recursive: true, force: true });
}
