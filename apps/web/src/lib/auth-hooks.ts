/**
 * What Better Auth's endpoints do besides their own work (auth.ts configures them with these). Each
 * step is a rule of its own module, named beside it; this file says in which order they run.
 */
import "server-only";
import { isDatabaseUnavailable, loggableError } from "@tasks/db";
import { APIError, type BetterAuthOptions } from "better-auth";
import { createAuthMiddleware, isAPIError } from "better-auth/api";
import { passkeyAddedMessage, passwordChangedMessage, twoFactorChangedMessage } from "./account-emails";
import { TOTP_ALREADY_ENABLED } from "./auth-errors";
import { checkChangeOfAddressLink, endChangeOfAddress, rememberLatestChangeOfAddress } from "./change-email-links";
import { webConfig } from "./config";
import { keepLinkSessionOnlyWhereSignedUp, rememberConfirmingBrowser } from "./confirming-browser";
import { webDatabasePool } from "./database";
import { sendAccountEmail } from "./email";
import { confirmsAnotherAccount, landingOfLink, linkClaims, tellOfChangeOfAddress } from "./email-link-requests";
import { emailProblem } from "./email-rules";
import { fieldProblem } from "./field-rules";
import { rememberDevice } from "./known-devices";
import { unverifiedLinkClaims } from "./link-token";
import { nameProblem } from "./name-rules";
import { safeNext } from "./next-path";
import { checksPassword, endPasswordCheck, startPasswordCheck } from "./password-checks";
import { forgetPasswordAttempts } from "./password-guesses";
import { isPasswordLength } from "./password-rules";
import { removePasskeysOfResetAccount } from "./reset-links";
import { type CodeCheck, checkSecondFactor } from "./second-factor-checks";
import { endSessionOfCookie, readSessionOrThrow } from "./session-read";
import { endSessionsAgain, noteCredentialsAtSignIn, refuseSignInIfCredentialsChanged } from "./sign-in-races";
import { claimCodeChecks, rememberCodeClaim, settleCodeChecks } from "./two-factor-steps";
import { UNDO_LINK_DAYS, undoTwoFactorLink } from "./undo-two-factor";

/** What is added to an account only once its address is confirmed (see the hook below). */
const NEEDS_CONFIRMED_EMAIL = new Set([
  "/passkey/generate-register-options",
  "/passkey/verify-registration",
  "/two-factor/enable",
]);

/**
 * The hooks of auth.ts's Better Auth: `hooks.before` checks a request before its endpoint runs (its
 * fields, the session, a password's and a second factor's checks), `hooks.after` does what follows
 * a change (sessions ended again, links ended, the owner told), and `databaseHooks` what goes with
 * writing a user. `isCodeOfSession` checks a code against a signed-in person's second factor (auth.ts).
 */
