/**
 * Better Auth, the one place users, sessions and access tokens come from.
 * Email + password accounts with email verification, password reset, change
 * of email and password, and account deletion; sessions in an HttpOnly
 * cookie; the JWT plugin issues short-lived EdDSA access tokens for the Task
 * API (GET /api/auth/token) and publishes their public keys (GET
 * /api/auth/jwks). A token names its session (`sid`): when the session row
 * goes, a database trigger records it and the API refuses the token.
 * Two-factor sign-in (authenticator codes, backup codes) is the twoFactor
 * plugin's: with it on, a password alone starts no session, nor turns it off,
 * makes new backup codes, adds a passkey, changes the password or the address
 * or deletes the account (second-factor-checks.ts).
 * Passkeys (WebAuthn) sign in with neither password nor code.
 * What the endpoints do besides their own work (checks before, emails and
 * sign-outs after) is in auth-hooks.ts.
 */
import "server-only";
import { passkey } from "@better-auth/passkey";
import { authSchema } from "@tasks/db";
import { APIError, betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { nextCookies } from "better-auth/next-js";
import { jwt, twoFactor } from "better-auth/plugins";
import { drizzle } from "drizzle-orm/node-postgres";
import {
  confirmNewEmailMessage,
  existingAccountSignUpMessage,
  resetPasswordMessage,
  verifyEmailMessage,
} from "./account-emails";
import { createAuthHooks } from "./auth-hooks";
import { logWithoutStatementValues, markSessionActive } from "./auth-side-effects";
import { latestChangeOfAddressKey } from "./change-email-links";
import { webConfig } from "./config";
import { webDatabasePool } from "./database";
import { sendAccountEmail } from "./email";
import { unverifiedLinkClaims } from "./link-token";
import { PASSWORD_CHECK_PATHS } from "./password-checks";
import { PASSWORD_MAX, PASSWORD_MIN } from "./password-rules";
import { databaseRateLimitStore } from "./rate-limit-store";
import { type CodeCheck, isRefusalOfCode } from "./second-factor-checks";
import { endSessionsAgain } from "./sign-in-races";

/** Sign-in's rate limit, also sign-up's and that of every endpoint that checks a password (password-checks.ts). */
const GUESSES_A_MINUTE = { window: 60, max: 10 };

/** The name authenticator apps and passkey prompts show beside the account. */
const APP_NAME = "Tasks";

function createAuth() {
  const config = webConfig();
  const pool = webDatabasePool();
  const db = drizzle(pool);
  const { forgetWhatTheOldPasswordBegan, databaseHooks, hooks } = createAuthHooks(isCodeOfSession);
  return betterAuth({
    appName: APP_NAME,
    baseURL: config.baseUrl,
    secret: config.secret,
    trustedOrigins: [config.baseUrl],
    database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      autoSignIn: true,
      // Off: sign-in needs nothing but the password. On: a new account signs in only after
      // following the emailed link, and (Better Auth's rule) sign-up answers alike for a new and
      // a taken address, so it no longer tells who has an account.
      requireEmailVerification: config.requireEmailVerification,
      onExistingUserSignUp: async ({ user }) =>
        sendAccountEmail(existingAccountSignUpMessage(user.email, config.baseUrl), { anyoneCanAsk: "account-exists" }),
      // Our own link to our page (Better Auth's needs a redirectTo from every client: better-auth#3060).
      sendResetPassword: async ({ user, token }) =>
        sendAccountEmail(
          resetPasswordMessage(user.email, `${config.baseUrl}/reset-password?token=${encodeURIComponent(token)}`),
          { anyoneCanAsk: "reset" },
        ),
      resetPasswordTokenExpiresIn: 3600,
      // Every session of the account ends: whoever knew the old password is out.
      revokeSessionsOnPasswordReset: true,
      onPasswordReset: async ({ user }) => {
        // Its pending second steps first, then the sessions again, now that the new password is
        // written: a sign-in with the old one may have made its session since (sign-in-races.ts).
        await forgetWhatTheOldPasswordBegan(user);
        await endSessionsAgain(user.id);
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      sendOnSignIn: config.requireEmailVerification,
      autoSignInAfterVerification: config.requireEmailVerification,
      expiresIn: 3600,
      sendVerificationEmail: async ({ user, url, token }) => {
        // The link goes to our page that asks for "Confirm" (app/(auth)/confirm-email), with the token
        // and the landing Better Auth's /verify-email link carries: a mail scanner that opens it changes nothing.
        // (The landing first: a link cut short on its way loses the end of its token, not where it goes.)
        const given = new URL(url).searchParams;
        const link = new URL("/confirm-email", config.baseUrl);
        link.searchParams.set("callbackURL", given.get("callbackURL") ?? "/tasks");
        link.searchParams.set("token", given.get("token") ?? "");
        const claims = unverifiedLinkClaims(token);
        if (claims.requestType !== "change-email-verification") {
          return sendAccountEmail(verifyEmailMessage(user.email, link.href), { anyoneCanAsk: "confirm" });
        }
        // A change of address is confirmed through the new one (the old one is told in the after hook).
        sendAccountEmail(confirmNewEmailMessage(user.email, String(claims.email), link.href), {
          anyoneCanAsk: "confirm-new-address",
          forAccount: user.id,
        });
      },
    },
    user: {
      changeEmail: { enabled: true },
      // Asks for the password (the account page sends it); tasks, sessions and accounts go by
      // cascade. A pending reset link names the user only in its value: it goes too.
      deleteUser: {
        enabled: true,
        afterDelete: async (user) => {
          await pool.query("DELETE FROM verifications WHERE value = $1 OR identifier = $2", [
            user.id,
            latestChangeOfAddressKey(user.id),
          ]);
        },
      },
    },
    databaseHooks,
    // Not used by any page, and the first would hand out the TOTP secret again to anyone with the
    // session and the password, the last check the password without any limit of ours: off. (No
    // emailed codes as a second factor: authenticator apps only.)
    // /unlink-account: guarded only by the freshness rule turned off below, and there is nothing to
    // unlink (email and password is every account's one way in). (/list-sessions stays: the contract
    // names it. The tokens it hands out end sessions through /revoke-session and open none: a session
    // cookie is the token signed with the secret.)
    disabledPaths: [
      "/two-factor/get-totp-uri",
      "/two-factor/send-otp",
      "/two-factor/verify-otp",
      "/verify-password",
      "/unlink-account",
    ],
    hooks,
    // Better Auth logs a failure with the error as it came: a query builder's quotes the statement's
    // values (a session token, an address). Each goes through loggableError, as the API's errors do.
    logger: { log: logWithoutStatementValues },
    // An error that is not one of Better Auth's refusals (the database down) is thrown to the route
    // handler, which answers it (503 with a problem body, lib/unavailable.ts), not an empty 500.
    onAPIError: { throw: true },
    // No cookieCache: a revoked device must not keep minting tokens from a cached session.
    // No freshness rule (Better Auth's default: a sign-in under a day old for some endpoints): it
    // asked a person on day 2 of a 7-day session to sign out and in again to add a passkey. Every
    // change that matters asks for the password instead (password-checks.ts).
    session: { expiresIn: config.sessionExpiresIn, freshAge: 0 },
    advanced: {
      database: { generateId: "uuid" },
      // Secure cookies whenever the site is served over https (production).
      useSecureCookies: config.baseUrl.startsWith("https://"),
      // Rate limits count an IPv6 client by its /64 (Better Auth's default, said here so that it
      // stays): a home or a server is given a /64, and could otherwise try from a new address each time.
      ipAddress: { ipv6Subnet: 64 },
    },
    // Counted in the database so the limit holds across several web processes, in fixed windows
    // (rate-limit-store.ts says why not Better Auth's own store).
    rateLimit: {
      enabled: true,
      customStorage: databaseRateLimitStore(),
      window: 60,
      max: 300,
      customRules: {
        ...Object.fromEntries(PASSWORD_CHECK_PATHS.map((path) => [path, GUESSES_A_MINUTE])),
        "/sign-up/email": GUESSES_A_MINUTE,
        // A passkey sign-in makes a session as a password's does. Ended, each session is kept in every
        // Task API process's memory for a day (revocation-feed.ts): 300 a minute from one address,
        // signed in and out again, would grow it without end.
        "/passkey/verify-authentication": GUESSES_A_MINUTE,
        // The plugin's own rule (3 per 10 s for all of them) would refuse a person's second typo.
        // A sign-in challenge also ends after 5 wrong codes, and 10 in a row lock codes for 15
        // minutes (ours, second-factor-checks.ts).
        "/two-factor/*": GUESSES_A_MINUTE,
        // The public keys, which every Task API process fetches (at most once a second each, under a
        // flood of made-up kids). Behind one address, more than five processes would use up 300 a
        // minute, and a key rotated in meanwhile could not be fetched. Counting the requests would
        // not spare the database either: the count is a write there, the answer one read.
        "/jwks": false,
      },
    },
    plugins: [
      jwt({
        // The browser asks /api/auth/token for its token. Without this, every get-session (each
        // page render) would also sign one for a `set-auth-jwt` header nobody reads.
        disableSettingJwtHeader: true,
        jwks: {
          // (The Task API takes Ed25519 signatures alone: their length is part of its check.)
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
          // The default payload is the whole user row: the API needs who, which email and which
          // session (revocation). Issuing a token also counts as activity of that session. A token
          // ends with its session at the latest: a session shorter than a day is not renewed as it
          // is used (Better Auth renews a session a day old), so without this a token signed in its
          // last minutes would go on being taken by the API after the session had ended.
          definePayload: ({ user, session }) => {
            markSessionActive(session.id);
            const sessionEnds = Math.floor(new Date(session.expiresAt).getTime() / 1000);
            // Our own iat, from the same second as exp: the plugin's, read after this returns, could
            // be the next second, and the token a second short of its lifetime.
            const iat = Math.floor(Date.now() / 1000);
            const lifetimeEnds = iat + config.jwtExpiresIn;
            const exp = Number.isFinite(sessionEnds) ? Math.min(lifetimeEnds, sessionEnds) : lifetimeEnds;
            return { email: user.email, sid: session.id, iat, exp };
          },
        },
      }),
      twoFactor({
        issuer: APP_NAME,
        // RFC 6238 as authenticator apps expect it: 6 digits every 30 s (SHA-1), one step of tolerance.
        totpOptions: { digits: 6, period: 30 },
        // Ten single-use codes, stored encrypted, shown once.
        backupCodeOptions: { amount: 10, length: 10, storeBackupCodes: "encrypted" },
        // Ours counts each try as it starts, at sign-in and on the account page alike
        // (second-factor-checks.ts); the plugin's counted a wrong code only once it was checked.
        accountLockout: { enabled: false },
      }),
      passkey({
        // The relying party is the site people sign in to: a passkey made here works only here.
        rpID: new URL(config.baseUrl).hostname,
        rpName: APP_NAME,
        origin: config.baseUrl,
        // Discoverable credentials ("Sign in with a passkey" asks for no email), and the device's
        // own check of its owner (fingerprint, face, PIN): a passkey replaces two factors, not one.
        authenticatorSelection: { residentKey: "required", userVerification: "required" },
        // The plugin verifies with user verification optional (and asks for "preferred" at
        // sign-in): we require it at both ends ourselves.
        registration: {
          afterVerification: async ({ verification }) => {
            if (!verification.registrationInfo?.userVerified) {
              throw new APIError("BAD_REQUEST", { message: "The passkey did not check who is using it." });
            }
          },
        },
        authentication: {
          afterVerification: async ({ verification }) => {
            if (!verification.authenticationInfo.userVerified) {
              throw new APIError("UNAUTHORIZED", { message: "The passkey did not check who is using it." });
            }
          },
        },
      }),
      nextCookies(),
    ],
  });
}

/**
 * Whether `code` is the second factor of `session`'s person: the two-factor
 * plugin's own checks, sent with that session's cookie alone (they check a
 * code and sign nobody in; a backup code is used up). With any other cookie
 * beside it, a pending sign-in's, they would check the code of whoever that
 * sign-in is for once the session had ended meanwhile, and start their
 * session. A refused code is false; any other refusal (the session ended) and
 * a database that did not answer are thrown.
 */
const isCodeOfSession: CodeCheck = async (ctx, session, kind, code) => {
  const name = ctx.context.authCookies.sessionToken.name;
  const cookie = (ctx.headers?.get("cookie") ?? "")
    .split(/;\s*/)
    .filter((pair) => pair.startsWith(`${name}=`))
    .join("; ");
  const request = { body: { code }, headers: new Headers({ cookie }) };
  const { api } = getAuth();
  try {
    const { user } = await (kind === "authenticator" ? api.verifyTOTP(request) : api.verifyBackupCode(request));
    return user.id === session.user.id;
  } catch (error) {
    // (A backup code is answered 409 when the codes were written meanwhile: thrown, to be tried again.)
    if (isRefusalOfCode(error)) return false;
    throw error;
  }
};

type Auth = ReturnType<typeof createAuth>;
const globalForAuth = globalThis as unknown as { tasksAuth?: Auth };

/** One instance per process (and across dev hot reloads). */
export function getAuth(): Auth {
  globalForAuth.tasksAuth ??= createAuth();
  return globalForAuth.tasksAuth;
}
