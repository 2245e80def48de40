"use server";
import { randomBytes } from "node:crypto";
import { isDatabaseUnavailable, loggableError } from "@tasks/db";
import { getAuth } from "@/lib/auth";
import { webDatabasePool } from "@/lib/database";
import { PASSWORD_MAX, PASSWORD_MIN } from "@/lib/password-rules";
import { readUndoTwoFactorLink } from "@/lib/undo-two-factor";

export type UndoFailure = "link" | "password" | "unavailable" | "failed";

/**
 * Undoes the second factor `token` names, with a new password: first the
 * password, as a reset by email sets it (Better Auth's reset, with all our
 * hooks add: every session ended, the old password's links and waiting
 * sign-ins ended, the passkeys removed when asked), then the second factor
 * off. Should the second step fail, the new password is in place, the link
 * still works, and trying again finishes it.
 */
export async function undoTwoFactorWithNewPassword(
  token: unknown,
  newPassword: unknown,
  removePasskeys: unknown,
): Promise<{ ok: true } | { ok: false; reason: UndoFailure }> {
  try {
    const link = await readUndoTwoFactorLink(token);
    if (!link) return { ok: false, reason: "link" };
    if (typeof newPassword !== "string" || newPassword.length < PASSWORD_MIN || newPassword.length > PASSWORD_MAX) {
      return { ok: false, reason: "password" };
    }
    const auth = getAuth();
    const resetToken = randomBytes(24).toString("base64url");
    await (await auth.$context).internalAdapter.createVerificationValue({
      identifier: `reset-password:${resetToken}`,
      value: link.userId,
      expiresAt: new Date(Date.now() + 5 * 60_000),
    });
    // `removePasskeys` is ours, read by the reset's before hook (lib/auth.ts).
    await auth.api.resetPassword({
      body: {
        newPassword,
        token: resetToken,
        ...({ removePasskeys: removePasskeys === true } as Record<string, unknown>),
      },
    });
    // One statement: the second factor and the account's flag go together, or neither.
    await webDatabasePool().query(
      `WITH gone AS (DELETE FROM two_factors WHERE id = $1 AND user_id = $2 RETURNING user_id)
       UPDATE users SET two_factor_enabled = false, updated_at = now() WHERE id IN (SELECT user_id FROM gone)`,
      [link.twoFactorId, link.userId],
    );
    return { ok: true };
  } catch (error) {
    if (isDatabaseUnavailable(error) || isDatabaseUnavailable((error as { cause?: unknown })?.cause)) {
      return { ok: false, reason: "unavailable" };
    }
    console.error("[auth] could not undo two-factor sign-in", loggableError(error));
    return { ok: false, reason: "failed" };
  }
}
