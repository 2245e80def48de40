"use client";
import { useEffect, useRef, useState } from "react";
import { BusyButton } from "@/components/busy-button";
import { messageKey } from "@/components/messages";
import { field, primaryButton } from "@/components/styles";
import type { Task, TaskChanges, TaskInput, VersionedTask } from "@/lib/api-client";
import { DescriptionField, endsComposition } from "./description-field";
import { isFocusLost } from "./focus";
import { lengthProblem } from "./length-problem";
import { PriorityOptions } from "./priority-options";

/**
 * How a save went: the editor closes, offers the newer version, offers to add
 * the edited task again (it was deleted elsewhere), or says what went wrong.
 */
export type SaveOutcome =
  | { ok: true }
  | { ok: false; conflict: VersionedTask }
  | { ok: false; deleted: true }
  | { ok: false; problem: string };

interface TaskRowProps {
  task: Task;
  today: string;
  onToggle(): void;
  onDelete(): void;
  /**
   * The task as stored now (null if it could not be read; the page says why, with `retry`).
   * `resuming` (an edit from before a sign-in): "deleted" if it was deleted elsewhere meanwhile.
   */
  loadForEdit(retry: () => void, resuming: boolean): Promise<VersionedTask | "deleted" | null>;
  /** Changes from an edit the end of the session interrupted: the editor reopens with them. */
  resume?: TaskChanges;
  /** An editor has opened with `resume`: the page lets it go. */
  onResumed?(): void;
  save(changes: TaskChanges, etag: string | null): Promise<SaveOutcome>;
  /** The edited task as a new one, when it was deleted elsewhere while being edited. */
  addAgain(fields: TaskInput): Promise<SaveOutcome>;
  /** It was deleted elsewhere, and the person lets their edit go: the task leaves the list. */
  forget(): void;
  /**
   * What the open editor would change, as the person types (null once it closes): kept by the
   * page, so that whatever action leads to sign-in brings the editor back with it afterwards.
   */
  onDraft(changes: TaskChanges | null): void;
  /** The editor closed without a save (Cancel, Escape, "Keep theirs", Save with nothing changed). */
  onClosedUnsaved?(): void;
}

const priorityBadge = {
  low: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  medium: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  high: "bg-rose-100 text-rose-900 dark:bg-rose-950 dark:text-rose-200",
} as const;

