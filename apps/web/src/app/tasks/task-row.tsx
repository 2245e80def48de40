"use client";
import { useState } from "react";
import { field, primaryButton } from "@/components/styles";
import type { Task, TaskChanges } from "@/lib/api-client";

interface TaskRowProps {
  task: Task;
  today: string;
  onToggle(): void;
  onStartEdit(): void;
  onSave(changes: TaskChanges): void;
  onDelete(): void;
}

const priorityBadge = {
  low: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  medium: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  high: "bg-rose-100 text-rose-900 dark:bg-rose-950 dark:text-rose-200",
} as const;

/** One task: completion checkbox, title (click to edit every field in place), badges, delete. */
export function TaskRow({ task, today, onToggle, onStartEdit, onSave, onDelete }: TaskRowProps) {
  const [editing, setEditing] = useState(false);
  const overdue = !task.completed && task.due_date !== null && task.due_date < today;

  return (
    <li className="flex items-start gap-3 rounded-lg bg-white p-3 shadow-sm dark:bg-slate-900">
      <input
        type="checkbox"
        checked={task.completed}
        onChange={onToggle}
        aria-label={`Mark “${task.title}” as ${task.completed ? "pending" : "completed"}`}
        className="mt-1 h-5 w-5 accent-indigo-700"
      />
      {editing ? (
        <TaskEditor
          task={task}
          onDone={(changes) => {
            setEditing(false);
            if (changes) onSave(changes);
          }}
        />
      ) : (
        <>
          <div className="min-w-0 flex-1">
            <button
              type="button"
              onClick={() => {
                setEditing(true);
                onStartEdit();
              }}
              className={`block w-full text-left ${task.completed ? "text-slate-500 line-through dark:text-slate-400" : ""}`}
              aria-label={`Edit “${task.title}”`}
            >
              {task.title}
            </button>
            {task.description && (
              <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">{task.description}</p>
            )}
            <div className="mt-1 flex flex-wrap gap-2 text-xs">
              <span className={`rounded px-1.5 py-0.5 ${priorityBadge[task.priority]}`}>{task.priority}</span>
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
            className="rounded px-2 py-1 text-sm text-slate-600 hover:bg-red-50 hover:text-red-700 dark:text-slate-400 dark:hover:bg-red-950"
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
 * cancels; only the fields the person changed are sent.
 */
function TaskEditor({ task: shown, onDone }: { task: Task; onDone(changes: TaskChanges | null): void }) {
  // Compared with the task as it was when editing began: a field changed
  // elsewhere meanwhile is not sent back unless the person changed it too.
  const [task] = useState(shown);
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description);
  const [priority, setPriority] = useState(task.priority);
  const [dueDate, setDueDate] = useState(task.due_date ?? "");
  const [problem, setProblem] = useState<string | null>(null);

  function save(event: React.FormEvent) {
    event.preventDefault();
    if (!title.trim()) return setProblem("A task needs a title.");
    const changes: TaskChanges = {};
    if (title.trim() !== task.title) changes.title = title.trim();
    if (description !== task.description) changes.description = description;
    if (priority !== task.priority) changes.priority = priority;
    if ((dueDate || null) !== task.due_date) changes.due_date = dueDate || null;
    onDone(Object.keys(changes).length > 0 ? changes : null);
  }

  const id = `edit-${task.id}`;
  return (
    <form
      onSubmit={save}
      onKeyDown={(event) => {
        if (event.key === "Escape") onDone(null);
      }}
      aria-label={`Edit “${task.title}”`}
      className="grid min-w-0 flex-1 gap-2"
    >
      <label htmlFor={`${id}-title`} className="sr-only">
        Task title
      </label>
      <input
        id={`${id}-title`}
        value={title}
        onChange={(event) => setTitle(event.target.value)}
        maxLength={200}
        aria-invalid={problem !== null}
        aria-describedby={problem ? `${id}-problem` : undefined}
        className={`${field} py-1`}
        // biome-ignore lint/a11y/noAutofocus: the person just asked to edit this task
        autoFocus
      />
      <label htmlFor={`${id}-description`} className="sr-only">
        Task description
      </label>
      <input
        id={`${id}-description`}
        value={description}
        onChange={(event) => setDescription(event.target.value)}
        placeholder="Description (optional)"
        maxLength={1000}
        className={`${field} py-1 text-sm`}
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
          <option value="low">Low priority</option>
          <option value="medium">Medium priority</option>
          <option value="high">High priority</option>
        </select>
        <label htmlFor={`${id}-due`} className="sr-only">
          Task due date
        </label>
        <input
          id={`${id}-due`}
          type="date"
          value={dueDate}
          onChange={(event) => setDueDate(event.target.value)}
          className={`${field} py-1 text-sm`}
        />
        <button type="submit" className={`${primaryButton} py-1 text-sm`}>
          Save
        </button>
        <button
          type="button"
          onClick={() => onDone(null)}
          className="rounded-md px-3 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
        >
          Cancel
        </button>
      </div>
      {problem && (
        <p id={`${id}-problem`} className="text-sm text-red-700 dark:text-red-300">
          {problem}
        </p>
      )}
    </form>
  );
}
