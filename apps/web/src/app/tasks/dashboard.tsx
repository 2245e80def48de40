"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { field, primaryButton } from "@/components/styles";
import {
  ApiError,
  ChangedElsewhereError,
  SignedOutError,
  type Task,
  TaskApiClient,
  type TaskInput,
  UnavailableError,
} from "@/lib/api-client";
import { authClient } from "@/lib/auth-client";
import { TaskRow } from "./task-row";

type Status = "all" | "pending" | "completed";
type Sort = "created" | "due" | "priority" | "title";

const STATUS_LABELS = { all: "All", pending: "Pending", completed: "Completed" } as const;
const DRAFT_KEY = "tasks:draft";
const AUTH_CHANNEL = "tasks:auth";
const UNDO_MS = 5_000;

interface DashboardProps {
  apiUrl: string;
  userId: string;
  email: string;
}

export function Dashboard({ apiUrl, userId, email }: DashboardProps) {
  const api = useMemo(() => new TaskApiClient(apiUrl, userId), [apiUrl, userId]);
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [counts, setCounts] = useState({ all: 0, pending: 0, completed: 0 });
  const [status, setStatus] = useState<Status>("all");
  const [sort, setSort] = useState<Sort>("created");
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ text: string; action?: { label: string; run: () => void } } | null>(null);
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [priority, setPriority] = useState<TaskInput["priority"]>("medium");
  const [dueDate, setDueDate] = useState("");
  const [saving, setSaving] = useState(false);
  /** Another tab signed out: the next action here leads to sign-in (keeping the draft). */
  const [signedOutElsewhere, setSignedOutElsewhere] = useState(false);
  const pendingDeletes = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  /** ETags read when an edit starts: the save must not overwrite a change made elsewhere meanwhile. */
  const editEtags = useRef(new Map<string, string | null>());

  // The latest typed text, read when leaving for sign-in; a ref, so that
  // typing does not re-create the callbacks below (and re-fetch the list).
  const draft = useRef({ title: "", description: "" });
  draft.current = { title, description };

  /** Keep what the person typed, then send them to sign in and back here. */
  const goToSignIn = useCallback(() => {
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft.current));
    window.location.assign("/sign-in?next=/tasks");
  }, []);

  const handle = useCallback(
    (failure: unknown, what: string) => {
      if (failure instanceof SignedOutError) return goToSignIn();
      if (failure instanceof UnavailableError) return setError(failure.message);
      if (failure instanceof ApiError) return setError(`${what}: ${failure.errors?.[0]?.message ?? failure.message}`);
      setError(`${what}: something went wrong.`);
    },
    [goToSignIn],
  );

  const refresh = useCallback(async () => {
    try {
      const [page, pending, completed] = await Promise.all([
        api.list({ status, sort, q: query, limit: 100 }),
        api.list({ status: "pending", limit: 1 }),
        api.list({ status: "completed", limit: 1 }),
      ]);
      setTasks(page.tasks.filter((task) => !pendingDeletes.current.has(task.id)));
      setCounts({ all: pending.total + completed.total, pending: pending.total, completed: completed.total });
      setError(null);
    } catch (failure) {
      handle(failure, "Could not load your tasks");
    }
  }, [api, status, sort, query, handle]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Search as the person types, without a request per keystroke.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  // A draft kept across a sign-in comes back; a sign-out in another tab is followed at once.
  useEffect(() => {
    const draft = sessionStorage.getItem(DRAFT_KEY);
    if (draft) {
      const kept = JSON.parse(draft) as { title?: string; description?: string };
      setTitle(kept.title ?? "");
      setDescription(kept.description ?? "");
      sessionStorage.removeItem(DRAFT_KEY);
    }
    const channel = new BroadcastChannel(AUTH_CHANNEL);
    channel.onmessage = (event) => {
      if (event.data === "signed-out") setSignedOutElsewhere(true);
    };
    return () => channel.close();
  }, []);

  async function addTask(event: React.FormEvent) {
    event.preventDefault();
    if (signedOutElsewhere) return goToSignIn();
    if (!title.trim()) return setError("Give the task a title.");
    setSaving(true);
    try {
      const created = await api.create({
        title,
        description,
        priority,
        due_date: dueDate || null,
      });
      setTitle("");
      setDescription("");
      setDueDate("");
      setPriority("medium");
      setTasks((current) => (current ? [created, ...current] : [created]));
      setCounts((c) => ({ ...c, all: c.all + 1, pending: c.pending + 1 }));
      setError(null);
    } catch (failure) {
      handle(failure, "Could not add the task");
    } finally {
      setSaving(false);
    }
  }

  /** Shows this version of a task in place of the one with its id. */
  function putTask(task: Task) {
    setTasks((current) => current?.map((t) => (t.id === task.id ? task : t)) ?? null);
  }

  /** Flips at once; puts it back with a message if the API refuses. */
  async function toggleTask(task: Task) {
    if (signedOutElsewhere) return goToSignIn();
    const before = tasks;
    putTask({ ...task, completed: !task.completed });
    try {
      putTask(await api.toggle(task.id));
      // Counts and the current filter change with it.
      void refresh();
    } catch (failure) {
      setTasks(before);
      handle(failure, "Could not update the task");
    }
  }

  /** Reads the task afresh when an edit starts, keeping its ETag for the save. */
  async function startEdit(id: string) {
    try {
      const { task, etag } = await api.get(id);
      editEtags.current.set(id, etag);
      putTask(task);
    } catch (failure) {
      handle(failure, "Could not load the task");
    }
  }

  async function rename(task: Task, newTitle: string) {
    if (signedOutElsewhere) return goToSignIn();
    const etag = editEtags.current.get(task.id);
    editEtags.current.delete(task.id);
    const before = tasks;
    putTask({ ...task, title: newTitle });
    try {
      putTask(await api.update(task.id, { title: newTitle }, etag));
    } catch (failure) {
      if (failure instanceof ChangedElsewhereError) {
        // Show the current version, and keep the person's text one click away.
        const current = failure.current;
        if (current) putTask(current);
        else setTasks(before);
        setNotice({
          text: `This task was changed elsewhere; showing the current version. Your title was “${newTitle}”.`,
          action: {
            label: "Use my title",
            run: () => {
              setNotice(null);
              void rename(current ?? task, newTitle);
            },
          },
        });
        return;
      }
      setTasks(before);
      handle(failure, "Could not rename the task");
    }
  }

  function deleteTask(task: Task) {
    if (signedOutElsewhere) return goToSignIn();
    setTasks((current) => current?.filter((t) => t.id !== task.id) ?? null);
    const timer = setTimeout(async () => {
      pendingDeletes.current.delete(task.id);
      try {
        await api.remove(task.id);
        void refresh();
      } catch (failure) {
        if (!(failure instanceof ApiError && failure.status === 404)) {
          setTasks((current) => (current ? [task, ...current] : [task]));
          handle(failure, "Could not delete the task");
        }
      }
    }, UNDO_MS);
    pendingDeletes.current.set(task.id, timer);
    setNotice({
      text: `Deleted “${task.title}”.`,
      action: {
        label: "Undo",
        run: () => {
          clearTimeout(timer);
          pendingDeletes.current.delete(task.id);
          setNotice(null);
          void refresh();
        },
      },
    });
  }

  async function signOut() {
    await authClient.signOut();
    new BroadcastChannel(AUTH_CHANNEL).postMessage("signed-out");
    window.location.assign("/sign-in");
  }

  const today = new Date().toISOString().slice(0, 10);

  return (
    <div className="mx-auto max-w-3xl px-4 py-6 sm:py-10">
      <header className="mb-6 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Tasks</h1>
        <div className="flex items-center gap-3 text-sm">
          <span className="text-slate-700 dark:text-slate-300" data-testid="signed-in-email">
            {email}
          </span>
          <button
            type="button"
            onClick={signOut}
            className="rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            Sign out
          </button>
        </div>
      </header>

      {signedOutElsewhere && (
        <p
          role="alert"
          className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
          You signed out in another tab. Your next action will take you to sign in; what you typed is kept.
        </p>
      )}

      <form
        onSubmit={addTask}
        className="mb-6 space-y-3 rounded-lg bg-white p-4 shadow-sm dark:bg-slate-900"
        aria-label="Add a task"
      >
        <div className="flex gap-2">
          <label htmlFor="new-title" className="sr-only">
            New task title
          </label>
          <input
            id="new-title"
            value={title}
            onChange={(event) => setTitle(event.target.value)}
            placeholder="What needs doing?"
            maxLength={200}
            className={`${field} flex-1`}
            autoComplete="off"
          />
          <button type="submit" disabled={saving} className={primaryButton}>
            {saving ? "Adding…" : "Add task"}
          </button>
        </div>
        <div className="grid gap-2 sm:grid-cols-[1fr_auto_auto]">
          <label className="sr-only" htmlFor="new-description">
            Description
          </label>
          <input
            id="new-description"
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            placeholder="Description (optional)"
            maxLength={1000}
            className={field}
          />
          <label className="sr-only" htmlFor="new-priority">
            Priority
          </label>
          <select
            id="new-priority"
            value={priority}
            onChange={(event) => setPriority(event.target.value as TaskInput["priority"])}
            className={field}
          >
            <option value="low">Low priority</option>
            <option value="medium">Medium priority</option>
            <option value="high">High priority</option>
          </select>
          <label className="sr-only" htmlFor="new-due">
            Due date
          </label>
          <input
            id="new-due"
            type="date"
            value={dueDate}
            onChange={(event) => setDueDate(event.target.value)}
            className={field}
          />
        </div>
      </form>

      <div className="mb-4 flex flex-wrap items-center gap-2">
        <div
          role="tablist"
          aria-label="Filter tasks"
          className="flex rounded-md border border-slate-300 dark:border-slate-700"
        >
          {(["all", "pending", "completed"] as const).map((value) => (
            <button
              key={value}
              type="button"
              role="tab"
              aria-selected={status === value}
              onClick={() => setStatus(value)}
              className={`px-3 py-1.5 text-sm ${status === value ? "bg-indigo-700 text-white" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
            >
              {STATUS_LABELS[value]} ({counts[value]})
            </button>
          ))}
        </div>
        <label htmlFor="search" className="sr-only">
          Search tasks
        </label>
        <input
          id="search"
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="Search"
          className={`${field} flex-1 py-1.5`}
        />
        <label htmlFor="sort" className="sr-only">
          Sort by
        </label>
        <select
          id="sort"
          value={sort}
          onChange={(event) => setSort(event.target.value as Sort)}
          className={`${field} py-1.5`}
        >
          <option value="created">Newest first</option>
          <option value="due">Due date</option>
          <option value="priority">Priority</option>
          <option value="title">Title A–Z</option>
        </select>
      </div>

      {error && (
        <div
          role="alert"
          data-testid="error"
          className="mb-4 flex items-center justify-between gap-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          <span>{error}</span>
          <button type="button" onClick={() => void refresh()} className="font-medium underline">
            Retry
          </button>
        </div>
      )}

      {tasks === null ? (
        <ul aria-label="Loading tasks" className="space-y-2">
          {[0, 1, 2].map((n) => (
            <li key={n} className="h-14 animate-pulse rounded-lg bg-slate-200 dark:bg-slate-800" />
          ))}
        </ul>
      ) : tasks.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 p-8 text-center text-slate-600 dark:border-slate-700 dark:text-slate-400">
          {query || status !== "all" ? "No tasks match." : "No tasks yet. Add your first one above."}
        </p>
      ) : (
        <ul aria-label="Your tasks" className="space-y-2">
          {tasks.map((task) => (
            <TaskRow
              key={task.id}
              task={task}
              today={today}
              onToggle={() => toggleTask(task)}
              onStartEdit={() => startEdit(task.id)}
              onRename={(newTitle) => rename(task, newTitle)}
              onDelete={() => deleteTask(task)}
            />
          ))}
        </ul>
      )}

      {notice && (
        <div
          role="status"
          className="fixed inset-x-0 bottom-4 mx-auto flex w-fit items-center gap-4 rounded-md bg-slate-900 px-4 py-2 text-sm text-white shadow-lg dark:bg-slate-100 dark:text-slate-900"
        >
          <span>{notice.text}</span>
          {notice.action && (
            <button type="button" onClick={notice.action.run} className="font-semibold underline">
              {notice.action.label}
            </button>
          )}
          <button type="button" aria-label="Dismiss" onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}
    </div>
  );
}
