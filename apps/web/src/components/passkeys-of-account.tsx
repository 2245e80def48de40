import { LocalDate } from "@/components/local-date";
import type { PasskeySummary } from "@/lib/account-passkeys";

/**
 * The account's passkeys on a page that sets a new password without signing
 * in (a reset's, an undone second factor's), with the choice to remove them
 * too, ticked: a passkey signs in without the password, so one added by
 * whoever got into the account would outlive the new password. The box is the
 * form's `remove-passkeys`.
 */
export function PasskeysOfAccount({ passkeys }: { passkeys: PasskeySummary[] }) {
  const count = passkeys.length === 1 ? "a passkey" : `${passkeys.length} passkeys`;
  return (
    // min-w-0: a fieldset is as wide as its widest word unless told (a passkey's name has no spaces).
    <fieldset className="min-w-0 space-y-2 rounded-md border border-slate-300 p-3 text-sm dark:border-slate-600">
      <legend className="px-1 font-medium">Passkeys</legend>
      <p>
        This account has {count}. A passkey signs in without the password, so a new password does not stop one that
        someone else added.
      </p>
      <ul aria-label="Passkeys on this account" className="list-disc space-y-1 pl-5">
        {passkeys.map((passkey) => (
          <li key={passkey.id} className="[overflow-wrap:anywhere]">
            {passkey.name}, added <LocalDate iso={passkey.addedAt} />
            {passkey.lastUsedAt ? (
              <>
                , last used <LocalDate iso={passkey.lastUsedAt} />
              </>
            ) : (
              ", never used"
            )}
          </li>
        ))}
      </ul>
      <label className="flex items-start gap-2">
        <input type="checkbox" name="remove-passkeys" defaultChecked className="mt-0.5 size-4" />
        <span>Remove them too (once signed in, you can add yours again on your account page)</span>
      </label>
    </fieldset>
  );
}
