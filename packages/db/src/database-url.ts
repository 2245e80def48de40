/**
 * What is wrong with a DATABASE_URL, said at start-up where the variable is
 * named, or null. node-postgres parses the URL only when it first connects,
 * and then says just "Invalid URL", or reads a password with `/` in it as a
 * host and a port: a password with `#`, `/` or `?` in it must be
 * percent-encoded. (A socket's URL, `postgres://user@/db?host=/run/postgresql`,
 * has no host part, which node-postgres allows.)
 */
export function databaseUrlProblem(url: string): string | null {
  if (!/^postgres(ql)?:\/\//.test(url)) return "must be a postgres:// or postgresql:// URL";
  const withHost = url.replace(/^(postgres(?:ql)?:\/\/[^/?#]*@)\//, "$1localhost/");
  // The user and password end at the last `@` before the path: one after a `/` means a `/` in them.
  const beforeQuery = url.slice(url.indexOf("//") + 2).split("?")[0] ?? "";
  const slash = beforeQuery.indexOf("/");
  const slashInCredentials = slash !== -1 && beforeQuery.indexOf("@", slash) !== -1;
  if (slashInCredentials || !URL.canParse(withHost)) {
    return "is not a valid URL (percent-encode # / ? in the user name and password, as %23 %2F %3F)";
  }
  return null;
}
