/**
 * What is wrong with a DATABASE_URL, said at start-up where the variable is
 * named, or null. node-postgres parses the URL only when it first connects,
 * and then says just "Invalid URL": a password with `#`, `/`, `?` or `@` in
 * it must be percent-encoded. (A socket's URL, `postgres://user@/db?host=/run/postgresql`,
 * has no host part, which node-postgres allows.)
 */
export function databaseUrlProblem(url: string): string | null {
  if (!/^postgres(ql)?:\/\//.test(url)) return "must be a postgres:// or postgresql:// URL";
  const withHost = url.replace(/^(postgres(?:ql)?:\/\/[^/?#]*@)\//, "$1localhost/");
  if (!URL.canParse(withHost)) {
    return "is not a valid URL (percent-encode # / ? @ : in the user name and password, as %23 %2F %3F %40 %3A)";
  }
  return null;
}
