/**
 * The Task API's configuration: the contract's environment variables, parsed
 * and checked once at start-up. A bad value stops the process with a message
 * naming the variable, instead of failing later on a request.
 */
import { databaseUrlProblem } from "@tasks/db";
import { z } from "zod";

const url = z.url({ protocol: /^https?$/ });

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .superRefine((url, check) => {
      const problem = databaseUrlProblem(url);
      if (problem) check.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().min(1).default("0.0.0.0"),
  BETTER_AUTH_URL: url.default("http://localhost:3000"),
  API_URL: url.default("http://localhost:8000"),
  AUTH_JWKS_URL: url.optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  CORS_ORIGINS: z.string().optional(),
  API_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export interface ApiConfig {
  production: boolean;
  /** Unset only in development, where the launcher provides the embedded database. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  port: number;
  host: string;
  auth: { jwksUrl: string; issuer: string; audience: string };
  corsOrigins: string[];
  /** Requests per minute per user; 0 turns the limit off. */
  rateLimitPerMinute: number;
  logLevel: string;
  /** Outside production: the variables that took their development default (said at start-up). */
  developmentDefaults: string[];
}

export class ConfigError extends Error {}

/**
 * The origins whose development default (localhost) is in use: the web app's
 * (unless the issuer, key set and CORS origins it stands for are all set) and
 * the API's own (unless the audience it stands for is set). With them, every
 * token of a real deployment fails.
 */
function originsLeftToDefault(present: Record<string, string | undefined>): {
  webOrigin?: string[];
  apiOrigin: boolean;
} {
  const fromWebOrigin = ["AUTH_ISSUER", "AUTH_JWKS_URL", "CORS_ORIGINS"].filter((name) => !present[name]);
  return {
    webOrigin: !present.BETTER_AUTH_URL && fromWebOrigin.length > 0 ? fromWebOrigin : undefined,
    apiOrigin: !present.API_URL && !present.AUTH_AUDIENCE,
  };
}

/** What production lacks: its database, and the origins left to their development default. */
function productionProblems(present: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (!present.DATABASE_URL) problems.push("DATABASE_URL: required in production");
  const { webOrigin, apiOrigin } = originsLeftToDefault(present);
  if (webOrigin) {
    problems.push(
      `BETTER_AUTH_URL: required in production (the web app's public origin), unless ${webOrigin.join(", ")} are set`,
    );
  }
  if (apiOrigin) {
    problems.push(
      "API_URL: required in production (this API's public origin, the tokens' audience), unless AUTH_AUDIENCE is set",
    );
  }
  return problems;
}

/** Outside production, the same origins by name (said at start-up). */
function developmentDefaultsUsed(present: Record<string, string | undefined>): string[] {
  const { webOrigin, apiOrigin } = originsLeftToDefault(present);
  return [...(webOrigin ? ["BETTER_AUTH_URL"] : []), ...(apiOrigin ? ["API_URL"] : [])];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  // An empty variable means "not set", as in most deployment tools; so does one of spaces alone
  // (a number read from " " would be 0: API_RATE_LIMIT=" " turned the limit off).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value?.trim() !== ""));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  if (production) {
    const missing = productionProblems(present);
    if (missing.length > 0) throw new ConfigError(`Invalid configuration:\n  ${missing.join("\n  ")}`);
  }
  const origin = (value: string) => new URL(value).origin;
  const corsOrigins = (e.CORS_ORIGINS ?? origin(e.BETTER_AUTH_URL))
    .split(",")
    .map((value) => value.trim())
    .filter(Boolean);
  for (const value of corsOrigins) {
    if (!URL.canParse(value) || origin(value) !== value.replace(/\/$/, "")) {
      throw new ConfigError(
        `Invalid configuration:\n  CORS_ORIGINS: "${value}" is not an origin like https://app.example.com`,
      );
    }
  }
  return {
    production,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    port: e.PORT,
    host: e.HOST,
    auth: {
      jwksUrl: e.AUTH_JWKS_URL ?? `${e.BETTER_AUTH_URL.replace(/\/$/, "")}/api/auth/jwks`,
      issuer: e.AUTH_ISSUER ?? e.BETTER_AUTH_URL.replace(/\/$/, ""),
      audience: e.AUTH_AUDIENCE ?? e.API_URL.replace(/\/$/, ""),
    },
    corsOrigins: corsOrigins.map((value) => value.replace(/\/$/, "")),
    rateLimitPerMinute: e.API_RATE_LIMIT,
    logLevel: e.LOG_LEVEL,
    developmentDefaults: production ? [] : developmentDefaultsUsed(present),
  };
}
