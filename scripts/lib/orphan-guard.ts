/**
 * What `npm start` started must not outlive it. Its own stop (Ctrl-C, SIGTERM, SIGHUP, an app that
 * exits) stops the apps, then the database; but a launcher killed with SIGKILL (by the OOM killer,
 * `kill -9`) runs no code, and its apps and PostgreSQL ran on, holding their ports: the next start
 * refused ("port … is already in use").
 *
 * So a small shell process watches the launcher through a pipe that only the launcher can write
 * to: when the pipe closes without a word, however the launcher ended, the shell stops what it
 * was told of, in the launcher's order: the apps (SIGTERM, SIGKILL after 10 s), then PostgreSQL
 * (SIGINT, its fast shutdown). A shell, not Node.js: it costs a megabyte, not forty.
 */
import { spawn } from "node:child_process";
import type { Socket } from "node:net";

/** Reads "app <pid>" and "database <pid>" lines until the pipe closes; "released" ends it quietly. */
const GUARD_SCRIPT = `
apps=""; database=""
while read -r what pid; do
  case "$what" in
    app) apps="$apps $pid" ;;
    database) database="$pid" ;;
    released) exit 0 ;;
  esac
done
alive() { for pid in $apps; do kill -0 "$pid" 2>/dev/null && return 0; done; return 1; }
[ -n "$apps" ] && kill -TERM $apps 2>/dev/null
waited=0
while alive && [ "$waited" -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
[ -n "$apps" ] && kill -KILL $apps 2>/dev/null
[ -n "$database" ] && kill -INT "$database" 2>/dev/null
exit 0
`;

export interface OrphanGuard {
  /** Stop this process too should the launcher end without stopping it. */
  watch(kind: "app" | "database", pid: number | undefined): void;
  /** Everything was stopped the launcher's own way: the guard ends without a stop of its own. */
  release(): void;
}

export function startOrphanGuard(): OrphanGuard {
  const guard = spawn("sh", ["-c", GUARD_SCRIPT], { stdio: ["pipe", "ignore", "ignore"] });
  // Without a shell (not a system this runs on), or once the guard has gone (a Ctrl-C reaches every
  // process of the terminal's group, and the launcher's own stop follows): nothing to do.
  guard.on("error", () => {});
  guard.stdin?.on("error", () => {});
  // Neither the guard nor its pipe keeps this process running.
  guard.unref();
  (guard.stdin as Socket | null)?.unref();
  const say = (line: string) => {
    if (guard.stdin?.writable) guard.stdin.write(`${line}\n`);
  };
  return {
    watch: (kind, pid) => {
      if (pid !== undefined) say(`${kind} ${pid}`);
    },
    release: () => {
      say("released");
      guard.stdin?.end();
    },
  };
}