/** One task: completion checkbox, title (click to edit every field in place), badges, delete. */
export function TaskRow({
  task,
  today,
  onToggle,
  onDelete,
  loadForEdit,
  save,
  addAgain,
  forget,
  resume,
  onResumed,
  onDraft,
  onClosedUnsaved,
}: TaskRowProps) {
  const [editing, setEditing] = useState<EditorStart | "loading" | null>(null);
  const titleButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const overdue = !task.completed && task.due_date !== null && task.due_date < today;

  // When the editor closes, focus goes back to the title it was opened from.
  useEffect(() => {
    if (editing === null && returnFocus.current) {
      returnFocus.current = false;
      titleButton.current?.focus();
    }
  }, [editing]);

  // For the banner's Retry, which may come long after: the row as it is then.
  const editingNow = useRef(editing);
  editingNow.current = editing;
  const resumeNow = useRef(resume);
  resumeNow.current = resume;
  /** The row is on the page: an editor can open in it (a read answered after it left opens none). */
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  /**
   * Opens the editor on the task as stored now. Changes brought back from before a sign-in (`resume`)
   * stay with the page until an editor has opened with them: a failed read (the banner says so)
   * loses nothing, and the banner's Retry, Edit, or the row shown again opens it with them.
   */
  async function startEdit(draft = resumeNow.current) {
    // (The title's button keeps the focus while the task is read; the banner's Retry may start this from elsewhere.)
    const hadFocus = document.activeElement === titleButton.current;
    setEditing("loading");
    const current = await loadForEdit(() => {
      if (editingNow.current === null) void startEdit(); // (not over an editor opened since)
    }, draft !== undefined);
    if (current && draft && mounted.current) onResumed?.();
    if (current === "deleted") {
      // Deleted elsewhere while the person was signing in: their edit opens, to be added again or let go.
      return setEditing({ task, etag: null, draft, gone: true });
    }
    // Not opened (the banner says why): the focus goes back to the title, as when an editor closes,
    // unless the person has put it somewhere else meanwhile.
    if (!current && hadFocus && isFocusLost()) returnFocus.current = true;
    setEditing(current && { ...current, draft });
  }

  // When an interrupted edit is handed over, or the row is shown again with one not opened yet.
  // biome-ignore lint/correctness/useExhaustiveDependencies: startEdit changes every render
  useEffect(() => {
    if (resume) void startEdit(resume);
  }, [resume]);

  return (
    <li data-task-id={task.id} className="flex items-start gap-3 rounded-lg bg-white p-3 shadow-sm dark:bg-slate-900">
      <input
        type="checkbox"
        checked={task.completed}
        onChange={onToggle}
        // While the task is open for editing, its save carries the version it started from.
        disabled={editing !== null}
        aria-label={`Completed: “${task.title}”`}
        // A lighter fill in the dark: indigo-700 on the dark row is under the 3:1 WCAG asks of a state.
        className="mt-1 h-5 w-5 accent-indigo-700 dark:accent-indigo-400"
      />
      {editing && editing !== "loading" ? (
        <TaskEditor
          start={editing}
          save={save}
          addAgain={addAgain}
          onDraft={onDraft}
          onClose={(saved) => {
            returnFocus.current = true;
            setEditing(null);
            if (!saved) onClosedUnsaved?.();
          }}
          onForget={forget}
        />
      ) : (
        <>
          <div className="min-w-0 flex-1">
            <button
              ref={titleButton}
              type="button"
              // While the task is read: pressed again, nothing; not `disabled`, which would drop the focus
              // to the page's body (a screen reader may go back to the top) for the read's length.
              onClick={() => editing !== "loading" && startEdit()}
              aria-disabled={editing === "loading" || undefined}
              aria-busy={editing === "loading"}
              // A word longer than the row (a URL) breaks anywhere; a right-to-left title runs its own way.
              dir="auto"
              className={`block w-full text-left [overflow-wrap:anywhere] ${task.completed ? "text-slate-500 dark:text-slate-400" : ""}`}
              aria-label={`Edit “${task.title}”`}
            >
              {/* Struck through alone: a line drawn on the button would cross "Opening…" too. */}
              <span className={task.completed ? "line-through" : undefined}>{task.title}</span>
              {/* Seen, not only told (aria-busy): a read on a slow network can take seconds. */}
              {editing === "loading" && (
                <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">Opening…</span>
              )}
            </button>
            {task.description && (
              <p
                dir="auto"
                className="mt-0.5 whitespace-pre-line text-sm text-slate-600 [overflow-wrap:anywhere] dark:text-slate-400"
              >
                {task.description}
              </p>
            )}
            <div className="mt-1 flex flex-wrap gap-2 text-xs">
              <span className={`rounded px-1.5 py-0.5 ${priorityBadge[task.priority]}`}>{task.priority} priority</span>
              {task.due_date && (
                <span
                  className={`rounded px-1.5 py-0.5 ${overdue ? "bg-red-600 text-white" : "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300"}`}
                >
                  {overdue ? "Overdue: " : "Due "}
                  {task.due_date}
                </span>
              )}
            </div>
          </div>
          <button
            type="button"
            onClick={onDelete}
            aria-label={`Delete “${task.title}”`}
            className="rounded px-2 py-1 text-sm text-slate-600 hover:bg-red-50 hover:text-red-700 dark:text-slate-400 dark:hover:bg-red-950 dark:hover:text-red-300"
          >
            Delete
          </button>
        </>
      )}
    </li>
  );
}

/**
 * Every field of one task, edited where it is shown. Enter saves, Escape
 * cancels. Only the fields the person changed are sent, with the ETag of the
 * version they started from; the editor stays open until the save is done,
 * so a failure loses nothing, and a change made elsewhere meanwhile is shown
 * with the choice to save over it or keep it.
 */
