/**
 * The web app's configuration: the contract's environment variables, parsed
 * once. A missing DATABASE_URL stops start-up, and in production
 * (NODE_ENV=production) so do a missing or weak BETTER_AUTH_SECRET and no
 * SMTP_URL / EMAIL_FROM / BETTER_AUTH_URL / API_URL, instead of falling back
 * to a default.
 */
import "server-only";
import { existsSync } from "node:fs";
import path from "node:path";
import { databaseUrlProblem } from "@tasks/db";
import { z } from "zod";
import { developmentSecret, secretProblem } from "../../../../scripts/lib/development-secret.mjs";

const TIME_SPAN = /^(\d+)\s*(s|m|h|d)$/;
const timeSpan = z.string().regex(TIME_SPAN, "must be like 30s, 15m, 1h or 7d");

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .superRefine((url, check) => {
      const problem = databaseUrlProblem(url);
      if (problem) check.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  BETTER_AUTH_SECRET: z.string().optional(),
  BETTER_AUTH_URL: z.url().default("http://localhost:3000"),
  API_URL: z.url().default("http://localhost:8000"),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  JWT_EXPIRES_IN: timeSpan
    .default("15m")
    // The Task API remembers ended sessions for a day: a token must not outlive that.
    .refine((span) => toSeconds(span) <= 86_400, "at most 1d (the API remembers ended sessions for a day)"),
  SESSION_EXPIRES_IN: timeSpan.default("7d"),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: "must be smtp://user:pass@host:587 or smtps://…:465" }).optional(),
  EMAIL_FROM: z.string().min(3).optional(),
  REQUIRE_EMAIL_VERIFICATION: z.enum(["true", "false"], { error: "must be true or false" }).default("false"),
  /**
   * Set by `npm start` (scripts/lib/product.ts): the one-machine product runs
   * Next.js in production mode but is a development set-up, where SMTP_URL and
   * EMAIL_FROM are optional (emails go to the console). Not for deployments.
   */
  TASKS_ONE_MACHINE: z.enum(["true", "false"], { error: "must be true or false" }).default("false"),
});

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

export function toSeconds(span: string): number {
  const match = TIME_SPAN.exec(span);
  if (!match) throw new Error(`not a time span: ${span}`);
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

function loadWebConfig() {
  const present = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value?.trim() !== ""));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  // `next build` loads server modules without the runtime environment.
  const building = process.env.NEXT_PHASE === "phase-production-build";
  const production = !building && env.NODE_ENV === "production";
  // Required in development too, as the API requires it: without one, pg would try a server on this
  // machine under the user's name, and every page would fail without saying why.
  if (!building && !env.DATABASE_URL) {
    throw new Error("Invalid configuration:\n  DATABASE_URL: required (npm start sets it to the embedded database)");
  }
  const secret = env.BETTER_AUTH_SECRET;
  const weakSecret = production ? secretProblem(secret) : null;
  if (weakSecret) throw new Error(`Invalid configuration:\n  BETTER_AUTH_SECRET: ${weakSecret}`);
  const oneMachine = env.TASKS_ONE_MACHINE === "true";
  // (The addresses' development defaults would put localhost in every email's links and every token.)
  for (const [name, why] of [
    ["SMTP_URL", "account emails are sent through it"],
    ["EMAIL_FROM", "account emails are sent through it"],
    ["BETTER_AUTH_URL", "this web app's public origin"],
    ["API_URL", "the Task API's public origin"],
  ] as const) {
    if (production && !oneMachine && !present[name]) {
      throw new Error(`Invalid configuration:\n  ${name}: required in production (${why})`);
    }
  }
  const origin = env.BETTER_AUTH_URL.replace(/\/$/, "");
  const apiUrl = env.API_URL.replace(/\/$/, "");
  return {
    databaseUrl: env.DATABASE_URL ?? "", // "" only while building (refused above otherwise)
    // Development only (production refused above): made once and kept under .data/, as `npm start` does.
    secret: secret || developmentSecret(checkoutDataDir(), (message) => console.log(`[web] ${message}`)),
    baseUrl: origin,
    apiUrl,
    audience: env.AUTH_AUDIENCE ?? apiUrl,
    jwtExpiresIn: toSeconds(env.JWT_EXPIRES_IN),
    sessionExpiresIn: toSeconds(env.SESSION_EXPIRES_IN),
    /** Unset in development (and under `npm start` without one): each email is printed on the console instead. */
    smtpUrl: env.SMTP_URL,
    emailFrom: env.EMAIL_FROM ?? "Tasks <no-reply@localhost>",
    requireEmailVerification: env.REQUIRE_EMAIL_VERIFICATION === "true",
  };
}

/** The checkout's .data/, where `npm start` keeps the development secret: found from where `next dev` runs. */
function checkoutDataDir(): string {
  let dir = process.cwd();
  while (!existsSync(path.join(dir, "package-lock.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(existsSync(path.join(dir, "package-lock.json")) ? dir : process.cwd(), ".data");
}

let config: ReturnType<typeof loadWebConfig> | undefined;

/** Read lazily, so `next build` does not need the runtime environment. */
export function webConfig() {
  config ??= loadWebConfig();
  return config;
}
