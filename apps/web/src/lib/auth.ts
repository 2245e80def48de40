/**
 * Better Auth, the one place users, sessions and access tokens come from.
 * Email + password accounts; sessions in an HttpOnly cookie; the JWT plugin
 * issues short-lived EdDSA access tokens for the Task API (GET
 * /api/auth/token) and publishes their public keys (GET /api/auth/jwks).
 */
import "server-only";
import { authSchema, createPool } from "@tasks/db";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { nextCookies } from "better-auth/next-js";
import { jwt } from "better-auth/plugins";
import { drizzle } from "drizzle-orm/node-postgres";
import { webConfig } from "./config";
import { PASSWORD_MAX, PASSWORD_MIN } from "./password-rules";

function createAuth() {
  const config = webConfig();
  const db = drizzle(createPool(config.databaseUrl, { max: 5, applicationName: "tasks-web" }));
  return betterAuth({
    baseURL: config.baseUrl,
    secret: config.secret,
    trustedOrigins: [config.baseUrl],
    database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      autoSignIn: true,
    },
    session: { expiresIn: config.sessionExpiresIn },
    advanced: {
      database: { generateId: "uuid" },
      // Secure cookies whenever the site is served over https (production).
      useSecureCookies: config.baseUrl.startsWith("https://"),
    },
    // Counted in the database so the limit holds across several web processes.
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/email": { window: 60, max: 10 },
        "/sign-up/email": { window: 60, max: 10 },
      },
    },
    plugins: [
      jwt({
        jwks: {
          keyPairConfig: { alg: "EdDSA", crv: "Ed25519" },
          // A new signing key every 30 days; the old one stays in the JWKS for a
          // day more, far longer than any token it signed can live.
          rotationInterval: 30 * 24 * 3600,
          gracePeriod: 24 * 3600,
        },
        jwt: {
          issuer: config.baseUrl,
          audience: config.audience,
          // A string is a lifetime from now; a bare number would be taken as the exp timestamp itself.
          expirationTime: `${config.jwtExpiresIn}s`,
          // The default payload is the whole user row: the API needs only who and which email.
          definePayload: ({ user }) => ({ email: user.email }),
        },
      }),
      nextCookies(),
    ],
  });
}

type Auth = ReturnType<typeof createAuth>;
const globalForAuth = globalThis as unknown as { tasksAuth?: Auth };

/** One instance per process (and across dev hot reloads). */
export function getAuth(): Auth {
  globalForAuth.tasksAuth ??= createAuth();
  return globalForAuth.tasksAuth;
}
