/**
 * A timeout whose time stops while it is held and goes on, with what was
 * left, when let go: the undo window waits while the person is pointing at
 * its notice or has the focus in it (WCAG 2.2.1, timing adjustable), as
 * Radix's own toast timer does. Holding and letting go twice is harmless.
 */
export interface Countdown {
  hold(): void;
  release(): void;
  /** Never runs, held or not. */
  cancel(): void;
}

export function startCountdown(run: () => void, ms: number): Countdown {
  let left = ms;
  let startedAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  const start = () => {
    startedAt = Date.now();
    timer = setTimeout(() => {
      done = true;
      run();
    }, left);
  };
  start();
  return {
    hold() {
      if (done || timer === undefined) return;
      clearTimeout(timer);
      timer = undefined;
      left = Math.max(0, left - (Date.now() - startedAt));
    },
    release() {
      if (!done && timer === undefined) start();
    },
    cancel() {
      done = true;
      clearTimeout(timer);
    },
  };
}
