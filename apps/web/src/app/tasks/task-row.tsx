"use client";
import { useState } from "react";
import { field } from "@/components/styles";
import type { Task } from "@/lib/api-client";

interface TaskRowProps {
  task: Task;
  today: string;
  onToggle(): void;
  onStartEdit(): void;
  onRename(title: string): void;
  onDelete(): void;
}

const priorityBadge = {
  low: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
  medium: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  high: "bg-rose-100 text-rose-900 dark:bg-rose-950 dark:text-rose-200",
} as const;

/** One task: completion checkbox, title (click to edit in place), badges, delete. */
export function TaskRow({ task, today, onToggle, onStartEdit, onRename, onDelete }: TaskRowProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(task.title);
  const overdue = !task.completed && task.due_date !== null && task.due_date < today;

  function save() {
    setEditing(false);
    const next = draft.trim();
    if (next && next !== task.title) onRename(next);
    else setDraft(task.title);
  }

  return (
    <li className="flex items-start gap-3 rounded-lg bg-white p-3 shadow-sm dark:bg-slate-900">
      <input
        type="checkbox"
        checked={task.completed}
        onChange={onToggle}
        aria-label={`Mark “${task.title}” as ${task.completed ? "pending" : "completed"}`}
        className="mt-1 h-5 w-5 accent-indigo-700"
      />
      <div className="min-w-0 flex-1">
        {editing ? (
          <input
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            onBlur={save}
            onKeyDown={(event) => {
              if (event.key === "Enter") save();
              if (event.key === "Escape") {
                setDraft(task.title);
                setEditing(false);
              }
            }}
            aria-label="Task title"
            maxLength={200}
            className={`${field} w-full py-1`}
            // biome-ignore lint/a11y/noAutofocus: the person just asked to edit this title
            autoFocus
          />
        ) : (
          <button
            type="button"
            onClick={() => {
              setDraft(task.title);
              setEditing(true);
              onStartEdit();
            }}
            className={`block w-full text-left ${task.completed ? "text-slate-500 line-through dark:text-slate-400" : ""}`}
            aria-label={`Edit “${task.title}”`}
          >
            {task.title}
          </button>
        )}
        {task.description && <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">{task.description}</p>}
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
    </li>
  );
}
