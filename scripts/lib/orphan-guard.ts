/**
 * What `npm start` started must not outlive it. Its own stop (Ctrl-C, SIGTERM, SIGHUP, an app that
 * exits) stops the apps, then the database; but a launcher killed with SIGKILL (by the OOM killer,
 * `kill -9`) runs no code, and its apps and PostgreSQL ran on, holding their ports: the next start
 * refused ("port … is already in use").
 *
 * So a small shell process watches the launcher through a pipe that only the launcher can write
 * to: when the pipe closes without a word, however the launcher ended, the shell stops what it
 * was told of and is still running, in the launcher's order: the apps (SIGTERM, SIGKILL after
 * 10 s), then PostgreSQL (SIGINT, its fast shutdown). A shell, not Node.js: it costs a megabyte,
 * not forty. (It waits in whole seconds: not every `sleep` takes a fraction.)
 */
import { spawn } from "node:child_process";
import type { Socket } from "node:net";

/**
 * Reads "app <pid>", "database <pid>" and "gone <pid>" (it has exited: its pid may be another
 * process's soon) until the pipe closes; "released" ends it quietly. It ignores SIGINT and SIGHUP,
 * which a Ctrl-C or a closed terminal sends every process of the group: the launcher stops
 * everything then, and should it be killed while doing so, the guard is still there.
 */
const GUARD_SCRIPT = `
trap '' INT HUP
apps=""; database=""
without() { kept=""; for p in $1; do [ "$p" = "$2" ] || kept="$kept $p"; done; echo "$kept"; }
while read -r what pid; do
  case "$what" in
    app) apps="$apps $pid" ;;
    database) database="$pid" ;;
    gone) apps=$(without "$apps" "$pid"); [ "$database" = "$pid" ] && database="" ;;
    released) exit 0 ;;
  esac
done
alive() { for p in $apps; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
for p in $apps; do kill -TERM "$p" 2>/dev/null; done
waited=0
while alive && [ "$waited" -lt 10 ]; do sleep 1; waited=$((waited + 1)); done
for p in $apps; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
[ -n "$database" ] && kill -INT "$database" 2>/dev/null
exit 0
`;

export interface OrphanGuard {
  /** Stop this process too should the launcher end without stopping it (unless it has exited by then). */
  watch(kind: "app" | "database", pid: number | undefined, exited: Promise<unknown>): void;
  /** Everything was stopped the launcher's own way: the guard ends without a stop of its own. */
  release(): void;
}

export function startOrphanGuard(log: (message: string) => void): OrphanGuard {
  const guard = spawn("sh", ["-c", GUARD_SCRIPT], { stdio: ["pipe", "ignore", "ignore"] });
  // Without a shell (not a system this runs on): said, and the product runs unguarded.
  guard.on("error", (error) =>
    log(`cannot watch for the launcher's end (${error.message}): a kill -9 would leave the apps running`),
  );
  // (A guard gone all the same, killed from outside: nothing to tell it.)
  guard.stdin?.on("error", () => {});
  // Neither the guard nor its pipe keeps this process running.
  guard.unref();
  (guard.stdin as Socket | null)?.unref();
  const say = (line: string) => {
    if (guard.stdin?.writable) guard.stdin.write(`${line}\n`);
  };
  return {
    watch: (kind, pid, exited) => {
      if (pid === undefined) return;
      say(`${kind} ${pid}`);
      void exited.then(() => say(`gone ${pid}`));
    },
    release: () => {
      say("released");
      guard.stdin?.end();
    },
  };
}
