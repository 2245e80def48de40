/**
 * The second step's codes as a request goes: an authenticator code claimed
 * as its request starts (each is taken once, authenticator-codes.ts), and a
 * try at sign-in's second step counted toward the lock of codes as it starts
 * (second-factor-checks.ts); both settled as the request ends, by the after
 * hook, or by the route handler for an error Better Auth runs no hook for.
 */
import "server-only";
import { APIError } from "better-auth";
import { CODE_ALREADY_USED, WAIT_FOR_NEXT_CODE } from "./auth-errors";
import type { HookContext } from "./auth-hook-context";
import { claimAuthenticatorCode, settleAuthenticatorCode } from "./authenticator-codes";
import { endSignInCodeTry, startSignInCodeTry } from "./second-factor-checks";
import { readSessionOrThrow } from "./session-read";

/** The codes this process claimed, by request, for the after hook to release when the request failed. */
const codeClaims = new WeakMap<Request, { userId: string; code: string }>();
/** Whose try at sign-in's second step a request is, counted toward the lock of codes until it ends. */
const signInCodeTries = new WeakMap<Request, string>();

/**
 * The code `request` claimed and the sign-in try it counted, settled by how it ended (`returned`:
 * the plugin's answer or refusal): the after hook calls this, and the route handler for an error
 * Better Auth runs no after hook for (the database, mid-way), which gives the code back and takes
 * the try back, as any refusal that was no check of the code does.
 */
export async function settleCodeChecks(request: Request, returned: unknown): Promise<void> {
  const claim = codeClaims.get(request);
  codeClaims.delete(request);
  if (claim) await settleAuthenticatorCode(claim.userId, claim.code, !(returned instanceof Error));
  const codeTryOf = signInCodeTries.get(request);
  signInCodeTries.delete(request);
  if (codeTryOf) await endSignInCodeTry(codeTryOf, returned);
}

/**
 * Before a /two-factor/verify-totp or verify-backup-code: its authenticator
 * code claimed (refused when it was used before) and, at sign-in, its try
 * counted. Both are settled by settleCodeChecks, which runs for whatever the
 * plugin answers or refuses, or, when it fails with anything else (the
 * database), from the route handler.
 */
export async function claimCodeChecks(ctx: HookContext): Promise<void> {
  if (
    (ctx.path === "/two-factor/verify-totp" || ctx.path === "/two-factor/verify-backup-code") &&
    ctx.request &&
    typeof ctx.body?.code === "string"
  ) {
    const step = await personOfTwoFactorStep(ctx);
    const claim = step && ctx.path === "/two-factor/verify-totp" ? { userId: step.userId, code: ctx.body.code } : null;
    if (claim && !(await claimAuthenticatorCode(claim.userId, claim.code))) {
      throw new APIError("UNAUTHORIZED", { code: CODE_ALREADY_USED, message: WAIT_FOR_NEXT_CODE });
    }
    if (step?.atSignIn) {
      try {
        await startSignInCodeTry(step.userId);
      } catch (error) {
        if (claim) await settleAuthenticatorCode(claim.userId, claim.code, false);
        throw error;
      }
      signInCodeTries.set(ctx.request, step.userId);
    }
    if (claim) codeClaims.set(ctx.request, claim);
  }
}

/** A code our own second-factor check claimed for `ctx`'s request (second-factor-checks.ts), settled as it ends. */
export function rememberCodeClaim(
  ctx: HookContext,
  claimed: { userId: string; code: string } | null | undefined,
): void {
  if (claimed && ctx.request) codeClaims.set(ctx.request, claimed);
}

/**
 * Whose code a /two-factor/verify-totp or verify-backup-code request carries,
 * as the plugin finds them: the signed-in person (turning two-factor sign-in
 * on), else the person of the pending sign-in its cookie names (`atSignIn`).
 * Null when neither: the plugin then refuses the request itself.
 */
async function personOfTwoFactorStep(ctx: HookContext): Promise<{ userId: string; atSignIn: boolean } | null> {
  const session = await readSessionOrThrow(ctx);
  if (session) return { userId: session.user.id, atSignIn: false };
  // The plugin's cookie name (not exported): the signed id of the sign-in's verification row.
  const challenge = await ctx.getSignedCookie(ctx.context.createAuthCookie("two_factor").name, ctx.context.secret);
  if (!challenge) return null;
  const pending = await ctx.context.internalAdapter.findVerificationValue(challenge);
  return pending?.value ? { userId: pending.value, atSignIn: true } : null;
}
