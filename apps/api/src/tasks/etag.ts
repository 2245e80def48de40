/**
 * Strong ETags from the task's version (bumped by every write), the
 * `If-Match` preconditions that keep two tabs from overwriting each other,
 * and `If-None-Match` (a read not sent again, a write refused on a version).
 */
import type { WritePrecondition } from "./tasks-repository";

/** The largest version a task has: the column is a PostgreSQL integer; the next write makes 1 again. */
export const MAX_VERSION = 2_147_483_647;

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
    const version = Number(/^"(0|[1-9]\d{0,9})"$/.exec(tag.trim())?.[1]);
    // No match is NaN; a larger number is no version of ours (and would fail the statement as an integer).
    if (version <= MAX_VERSION) versions.push(version);
  }
  return { kind: "versions", versions };
}

/** Whether an `If-Match` (as parseIfMatch reads it) lets a write to this version go. */
export function ifMatchHolds(precondition: WritePrecondition, version: number): boolean {
  if (precondition === undefined || precondition.kind === "any") return true;
  return precondition.versions.includes(version);
}

/**
 * Whether `If-None-Match` lets the request go for a resource whose tag is `etag` (RFC 9110,
 * 13.1.2): yes without the header; no when it is `*` (the task exists) or names this tag. Weak
 * comparison: `W/"3"` names `"3"`.
 */
export function ifNoneMatchHolds(header: string | undefined, etag: string): boolean {
  if (header === undefined) return true;
  if (header.trim() === "*") return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return !header.split(",").some((tag) => opaque(tag) === opaque(etag));
}
