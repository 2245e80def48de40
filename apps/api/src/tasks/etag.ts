/**
 * Strong ETags from the task's version (bumped by every write), and the
 * `If-Match` preconditions that keep two tabs from overwriting each other.
 */
import type { WritePrecondition } from "./tasks-repository";

export function etagForVersion(version: number): string {
  return `"${version}"`;
}

/**
 * `If-Match: *` matches any existing task; a list of strong tags matches
 * those versions. Weak tags never match (If-Match uses strong comparison),
 * and neither does anything unparseable: the write is refused, never forced.
 */
export function parseIfMatch(header: string | undefined): WritePrecondition {
  if (header === undefined) return undefined;
  if (header.trim() === "*") return { kind: "any" };
  const versions: number[] = [];
  for (const tag of header.split(",")) {
    // The digits exactly as etagForVersion writes them: strong comparison is of the characters, so "01" is not "1".
    const match = /^"(0|[1-9]\d{0,8})"$/.exec(tag.trim());
    if (match) versions.push(Number(match[1]));
  }
  return { kind: "versions", versions };
}
