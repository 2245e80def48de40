/**
 * Where the browser tests find Chromium: Debian's package (`apt-get install chromium`), or
 * CHROMIUM_PATH. One place, read by the tests' launcher and by `npm test`'s runner, which says it
 * is missing before any test starts rather than after every browser test has waited in vain.
 */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || "/usr/bin/chromium";
}
