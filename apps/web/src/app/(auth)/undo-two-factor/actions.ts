"use server";
import { randomBytes } from "node:crypto";
import { isDatabaseUnavailable, loggableError } from "@tasks/db";
import { twoFactorUndoneMessage } from "@/lib/account-emails";
import { getAuth } from "@/lib/auth";
import { webConfig } from "@/lib/config";
import { webDatabasePool } from "@/lib/database";
import { sendAccountEmail } from "@/lib/email";
import { isPasswordLength } from "@/lib/password-rules";
import { readUndoTwoFactorLink } from "@/lib/undo-two-factor";

/**
 * Why the undo did not happen; `password-changed`: the new password is set (every device signed
 * out), but the second factor could not be turned off after it: the same link finishes it.
 */
export type UndoFailure = "link" | "password" | "unavailable" | "failed" | "password-changed";

/**
 * Undoes the second factor `token` names, with a new password: first the
 * password, as a reset by email sets it (Better Auth's reset, with all our
 * hooks add: every session ended, the old password's links and waiting
 * sign-ins ended, the passkeys removed but those kept), then the second factor
 * off, and the owner told (whoever reads the mailbox could have done it).
 * (Two submissions of the same link at the same moment would each set their
 * password, the later one staying: the busy button stops a double click, and
 * whoever else holds the link could reset the password anyway.)
 */
export async function undoTwoFactorWithNewPassword(
  token: unknown,
  newPassword: unknown,
  keptPasskeys: unknown,
): Promise<{ ok: true } | { ok: false; reason: UndoFailure }> {
  let passwordSet = false;
  try {
    const link = await readUndoTwoFactorLink(token);
    if (!link) return { ok: false, reason: "link" };
    if (typeof newPassword !== "string" || !isPasswordLength(newPassword)) return { ok: false, reason: "password" };
    const auth = getAuth();
    const resetToken = randomBytes(24).toString("base64url");
    await (await auth.$context).internalAdapter.createVerificationValue({
      identifier: `reset-password:${resetToken}`,
      value: link.userId,
      expiresAt: new Date(Date.now() + 5 * 60_000),
    });
    // `keptPasskeys` is ours, read by the reset's before hook (lib/auth-hooks.ts); without a list
    // (not from our page) it removes none, as a reset does.
    await auth.api.resetPassword({
      body: {
        newPassword,
        token: resetToken,
        ...((Array.isArray(keptPasskeys) ? { keptPasskeys } : {}) as Record<string, unknown>),
      },
    });
    passwordSet = true;
    // One statement: the second factor and the account's flag go together, or neither.
    const { rowCount } = await webDatabasePool().query(
      `WITH gone AS (DELETE FROM two_factors WHERE id = $1 AND user_id = $2 RETURNING user_id)
       UPDATE users SET two_factor_enabled = false, updated_at = now() WHERE id IN (SELECT user_id FROM gone)`,
      [link.twoFactorId, link.userId],
    );
    if (rowCount) sendAccountEmail(twoFactorUndoneMessage(link.email, webConfig().baseUrl));
    return { ok: true };
  } catch (error) {
    if (passwordSet) {
      console.error("[auth] new password set, but two-factor sign-in not turned off", loggableError(error));
      return { ok: false, reason: "password-changed" };
    }
    // (It reads the causes under Better Auth's errors too.)
    if (isDatabaseUnavailable(error)) return { ok: false, reason: "unavailable" };
    console.error("[auth] could not undo two-factor sign-in", loggableError(error));
    return { ok: false, reason: "failed" };
  }
}
