"use client";
import { useEffect, useState } from "react";
import { OutcomeMessage } from "@/components/messages";
import { keepUndoUntilClosed, undoUntilClosed } from "@/lib/undo-window";
import { Section } from "./section";

/**
 * How long Undo lasts after a task is deleted, for this browser (lib/undo-window.ts): 5 seconds, or
 * until the notice is closed. Saved as it is ticked.
 */
export function UndoSection() {
  /** Read once the page runs in the browser (the server cannot know this browser's choice). */
  const [untilClosed, setUntilClosed] = useState<boolean | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => setUntilClosed(undoUntilClosed()), []);

  function choose(on: boolean) {
    if (!keepUndoUntilClosed(on)) {
      setOutcome({ ok: false, text: "This browser keeps no settings (its storage is off or full): nothing changed." });
      return;
    }
    setUntilClosed(on);
    setOutcome({ ok: true, text: on ? "Undo now stays until you close it." : "Undo now lasts 5 seconds." });
  }

  return (
    <Section id="undo" title="Undo after a delete">
      <p className="text-sm text-slate-700 dark:text-slate-300">
        When you delete a task, the page offers Undo for 5 seconds (paused while you point at it or it has the focus; F8
        takes you there).
      </p>
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          checked={untilClosed ?? false}
          disabled={untilClosed === null}
          onChange={(event) => choose(event.currentTarget.checked)}
          aria-describedby="undo-hint"
          className="mt-0.5 size-4"
        />
        <span>Keep Undo until I close it</span>
      </label>
      <p id="undo-hint" className="text-xs text-slate-600 dark:text-slate-400">
        The task is then deleted, and leaves your other devices, when you close the notice, delete another task or leave
        the page. This is kept in this browser only.
      </p>
      <OutcomeMessage outcome={outcome} />
    </Section>
  );
}