/** What an editor opens on: the task as read (with its ETag), the person's changes, and whether it is gone. */
type EditorStart = VersionedTask & { draft?: TaskChanges; gone?: boolean };

function TaskEditor({
  start,
  save,
  addAgain,
  onDraft,
  onClose,
  onForget,
}: {
  start: EditorStart;
  save: TaskRowProps["save"];
  addAgain: TaskRowProps["addAgain"];
  onForget(): void;
  onDraft: TaskRowProps["onDraft"];
  /** `saved`: by a save that worked (which reloads the list), not by Cancel, Escape or "Keep theirs". */
  onClose(saved?: boolean): void;
}) {
  const { task, draft = {} } = start;
  /** The version the person's edits are made over: the starting one, or the newer one once shown. */
  const [base, setBase] = useState<Task>(task);
  const [title, setTitle] = useState(draft.title ?? task.title);
  const [description, setDescription] = useState(draft.description ?? task.description);
  const [priority, setPriority] = useState(draft.priority ?? task.priority);
  const [dueDate, setDueDate] = useState((draft.due_date === undefined ? task.due_date : draft.due_date) ?? "");
  /** The ETag the next save must match: the starting version's, or the newer one once shown. */
  const [etag, setEtag] = useState(start.etag);
  const [newer, setNewer] = useState<Task | null>(null);
  /** Deleted elsewhere while open: saving adds the edited task again instead. */
  const [gone, setGone] = useState(start.gone ?? false);
  /** What stops the save, said under the form and read with the field at fault (none: the save's own failure). */
  const [problem, setProblem] = useState<{ text: string; field?: "title" | "description" } | null>(null);
  const [saving, setSaving] = useState(false);

  /** The fields that differ from the version the edits are made over. */
  function changesMade(): TaskChanges {
    const changes: TaskChanges = {};
    if (title.trim() !== base.title) changes.title = title.trim();
    if (description !== base.description) changes.description = description;
    if (priority !== base.priority) changes.priority = priority;
    if ((dueDate || null) !== base.due_date) changes.due_date = dueDate || null;
    return changes;
  }

  /**
   * A newer version, saved elsewhere while the editor was open, becomes what the edits are made
   * over: each field the person left as it was shows the newer value, so that the form shows what
   * "Save mine anyway" stores (their change with the person's edits over it). Before, the form kept
   * the old value of a field the person had not touched, and the save stored the newer one; and
   * the old value, typed again to keep it, was no change and was never sent.
   */
  function showNewer(newer: Task) {
    // As the fields read now, not as they read when Save was pressed: typing goes on during a save.
    setTitle((typed) => (typed.trim() === base.title ? newer.title : typed));
    setDescription((typed) => (typed === base.description ? newer.description : typed));
    setPriority((chosen) => (chosen === base.priority ? newer.priority : chosen));
    setDueDate((chosen) => ((chosen || null) === base.due_date ? (newer.due_date ?? "") : chosen));
    setBase(newer);
    setNewer(newer);
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: changesMade reads exactly these
  useEffect(() => onDraft(changesMade()), [title, description, priority, dueDate, base]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, when the editor closes
  useEffect(() => () => onDraft(null), []);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    if (saving) return;
    if (!title.trim()) return setProblem({ text: "A task needs a title.", field: "title" });
    const tooLong = lengthProblem({ title, description });
    if (tooLong) return setProblem(tooLong);
    const changes = changesMade();
    if (Object.keys(changes).length === 0 && !gone) return onClose();
    setSaving(true);
    setProblem(null);
    let outcome = gone
      ? await addAgain({ title: title.trim(), description, priority, due_date: dueDate || null })
      : await save(changes, etag);
    // Changed elsewhere only where this editor does not look (completed on another device): saving
    // over it overwrites nothing of theirs, so it is saved onto their version rather than asked about.
    if ("conflict" in outcome && sameEditedFields(outcome.conflict.task, base)) {
      setBase(outcome.conflict.task);
      setEtag(outcome.conflict.etag);
      outcome = await save(changes, outcome.conflict.etag);
    }
    setSaving(false);
    if (outcome.ok) return onClose(true);
    if ("deleted" in outcome) return setGone(true);
    if ("conflict" in outcome) {
      showNewer(outcome.conflict.task);
      setEtag(outcome.conflict.etag);
      return;
    }
    setProblem({ text: outcome.problem });
  }

  const id = `edit-${task.id}`;
  return (
    <form
      onSubmit={submit}
      onKeyDown={(event) => {
        // Not while an input method is composing: there Escape cancels the composition, not the edit.
        if (event.key === "Escape" && !saving && !endsComposition(event.nativeEvent)) (gone ? onForget : onClose)();
      }}
      aria-label={`Edit “${task.title}”`}
      aria-busy={saving}
      className="grid min-w-0 flex-1 gap-2"
    >
      <label htmlFor={`${id}-title`} className="sr-only">
        Task title
      </label>
      <input
        id={`${id}-title`}
        dir="auto"
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        aria-invalid={problem?.field === "title" ? true : undefined}
        aria-describedby={problem && problem.field !== "description" ? `${id}-problem` : undefined}
        className={`${field} py-1`}
        // biome-ignore lint/a11y/noAutofocus: the person just asked to edit this task
        autoFocus
      />
      <label htmlFor={`${id}-description`} className="sr-only">
        Task description
      </label>
      <DescriptionField
        id={`${id}-description`}
        value={description}
        onChange={setDescription}
        placeholder="Description (optional)"
        aria-invalid={problem?.field === "description" ? true : undefined}
        aria-describedby={problem?.field === "description" ? `${id}-problem` : undefined}
        className={`${field} resize-y py-1 text-sm`}
      />
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={`${id}-priority`} className="sr-only">
          Task priority
        </label>
        <select
          id={`${id}-priority`}
          value={priority}
          onChange={(event) => setPriority(event.target.value as Task["priority"])}
          className={`${field} py-1 text-sm`}
        >
          <PriorityOptions />
        </select>
        <label htmlFor={`${id}-due`} className="text-sm text-slate-600 dark:text-slate-400">
          Due
        </label>
        <input
          id={`${id}-due`}
          aria-label="Task due date"
          type="date"
          value={dueDate}
          onChange={(event) => setDueDate(event.target.value)}
          className={`${field} py-1 text-sm`}
        />
        <BusyButton type="submit" busy={saving} className={`${primaryButton} py-1 text-sm`}>
          {saving ? "Saving…" : gone ? "Add it again" : newer ? "Save mine anyway" : "Save"}
        </BusyButton>
        <BusyButton
          type="button"
          onClick={gone ? onForget : () => onClose()}
          busy={saving}
          className="rounded-md px-3 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
        >
          {gone ? "Discard" : newer ? "Keep theirs" : "Cancel"}
        </BusyButton>
      </div>
      {newer && (
        <p role="alert" className="text-sm text-amber-800 [overflow-wrap:anywhere] dark:text-amber-200">
          This task was changed elsewhere while you were editing. It now reads “{newer.title}”
          {newer.description ? ` (${newer.description})` : ""}, {newer.priority} priority
          {newer.due_date ? `, due ${newer.due_date}` : ""}. Your edits are still here; what you had not changed shows
          theirs.
        </p>
      )}
      {gone && (
        <p role="alert" className="text-sm text-amber-800 [overflow-wrap:anywhere] dark:text-amber-200">
          This task was deleted in another tab or on another device while you were editing. Your version is still here:
          “Add it again” keeps it as a new task.
        </p>
      )}
      {problem && (
        <p
          // A new element for each problem (each a new object): the same words set again are read out again.
          key={messageKey(problem)}
          id={`${id}-problem`}
          role="alert"
          className="text-sm text-red-700 [overflow-wrap:anywhere] dark:text-red-300"
        >
          {problem.text}
        </p>
      )}
    </form>
  );
}

/** Whether two versions of a task read the same in every field the editor shows. */
function sameEditedFields(one: Task, other: Task): boolean {
  return (
    one.title === other.title &&
    one.description === other.description &&
    one.priority === other.priority &&
    one.due_date === other.due_date
  );
}
