/**
 * `record[key]` when `key` is one of the record's own keys, else undefined: for keys that come from
 * outside (a link's `?error=`, an error's code, a request's path). A plain lookup finds what every
 * object inherits too: `?error=toString` found Object.prototype's function, which a server
 * component cannot hand to a client component, and the page failed every time.
 */
export function ownEntry<V>(record: Record<string, V>, key: string | null | undefined): V | undefined {
  return key != null && Object.hasOwn(record, key) ? record[key] : undefined;
}