export function createAuthHooks(isCodeOfSession: CodeCheck) {
  const config = webConfig();
  const pool = webDatabasePool();
  /**
   * A new password: ends the person's pending password-reset links, the change of address waiting
   * (its links are refused anyway: the page no longer offers to cancel it), the sign-ins still
   * waiting for their second step, and the count of wrong passwords with any pause. Logged, not
   * thrown: it runs once the new password is in place, which a failure here must not report as
   * failed (the links expire within the hour, the sign-ins within ten minutes).
   */
  const forgetWhatTheOldPasswordBegan = async (user: { id: string; email: string }) => {
    await Promise.all([
      pool.query(
        "DELETE FROM verifications WHERE value = $1 AND (identifier LIKE 'reset-password:%' OR identifier LIKE '2fa-%')",
        [user.id],
      ),
      endChangeOfAddress(user.id),
      // And a pause of password sign-in (password-guesses.ts): the owner's way out of one is a reset.
      forgetPasswordAttempts(user.email),
    ]).catch((error: unknown) => console.error("[auth] could not end what the old password began", error));
  };
  /** Requests that turned two-factor sign-in on or off, with the session token of the device that did. */
  const twoFactorSwitches = new WeakMap<Request, string>();
  const databaseHooks = {
    user: {
      update: {
        before: async (data, context) => {
          // Turning two-factor sign-in on or off ends every other session of the account: a device
          // signed in with the password alone must not outlive the change. Before the change is
          // written: if the sign-out fails, so does the request, and nothing has changed (the
          // person tries again). The plugin then replaces this device's session itself.
          if (context?.path === "/two-factor/verify-totp" || context?.path === "/two-factor/disable") {
            const cookie = context.context.authCookies.sessionToken.name;
            const current = await context.getSignedCookie(cookie, context.context.secret);
            if (current) {
              if (context.request) twoFactorSwitches.set(context.request, current);
              await pool.query(
                "DELETE FROM sessions WHERE user_id = (SELECT user_id FROM sessions WHERE token = $1) AND token <> $1",
                [current],
              );
            }
            return;
          }
          // The one way /verify-email changes an address is the link sent to the new one, which
          // proves it: confirmed, even when the old address never was (Better Auth keeps the old flag).
          return context?.path === "/verify-email" && typeof data.email === "string"
            ? { data: { ...data, emailVerified: true } }
            : undefined;
        },
        // A new address ends the reset links sent to the old one: whoever reads that mailbox (often
        // why the address changed) must not set the password with a link asked for before.
        after: async (user, context) => {
          if (context?.path !== "/verify-email") return;
          if (unverifiedLinkClaims(context.query?.token).requestType !== "change-email-verification") return;
          await pool.query("DELETE FROM verifications WHERE value = $1 AND identifier LIKE 'reset-password:%'", [
            user.id,
          ]);
        },
      },
    },
  } satisfies BetterAuthOptions["databaseHooks"];
  const hooks = {
    // No "trust this device": every password sign-in of an account with a second factor asks
    // for it, and turning the factor off and on again leaves no device exempt.
    before: createAuthMiddleware(async (ctx) => {
      // No picture, and no landing after a link longer than LANDING_MAX (field-rules.ts). First, on
      // every path: below, a code's check is claimed (two-factor-steps.ts), and nothing after that may throw.
      const badField = fieldProblem(ctx.path, ctx.body, ctx.query);
      if (badField) throw new APIError("BAD_REQUEST", badField);
      // The session, read here for every endpoint of a signed-in request, so that a database that
      // does not answer is a 503 and not "signed out" (readSessionOrThrow). Not for get-session,
      // which reads its own, nor for a sign-in or a sign-up, which start a new one, nor for a
      // sign-out, which ends its session itself (below).
      // (Whether a cookie came is enough here: the read checks its signature.)
      if (
        ctx.path !== "/get-session" &&
        ctx.path !== "/sign-out" &&
        !/^\/sign-(in|up)\//.test(ctx.path) &&
        ctx.getCookie(ctx.context.authCookies.sessionToken.name)
      ) {
        await readSessionOrThrow(ctx);
      }
      // A sign-out ends its session before Better Auth clears the cookie: Better Auth logs a delete
      // that failed and answers 200 all the same, and the session, its tokens with it, lived on
      // for someone who believed it ended. Ours fails (503, the cookie kept) for them to try again.
      if (ctx.path === "/sign-out") await endSessionOfCookie(ctx);
      // What a password sign-in checks, read again once its session exists (sign-in-races.ts).
      await noteCredentialsAtSignIn(ctx);
      // With a session, the code checks sign nobody in: the account page sends one only to turn two-factor
      // sign-in on. With it on, they would let whoever holds the session try codes that no lock counts,
      // or use up backup codes: refused (our own checks call them without a request, second-factor-checks.ts).
      if (
        ctx.request &&
        (ctx.path === "/two-factor/verify-totp" || ctx.path === "/two-factor/verify-backup-code") &&
        ctx.context.session?.user.twoFactorEnabled
      ) {
        throw new APIError("BAD_REQUEST", {
          code: TOTP_ALREADY_ENABLED,
          message: "Two-factor sign-in is on already.",
        });
      }
      // One use per authenticator code, and at sign-in's second step each try counted as it starts
      // (two-factor-steps.ts). Nothing below throws for these paths.
      await claimCodeChecks(ctx);
      if (ctx.path.startsWith("/two-factor/verify-") && ctx.body?.trustDevice) {
        return { context: { body: { ...ctx.body, trustDevice: false } } };
      }
      // A reset from our pages, which list the account's passkeys (a new password does not stop a
      // passkey someone else added), and send those the person keeps: every other goes, one added
      // while the page was open too. Only a password the reset takes: one it refuses must remove
      // nothing. (A reset without the list, straight to Better Auth's endpoint, removes none.)
      if (ctx.path === "/reset-password" && Array.isArray(ctx.body?.keptPasskeys)) {
        const { newPassword, keptPasskeys } = ctx.body;
        const token = ctx.body.token || ctx.query?.token;
        if (typeof token === "string" && typeof newPassword === "string" && isPasswordLength(newPassword)) {
          await removePasskeysOfResetAccount(token, keptPasskeys);
        }
      }
      // A person's name and a passkey's: not blank where one is needed, not too long (name-rules.ts).
      const badName = nameProblem(ctx.path, ctx.body);
      if (badName) throw new APIError("BAD_REQUEST", badName);
      // A new address: not longer than an address can be (email-rules.ts).
      const badAddress = emailProblem(ctx.path, ctx.body);
      if (badAddress) throw new APIError("BAD_REQUEST", badAddress);
      // A change-of-address link that must not move the account: asked for before the password was
      // last set, cancelled, or replaced by a later change; or one whose change is made already, sent
      // on as made (change-email-links.ts). Its landing is checked here: Better Auth's own check
      // of it comes after this hook.
      const addressLink =
        ctx.path === "/verify-email"
          ? await checkChangeOfAddressLink(
              ctx.query?.token,
              ctx.context.secret,
              async () => (await readSessionOrThrow(ctx))?.user.id ?? null,
            )
          : null;
      if (addressLink) {
        const landing =
          "made" in addressLink ? safeNext(ctx.query?.callbackURL) : `/account?error=${addressLink.refusal}`;
        throw ctx.redirect(await landingOfLink(ctx, `${config.baseUrl}${landing}`));
      }
      // With REQUIRE_EMAIL_VERIFICATION, a sign-up's confirmation link signs the browser in to its
      // account: opened where another account is signed in, it is for that other account, as a change
      // of address's is (Better Auth's INVALID_USER). Otherwise whoever sent their own link would have
      // someone type into their account. (Without it, the link signs nobody in: it just confirms.)
      if (ctx.path === "/verify-email" && config.requireEmailVerification && (await confirmsAnotherAccount(ctx))) {
        throw ctx.redirect(`${config.baseUrl}/account?error=INVALID_USER`);
      }
      // The session, read once, for the checks below that need it (nobody signed in: the endpoint answers 401).
      // (Every path that needs a confirmed address checks the password too.)
      const session = checksPassword(ctx.path) && ctx.path !== "/sign-in/email" ? await readSessionOrThrow(ctx) : null;
      // A passkey or a second factor only on a confirmed address. Otherwise whoever signed up first
      // with someone else's address could add a passkey (or a second factor) that outlives the
      // owner's password reset, and still walk in (or lock the owner out) once the owner has it.
      if (NEEDS_CONFIRMED_EMAIL.has(ctx.path) && session && !session.user.emailVerified) {
        throw new APIError("FORBIDDEN", {
          code: "EMAIL_NOT_CONFIRMED",
          message: "Confirm your email address first: follow the link we sent you.",
        });
      }
      // An endpoint that checks a password: counted toward the account's limit, and checked where
      // Better Auth does not (password-checks.ts).
      await startPasswordCheck(ctx, session);
      // With two-factor sign-in on, what would let someone sign in without a code asks for one
      // too, once the password is right (second-factor-checks.ts).
      rememberCodeClaim(ctx, await checkSecondFactor(ctx, session, isCodeOfSession));
      // The change of address asked for is the one its link may make, written before the link is
      // sent: a failure here sends none, and the earlier link stays the one that works.
      if (ctx.path === "/change-email" && session && typeof ctx.body?.newEmail === "string") {
        await rememberLatestChangeOfAddress(session.user.id, session.user.email, ctx.body.newEmail);
      }
    }),
    after: createAuthMiddleware(async (ctx) => {
      if (ctx.request) await settleCodeChecks(ctx.request, ctx.context.returned);
      const attempt = await endPasswordCheck(ctx);
      // Some endpoints answer a database that did not answer with a 500 of their own (the error
      // beneath as its cause): thrown on as what it is, for a 503 (lib/unavailable.ts).
      const returned = ctx.context.returned;
      if (isAPIError(returned) && isDatabaseUnavailable(returned.cause)) throw returned.cause;
      // A sign-up's confirmation link signs in only the browser that signed up (confirming-browser.ts).
      if (ctx.path === "/verify-email" && ctx.context.newSession) {
        const signedInBefore =
          Boolean(ctx.getCookie(ctx.context.authCookies.sessionToken.name)) && (await readSessionOrThrow(ctx)) !== null;
        await keepLinkSessionOnlyWhereSignedUp(ctx, linkClaims(ctx).email, signedInBefore);
      }
      // An emailed link sends its browser to its landing page, or, where nobody is signed in, to
      // sign in with what it did (link-landing.ts).
      const landing =
        ctx.path === "/verify-email" && isAPIError(returned) && new Headers(returned.headers).get("location");
      if (landing) {
        const goTo = await landingOfLink(ctx, landing);
        if (goTo !== landing) throw ctx.redirect(goTo);
      }
      if (returned instanceof Error) return;
      if (ctx.path === "/sign-up/email" && config.requireEmailVerification && typeof ctx.body?.email === "string") {
        await rememberConfirmingBrowser(ctx, ctx.body.email);
        return;
      }
      // A right password at sign-in (a second step may follow): this browser is known to the account,
      // until the password changes (known-devices.ts).
      if (ctx.path === "/sign-in/email" && attempt) {
        await refuseSignInIfCredentialsChanged(ctx);
        await rememberDevice(ctx, attempt.email);
        return;
      }
      // A passkey's sign-in proves the account as well as its password does: this browser is known
      // too. Else a browser that signs in with passkeys only was never known, and whoever knows the
      // address kept its account page paused (every action there asks for the password).
      if (ctx.path === "/passkey/verify-authentication" && ctx.context.newSession) {
        await rememberDevice(ctx, ctx.context.newSession.user.email);
        return;
      }
      // A new password ends what the old one began: reset links asked for before, and sign-ins
      // waiting for their second step (whoever knew the old password and has a code to try).
      if (ctx.path === "/change-password" && ctx.context.session) {
        // The other devices signed out: again, now that the new password is written (sign-in-races.ts).
        if (ctx.body?.revokeOtherSessions === true) {
          await endSessionsAgain(ctx.context.session.user.id, { id: ctx.context.newSession?.session.id });
        }
        await forgetWhatTheOldPasswordBegan(ctx.context.session.user);
        // It voided every browser's known_device cookie; this browser, which knew the password, stays known.
        await rememberDevice(ctx, ctx.context.session.user.email);
        // The owner hears of it: whoever changed it knew the password and held a session.
        const { email } = ctx.context.session.user;
        sendAccountEmail(passwordChangedMessage(email, ctx.body?.revokeOtherSessions === true, config.baseUrl));
        return;
      }
      // Two-factor sign-in turned on or off: the other devices signed out again, now that it is written,
      // and the owner told (as of new backup codes): whoever did it without them is heard of.
      const switchedBy = ctx.request && twoFactorSwitches.get(ctx.request);
      if (switchedBy && ctx.context.session) {
        const { user } = ctx.context.session;
        await endSessionsAgain(user.id, { id: ctx.context.newSession?.session.id, token: switchedBy });
        const change = ctx.path === "/two-factor/disable" ? "off" : "on";
        // Turned on: with the link that turns it off with a new password (lib/undo-two-factor.ts), the
        // owner's way back should it be someone else's. Without it (the database failed just now), the email still goes.
        const undoLink =
          change === "on"
            ? await undoTwoFactorLink(user.id, user.email).catch((error: unknown) => {
                console.error("[auth] no undo link for the two-factor email", loggableError(error));
                return null;
              })
            : null;
        sendAccountEmail(
          twoFactorChangedMessage(
            user.email,
            change,
            config.baseUrl,
            undoLink ? { link: undoLink, days: UNDO_LINK_DAYS } : null,
          ),
        );
        return;
      }
      if (ctx.path === "/two-factor/generate-backup-codes" && ctx.context.session) {
        sendAccountEmail(twoFactorChangedMessage(ctx.context.session.user.email, "new-backup-codes", config.baseUrl));
        return;
      }
      if (ctx.path === "/change-email" && ctx.context.session && typeof ctx.body?.newEmail === "string") {
        await tellOfChangeOfAddress(ctx.context.session.user.email, ctx.body.newEmail.toLowerCase());
        return;
      }
      // A passkey signs in without the password: the owner hears of every new one.
      if (ctx.path !== "/passkey/verify-registration") return;
      const session = ctx.context.session;
      if (!session) return;
      const name = typeof ctx.body?.name === "string" && ctx.body.name.trim() ? ctx.body.name.trim() : "Passkey";
      sendAccountEmail(passkeyAddedMessage(session.user.email, name, config.baseUrl));
    }),
  } satisfies BetterAuthOptions["hooks"];
  return { forgetWhatTheOldPasswordBegan, databaseHooks, hooks };
}
