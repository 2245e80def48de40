"use client";
import type { Ref } from "react";
import { BusyButton } from "@/components/busy-button";
import { errorBox, field, primaryButton } from "@/components/styles";
import type { Priority, TaskInput } from "@/lib/api-client";
import { DescriptionField } from "./description-field";
import { PriorityOptions } from "./priority-options";

/** What the person is typing for a new task (kept across a sign-in). */
export interface NewTask {
  title: string;
  description: string;
  priority: Priority;
  /** YYYY-MM-DD, or "" for none. */
  due_date: string;
}

export const EMPTY_NEW_TASK: NewTask = { title: "", description: "", priority: "medium", due_date: "" };

/** The task the form asks for, as the API takes it (no date: null). */
export function inputOf(draft: NewTask): TaskInput {
  return { ...draft, due_date: draft.due_date || null };
}

/** Whether `draft` asks for the task that `body` (an add's, JSON of inputOf) was sent for. */
export function holdsAdd(draft: NewTask, body: string): boolean {
  return JSON.stringify(inputOf(draft)) === body;
}

interface AddTaskFormProps {
  ref?: Ref<HTMLFormElement>;
  value: NewTask;
  onChange(value: NewTask): void;
  onSubmit(event: React.FormEvent): void;
  saving: boolean;
  /** What is wrong with it as typed, said under it and read with the field at fault; null when nothing is. */
  problem: AddProblem | null;
}

/** What is wrong with the new task as typed, and which field it is in. */
export interface AddProblem {
  text: string;
  field: "title" | "description";
}

/** Keyboard first: type a title and press Enter; the other fields are optional. */
export function AddTaskForm({ ref, value, onChange, onSubmit, saving, problem }: AddTaskFormProps) {
  const set = <K extends keyof NewTask>(key: K, to: NewTask[K]) => onChange({ ...value, [key]: to });
  return (
    <form
      ref={ref}
      onSubmit={onSubmit}
      className="mb-6 space-y-3 rounded-lg bg-white p-4 shadow-sm dark:bg-slate-900"
      aria-label="Add a task"
    >
      <div className="flex gap-2">
        <label htmlFor="new-title" className="sr-only">
          New task title
        </label>
        <input
          id="new-title"
          dir="auto"
          value={value.title}
          onChange={(event) => set("title", event.target.value)}
          placeholder="What needs doing?"
          // min-w-0: a field's own width (about 190 px) would not let the row fit a 320 px screen.
          className={`${field} min-w-0 flex-1`}
          autoComplete="off"
          aria-invalid={problem?.field === "title" ? true : undefined}
          aria-describedby={problem?.field === "title" ? "new-task-problem" : undefined}
        />
        <BusyButton type="submit" busy={saving} className={primaryButton}>
          {saving ? "Adding…" : "Add task"}
        </BusyButton>
      </div>
      <div className="grid gap-2 sm:grid-cols-[1fr_auto_auto]">
        <label className="sr-only" htmlFor="new-description">
          Description
        </label>
        <DescriptionField
          id="new-description"
          value={value.description}
          onChange={(description) => set("description", description)}
          placeholder="Description (optional)"
          className={`${field} resize-y`}
          aria-invalid={problem?.field === "description" ? true : undefined}
          aria-describedby={problem?.field === "description" ? "new-task-problem" : undefined}
        />
        <label className="sr-only" htmlFor="new-priority">
          Priority
        </label>
        <select
          id="new-priority"
          value={value.priority}
          onChange={(event) => set("priority", event.target.value as Priority)}
          className={field}
        >
          <PriorityOptions />
        </select>
        {/* Labelled where it is seen: an empty date field shows only "mm/dd/yyyy". */}
        <div className="flex items-center gap-2">
          <label className="text-sm text-slate-600 dark:text-slate-400" htmlFor="new-due">
            Due
          </label>
          <input
            id="new-due"
            type="date"
            aria-label="Due date"
            value={value.due_date}
            onChange={(event) => set("due_date", event.target.value)}
            className={`${field} min-w-0 flex-1`}
          />
        </div>
      </div>
      {problem && (
        <p id="new-task-problem" role="alert" data-testid="add-problem" className={errorBox}>
          {problem.text}
        </p>
      )}
    </form>
  );
}
