/**
 * In place of a form that adds a way into the account (a passkey, a second
 * factor): those wait for a confirmed address, so that an account someone
 * else opened with your address cannot keep a way in after you reset its
 * password (auth-hooks.ts refuses them too).
 */
export function ConfirmEmailFirst({ what }: { what: string }) {
  return (
    <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
      To add {what}, first confirm your email address: follow the link we sent you (the Profile section above can send a
      new one).
    </p>
  );
}
