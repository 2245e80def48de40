"use client";
import * as Tabs from "@radix-ui/react-tabs";
import { LIST_LIMIT_MAX, type ListStatus } from "@tasks/task-schema/limits";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { announce } from "@/components/announcer";
import { ApiError, SignedOutError, type Task, TaskApiClient, type TaskChanges, type TaskInput } from "@/lib/api-client";
import { signOutThisBrowser } from "@/lib/sign-out";
import { listenForSignOutElsewhere } from "@/lib/signed-out-channel";
import { type AddProblem, AddTaskForm, EMPTY_NEW_TASK, holdsAdd, inputOf, type NewTask } from "./add-task-form";
import { DashboardHeader } from "./dashboard-header";
import {
  type BannerFailure,
  describeFailure,
  ErrorBanner,
  endedBy,
  type FailedChange,
  retryAtOf,
} from "./error-banner";
import { useListFocus } from "./focus";
import { newIdempotencyKey } from "./idempotency-key";
import {
  forgetKeptAdd,
  type Kept,
  keepAndSignIn,
  keepForReturn,
  keepUnmadeDelete,
  takeKept,
  takeUnmadeDeletes,
} from "./kept-for-sign-in";
import { lengthProblem } from "./length-problem";
import { ListControls } from "./list-controls";
import { NoticeToast, useNotice } from "./notice-toast";
import { belongsIn, countedAs, countedAsShown, isShown, type ShownList, withoutTask } from "./shown-list";
import { ShowMore, TaskList } from "./task-list";
import { TaskRow } from "./task-row";
import { useDeletesWithUndo } from "./use-deletes-with-undo";
import { filterKey, useListView, viewOfFilter } from "./use-list-view";
import { useTaskChanges } from "./use-task-changes";
import { useToday } from "./use-today";
import { type VerificationLinkProblem, VerifyEmailNotice } from "./verify-email-notice";

interface DashboardProps {
  apiUrl: string;
  userId: string;
  email: string;
  emailVerified: boolean;
  /** The person came back from a confirmation link that Better Auth refused, and why. */
  verificationLinkProblem: VerificationLinkProblem | null;
}

/**
 * `words` for a live region that may say them already (a second task of the same title, the same
 * count twice, the same problem): a screen reader would not read them out again, so a no-break
 * space makes them new.
 */
function toSayAgain(before: string | undefined, words: string): string {
  return before === words ? `${words}\u00a0` : words;
}

/** The banner's words for an add that failed (and how a new add knows its own failure). */
const ADD_FAILED = "Could not add the task";
/** Leaving for sign-in waits at most this long for the writes on their way. */
const WRITES_AWAITED_MS = 5_000;
/** A list this old is loaded again when its tab is come back to. */
const LIST_STALE_AFTER_MS = 30_000;

export function Dashboard({ apiUrl, userId, email, emailVerified, verificationLinkProblem }: DashboardProps) {
  const api = useMemo(() => new TaskApiClient(apiUrl, userId), [apiUrl, userId]);
  const [list, setList] = useState<ShownList>({
    tasks: null,
    total: 0,
    counts: { pending: 0, completed: 0 },
    countsWithTasks: false,
    loadedFor: null,
  });
  const { tasks, total, counts } = list;
  const { status, setStatus, sort, setSort, search, setSearch, query, filter, pages, showPages, restore, ready } =
    useListView(userId);
  /** "Show more" was pressed and its tasks are on their way. */
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<BannerFailure | null>(null);
  /** The banner's failure as last drawn, for work that finishes later (tell). */
  const errorShown = useRef(error);
  errorShown.current = error;
  const [signingOut, setSigningOut] = useState(false);
  /**
   * The tab, sort and search whose load was the last to fail (filterKey); null once a load works.
   * Before any list has arrived, the page says the load failed (whatever the banner says by then).
   */
  const [failedLoad, setFailedLoad] = useState<string | null>(null);
  /** When that failed load's Retry-After (a 429's, a 503's) lets it be asked for again. */
  const [loadRetryAt, setLoadRetryAt] = useState<number | undefined>(undefined);
  /** The filter of the last list that came (as `list.loadedFor`, read where a load ends). */
  const listShownFor = useRef<string | null>(null);
  const loadFailed = failedLoad !== null;
  const [newTask, setNewTask] = useState<NewTask>(EMPTY_NEW_TASK);
  /** Edits the end of the session interrupted, by task: reopened with the person's changes once they are back. */
  const [resumeEdits, setResumeEdits] = useState<Record<string, TaskChanges>>({});
  /** Read when leaving for sign-in: edits brought back by the last one and not reopened yet. */
  const notReopened = useRef(resumeEdits);
  notReopened.current = resumeEdits;
  /** The tasks of those edits as shown before the sign-in (Kept's editedTasks), by id. */
  const resumeTasks = useRef<Record<string, Task>>({});
  /** What each open editor would change (TaskRow's onDraft): kept across a sign-in like the new task's draft. */
  const openEdits = useRef(new Map<string, TaskChanges>());
  /**
   * The tasks the list panel shows: once the load for the tab, sort or search asked for has failed,
   * not those of another (the panel says the load failed, with a Retry), but for any whose editor
   * is open (what is typed there stays). While that load is on its way they stay, as before.
   */
  const editedTasks = tasks?.filter((task) => openEdits.current.has(task.id)) ?? [];
  const shownTasks =
    failedLoad === filter && list.loadedFor !== filter ? (editedTasks.length > 0 ? editedTasks : null) : tasks;
  /** Another tab, sort or search's list is on its way: the one shown is another's, and says so (a bar over it, busy). */
  const switching = tasks !== null && list.loadedFor !== filter && failedLoad !== filter;
  /** Said to a screen reader once the list asked for has come: how many match ("Found 3 tasks."). */
  const [listAnnouncement, setListAnnouncement] = useState("");
  const [saving, setSaving] = useState(false);
  // The person's own date: a task due today is not overdue until their midnight, whatever UTC says.
  const today = useToday();
  /** What is wrong with the new task as typed (no title, too long), and in which field, said under its form. */
  const [addProblem, setAddProblem] = useState<AddProblem | null>(null);
  const sayAddProblem = (text: string, field: AddProblem["field"]) =>
    setAddProblem((before) => ({ field, text: toSayAgain(before?.text, text) }));
  /** What the last add made, for a screen reader: "Added “Buy milk”." */
  const [addedAnnouncement, setAddedAnnouncement] = useState("");
  const adding = useRef(false);
  /**
   * The key of the last add that got no answer, with what it sent: sending the same again (Retry,
   * Enter) reuses it, so an add that was made although its answer was lost is not made twice.
   */
  const unansweredAdd = useRef<{ key: string; body: string } | null>(null);
  /** Only the latest refresh may set the list: an older one answering late would bring back the past. */
  const refreshCount = useRef(0);
  /**
   * When the list last came (Date.now(), not performance.now(), which stands still while the
   * computer sleeps on Linux and macOS): a tab come back to after a while loads it again.
   */
  const listCameAt = useRef(0);
  /**
   * The tabs' counts are owed: none have arrived yet, or a load that was to bring them failed or was
   * replaced by a newer one (another tab asked for meanwhile). The next load brings them.
   */
  const countsOwed = useRef(true);
  const addForm = useRef<HTMLFormElement>(null);
  const listPanel = useRef<HTMLDivElement>(null);
  /** Where the focus goes when what held it leaves the page (the banner, the notice, an editor's row). */
  const focusListPanel = () => listPanel.current?.focus();
  const { focusWhereTheRowWas, focusFirstOfMore } = useListFocus(listPanel, { tasks, shownTasks, loadingMore });
  const { notice, currentNotice, notify, closeNotice, viewport } = useNotice(focusListPanel);

  // The latest typed text and view, read when leaving for sign-in; refs, so
  // that typing does not re-create the callbacks below (and re-fetch the list).
  const draft = useRef(newTask);
  draft.current = newTask;
  const view = useRef<Kept["view"]>({ status, sort, query, pages });
  view.current = { status, sort, query, pages };

  /** The deletes not made yet, when leaving for sign-in (useDeletesWithUndo's handOver). */
  const handOverDeletes = useRef((): Task[] => []);
  const handOverToggles = useRef((): NonNullable<Kept["toggles"]> => []);
  /** The tasks shown now, read when leaving for sign-in. */
  const tasksNow = useRef(tasks);
  tasksNow.current = tasks;
  /** What the person has typed and open on the page now: the new task's draft, and every edit. */
  const typedOnThePage = useCallback((): Kept => {
    // Every open editor with a change in it, whichever action it was that found the session over.
    const edits = {
      ...notReopened.current,
      ...Object.fromEntries([...openEdits.current].filter(([, changes]) => Object.keys(changes).length > 0)),
    };
    const editedTasks = Object.keys(edits).flatMap(
      (id) => tasksNow.current?.find((task) => task.id === id) ?? resumeTasks.current[id] ?? [],
    );
    return {
      userId,
      draft: draft.current,
      unansweredAdd: unansweredAdd.current,
      edits,
      editedTasks,
      view: view.current,
    };
  }, [userId]);
  /** What the person had on the page, kept as it leaves for sign-in. */
  const keepWhatIsOnThePageAndSignIn = useCallback(() => {
    keepAndSignIn({ ...typedOnThePage(), deletes: handOverDeletes.current(), toggles: handOverToggles.current() });
  }, [typedOnThePage]);
  /**
   * On its way to sign-in (goToSignIn), once its writes on their way are answered: a delete pressed
   * meanwhile goes with it. (A ref: the next click must see it, re-drawn or not.)
   */
  const leavingForSignIn = useRef(false);
  /** Keep what the person typed, then send them to sign in and back here. */
  const goToSignIn = useCallback(() => {
    if (leavingForSignIn.current) return;
    leavingForSignIn.current = true;
    // Writes already on their way are answered first (made, or refused for the session's end and
    // so handed over): leaving would cut them off, neither made nor kept. Not for long: one that
    // does not answer is left to the list after sign-in.
    const awaited = new Promise((wait) => setTimeout(wait, WRITES_AWAITED_MS));
    void Promise.race([api.writesSettled(), awaited]).then(keepWhatIsOnThePageAndSignIn);
  }, [api, keepWhatIsOnThePageAndSignIn]);

  /**
   * The tasks as the last load gave them. A row that is not one of them (kept for its open editor,
   * or changed since: read again for an edit) may no longer belong in the list: closed unsaved, it
   * is loaded again (`onClosedUnsaved`).
   */
  const loadedTasks = useRef(new Map<string, Task>());
  /**
   * The reloaded list, with every task whose editor is open kept where it was, though the answer
   * no longer has it (deleted elsewhere, moved to a page not shown): what was typed stays, and
   * saving it says what became of the task. An edit brought back from before a sign-in and not
   * reopened yet keeps its task at the top in the same way, so that its editor can reopen.
   */
  const keepingOpenEdits = useCallback((loaded: Task[], before: Task[] | null): Task[] => {
    const result = [...loaded];
    const loadedIds = new Set(loaded.map((task) => task.id));
    (before ?? []).forEach((task, index) => {
      if (openEdits.current.has(task.id) && !loadedIds.has(task.id)) {
        result.splice(Math.min(index, result.length), 0, task);
        loadedIds.add(task.id);
      }
    });
    const waiting = Object.keys(notReopened.current).filter((id) => !loadedIds.has(id));
    return [...waiting.flatMap((id) => resumeTasks.current[id] ?? []), ...result];
  }, []);

  /**
   * Says in the banner what failed; `retry` (when given) is what its Retry does. `load`: what failed
   * was a load of the list, either a reload of the list shown (after a change) or a list the person
   * asked for (another tab, sort, search or page), and when that load began; none: a change failed
   * (`change`: a task's completion or delete, which the person's next one of it ends).
   */
  const handle = useCallback(
    (
      failure: unknown,
      what: string,
      retry?: () => void,
      about: { load?: { kind: "reload" | "asked"; startedAt: number }; change?: FailedChange } = {},
    ) => {
      const { load, change } = about;
      if (failure instanceof SignedOutError) return goToSignIn();
      // A request the API refused as it stands would be refused again: no retry for those.
      const shown: BannerFailure = {
        text: describeFailure(failure, what),
        retry: failure instanceof ApiError ? undefined : retry,
        loading: load !== undefined,
        retryAt: retryAtOf(failure),
        shownAt: performance.now(),
        what,
        change,
      };
      // A failed reload of the list shown (often the one that followed a change) does not hide the
      // failure of a change still waiting for its Retry: the person must know that change was put
      // back, and its Retry, once it works, reloads the list too. A list asked for that did not come
      // says so, unless a change failed after it was asked for: that failure is the news (the list
      // asked for, then a task added: the add's failure and its Retry stay, whichever answer is last).
      setError((current) => {
        if (!load || !current?.retry || current.loading) return shown;
        return load.kind === "reload" || (current.shownAt ?? 0) > load.startedAt ? current : shown;
      });
    },
    [goToSignIn],
  );

  /**
   * The person completes or deletes a task again: a failure of an earlier such change of it that this
   * ends (endedBy) leaves the banner, whose Retry would undo what they do now.
   */
  const endFailureOf = (change: FailedChange) => setError((current) => (endedBy(current, change) ? null : current));

  const { pendingDeletes, wasDeletedHere, deleteTask, sendDeletesNow, handOver } = useDeletesWithUndo({
    api,
    setList,
    notices: { currentNotice, notify, closeNotice },
    onFailure: (failure, task, retry) =>
      handle(failure, `Could not delete “${task.title}”`, retry, { change: { taskId: task.id, kind: "delete" } }),
    reload: () => void latestRefresh.current(),
    isLeavingForSignIn: () => leavingForSignIn.current,
    focusList: focusWhereTheRowWas,
    keepForNextVisit: (task) => keepUnmadeDelete(userId, task),
    listShown: () => listShownFor.current,
  });
  handOverDeletes.current = handOver;

  const {
    toggleTask,
    loadForEdit,
    saveTask,
    addAgain,
    showingTogglesOnTheirWay,
    handOverToggles: togglesRefused,
  } = useTaskChanges({
    api,
    tasks,
    setList,
    onFailure: (failure, what, retry, change) => handle(failure, what, retry, { change }),
    // Not over another change's failure still waiting for its Retry (a tick put back): the person must
    // know that change was not made. The words are still said (the page's live region), where only
    // they say why a row left. A failure of the same task's goes: its Retry would meet the task gone.
    tell: (text, taskId) => {
      const shown = errorShown.current;
      if (shown?.retry && !shown.loading && shown.change?.taskId !== taskId) announce(text);
      else setError({ text });
    },
    reload: () => void latestRefresh.current(),
    goToSignIn,
    focusList: focusWhereTheRowWas,
    oneStatusShown: status !== "all",
    wasDeletedHere,
  });
  handOverToggles.current = togglesRefused;

  /** Reloads the list for the current filters and, unless only the filters changed (and none are owed), the counts. */
  const refresh = useCallback(
    async (withCounts = true) => {
      const thisRefresh = ++refreshCount.current;
      const startedAt = performance.now();
      const loading = filterKey(status, sort, query);
      if (withCounts) countsOwed.current = true;
      const bringCounts = countsOwed.current;
      try {
        const [loaded, totals] = await Promise.all([
          // Every page the person has asked to see, again: a change may have moved tasks between them.
          Promise.all(
            Array.from({ length: pages }, (_, i) =>
              api.list({ status, sort, q: query, limit: LIST_LIMIT_MAX, offset: i * LIST_LIMIT_MAX }),
            ),
          ),
          bringCounts
            ? Promise.all([api.list({ status: "pending", limit: 1 }), api.list({ status: "completed", limit: 1 })])
            : undefined,
        ]);
        if (thisRefresh !== refreshCount.current) return;
        // A task that moved to a later page between two of the requests shows once.
        const seen = new Set<string>();
        const shown = loaded
          .flatMap((page) => page.tasks)
          .filter((task) => !seen.has(task.id) && seen.add(task.id) && !pendingDeletes.current.has(task.id));
        const unsent = seen.size - shown.length; // deletes inside their undo window, still counted by the API
        const matching = (loaded[0]?.total ?? 0) - unsent;
        const asLoaded = showingTogglesOnTheirWay(shown);
        loadedTasks.current = new Map(asLoaded.map((task) => [task.id, task]));
        setList((current) => ({
          tasks: keepingOpenEdits(asLoaded, current.tasks),
          total: matching,
          // The API still counts the deletes inside their undo window: the page has taken them off. It
          // does not count the completions on their way yet: the page shows them.
          counts: totals
            ? countedAsShown(
                [...pendingDeletes.current.values()].reduce((counts, { task }) => countedAs(counts, task, -1), {
                  pending: totals[0].total,
                  completed: totals[1].total,
                }),
                shown,
                asLoaded,
              )
            : current.counts,
          countsWithTasks: totals !== undefined,
          loadedFor: loading,
        }));
        if (totals) countsOwed.current = false;
        // Another tab, sort or search than the list shown: its outcome is said (the list was read before).
        if (listShownFor.current !== null && listShownFor.current !== loading) {
          const words = `Found ${matching === 0 ? "no" : matching.toLocaleString("en-US")} ${matching === 1 ? "task" : "tasks"}.`;
          setListAnnouncement((before) => toSayAgain(before, words));
        }
        listShownFor.current = loading;
        listCameAt.current = Date.now();
        setFailedLoad(null);
        // A load that works ends a load's failure, not another action's: that one still needs its Retry.
        setError((current) => (current?.loading ? null : current));
      } catch (failure) {
        if (thisRefresh === refreshCount.current) {
          setFailedLoad(loading);
          setLoadRetryAt(retryAtOf(failure));
          handle(failure, "Could not load your tasks", () => void latestRefresh.current(withCounts), {
            load: { kind: withCounts ? "reload" : "asked", startedAt },
          });
        }
      } finally {
        if (thisRefresh === refreshCount.current) setLoadingMore(false);
      }
    },
    [api, status, sort, query, pages, handle, keepingOpenEdits, pendingDeletes, showingTogglesOnTheirWay],
  );

  // A change of tab, sort or search leaves the counts as they are, unless they are owed (countsOwed).
  // The first waits for the search kept in the tab (useListView's `ready`), not to load a list twice.
  useEffect(() => {
    if (ready) void refresh(false);
  }, [refresh, ready]);
  // For work that finishes later: refresh with the filters as they are then, not as they were.
  const latestRefresh = useRef(refresh);
  latestRefresh.current = refresh;

  // A tab come back to (shown again, or its window focused) after a while: another tab or device may
  // have changed the tasks since, and its list and counts would say otherwise until the next action.
  useEffect(() => {
    const onBack = () => {
      if (document.visibilityState !== "visible") return;
      const since = Date.now() - listCameAt.current;
      if (since >= 0 && since < LIST_STALE_AFTER_MS) return; // (a clock set back counts as a while)
      listCameAt.current = Date.now(); // once, however many events say it
      void latestRefresh.current();
    };
    document.addEventListener("visibilitychange", onBack);
    window.addEventListener("focus", onBack);
    return () => {
      document.removeEventListener("visibilitychange", onBack);
      window.removeEventListener("focus", onBack);
    };
  }, []);

  function showMore() {
    if (loadingMore || !tasks) return;
    focusFirstOfMore(tasks.length);
    setLoadingMore(true);
    // One page after those shown in full (not pages + 1: after a failed load that would skip one).
    const next = Math.ceil(tasks.length / LIST_LIMIT_MAX) + 1;
    if (next === pages) void latestRefresh.current(false);
    else showPages(next);
  }

  // What was typed and shown before a sign-in comes back, to the same person only; deletes not made
  // then, or that failed as the dashboard was last left, are made now, each with its Undo again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: deleteTask changes every render; this runs once a person
  useEffect(() => {
    for (const task of takeUnmadeDeletes(userId)) deleteTask(task);
    const kept = takeKept(userId);
    if (!kept) return;
    unansweredAdd.current = kept.unansweredAdd;
    setNewTask({ ...EMPTY_NEW_TASK, ...kept.draft });
    restore(kept.view);
    resumeTasks.current = Object.fromEntries((kept.editedTasks ?? []).map((task) => [task.id, task]));
    setResumeEdits(kept.edits);
    for (const task of kept.deletes ?? []) deleteTask(task);
    for (const { task, completed } of kept.toggles ?? []) void toggleTask(task, completed);
  }, [userId]);

  // Left for another page of the app (the account page): what was typed and open comes back when
  // the person does, as after a sign-in (takeKept above). Leaving for sign-in has kept it already;
  // deletes and completions on their way are made by their own hooks, as the page goes.
  useEffect(
    () => () => {
      if (!leavingForSignIn.current) keepForReturn(typedOnThePage());
    },
    [typedOnThePage],
  );

  // A sign-out in another tab is followed at once, as on the account page: on a shared computer
  // nothing of the person's stays on screen. What was typed, open or not made yet is kept for their
  // sign-in, as the session's end found by a request keeps it. Writes already on their way are
  // answered first (made, or refused and kept): leaving would cut them off, neither made nor kept.
  // The account deleted in another tab: the same way out keeps nothing (no one could sign in to
  // take it back) and goes where that tab went (keepAndSignIn, keepingAllowed).
  useEffect(
    () =>
      listenForSignOutElsewhere(() => {
        api.markSignedOut(); // an action meanwhile leads to sign-in too
        goToSignIn();
      }),
    [api, goToSignIn],
  );

  async function addTask(event?: React.FormEvent) {
    event?.preventDefault();
    if (adding.current) return; // one add at a time: Enter and Retry together must not make two
    // Said under the form, not in the banner above the list: that may hold another change's failure,
    // whose Retry must stay (a checkbox put back, the person perhaps not watching it).
    if (!newTask.title.trim()) return sayAddProblem("Give the task a title.", "title");
    const tooLong = lengthProblem(newTask);
    if (tooLong) return sayAddProblem(tooLong.text, tooLong.field);
    adding.current = true;
    setSaving(true);
    setAddProblem(null);
    // This add's own earlier failure, and a failed load, go; another change's failure and its Retry stay.
    setError((current) => (current?.retry && !current.loading && current.what !== ADD_FAILED ? current : null));
    const input = inputOf(newTask);
    const body = JSON.stringify(input);
    const earlier = unansweredAdd.current;
    const key = earlier?.body === body ? earlier.key : newIdempotencyKey();
    // The form changed since an add that got no answer (a typo put right, then Enter or Retry), and
    // that add may have been made: sent again with its key, it is answered with its task (made now if
    // it was not), which then takes the form's fields. One task, as the person last wrote it, not two;
    // unless the list shows that task already (a reload brought it): then the person has seen it made,
    // and this is another task.
    const correcting = earlier && earlier.body !== body ? earlier : null;
    // The add that may have been made if this one gets no answer (sent again, it keeps its key), from
    // the moment it is sent: another action that finds the session over while this add is on its way
    // leaves for sign-in with the key kept, and the draft added again after sign-in is answered with
    // this task if it was made, not made twice.
    unansweredAdd.current = correcting ?? { key, body };
    const sent = unansweredAdd.current;
    try {
      let created: Task;
      if (correcting) {
        const made = await api.create(JSON.parse(correcting.body) as TaskInput, correcting.key);
        if (isShown(tasks, made)) {
          unansweredAdd.current = { key, body };
          created = await api.create(input, key);
        } else {
          created = await api.update(made.id, input);
        }
      } else {
        created = await api.create(input, key);
      }
      unansweredAdd.current = null;
      // Answered after the page was left for the account page: the draft kept then is this task now.
      forgetKeptAdd(userId, sent.body, body);
      setAddedAnnouncement((before) => toSayAgain(before, `Added “${created.title}”.`));
      // Emptied only if it still holds what was sent: what was typed while the add was on its way
      // (the next task, a typo put right) stays.
      setNewTask((current) => (holdsAdd(current, body) ? EMPTY_NEW_TASK : current));
      // At once for a page leaving for sign-in before it is drawn again (it keeps draft.current):
      // kept, that draft would come back without its key, and a second Add would make it twice.
      if (holdsAdd(draft.current, body)) draft.current = EMPTY_NEW_TASK;
      // Once, even if a reload that saw it already answered.
      setList((current) => {
        if (current.tasks === null) return current; // no list yet: the reload below brings it, this task in it
        const shown = isShown(current.tasks, created);
        const counted = shown && current.countsWithTasks;
        // Not in a tab or search it does not match ("Completed", a search for something else): the
        // tabs' counts say it was added. (Were the reload below to fail, it would stay there.)
        const belongs = shown || belongsIn(current.loadedFor, created);
        return {
          ...current,
          tasks: belongs ? [created, ...current.tasks.filter((t) => t.id !== created.id)] : current.tasks,
          total: current.total + (shown || !belongs ? 0 : 1),
          counts: { ...current.counts, pending: current.counts.pending + (counted ? 0 : 1) },
        };
      });
      // A reload begun before the task existed may still answer: this newer one replaces it (and puts
      // the task in its place for the sort and tab).
      void latestRefresh.current();
    } catch (failure) {
      // Unless the API answered (and refused it), the add may have been made: the same add again
      // (Retry, or after signing in) goes with the same key.
      if (failure instanceof ApiError) unansweredAdd.current = null;
      // The form keeps what was typed; Retry submits it (as it then reads) again.
      handle(failure, ADD_FAILED, () => {
        document.getElementById("new-title")?.focus();
        addForm.current?.requestSubmit();
      });
    } finally {
      adding.current = false;
      setSaving(false);
    }
  }

  async function signOut() {
    // Deletes inside their undo window go first: the person saw those tasks go, and once signed out
    // nothing could send them. If one fails, its task is back and the banner says so: stay.
    if ((await sendDeletesNow()).includes(false)) return;
    setSigningOut(true);
    const failure = await signOutThisBrowser();
    if (failure) {
      setSigningOut(false);
      setError({ text: failure });
    }
  }

  return (
    // The page's main landmark, as the account page's: a screen reader's "next landmark" lands here.
    <main className="mx-auto max-w-3xl px-4 py-6 sm:py-10">
      <DashboardHeader email={email} signingOut={signingOut} onSignOut={signOut} />

      {!emailVerified && <VerifyEmailNotice email={email} linkProblem={verificationLinkProblem} />}

      <AddTaskForm
        ref={addForm}
        value={newTask}
        onChange={(value) => {
          setNewTask(value);
          setAddProblem(null);
        }}
        onSubmit={addTask}
        saving={saving}
        problem={addProblem}
      />
      {/* Said to a screen reader, which otherwise hears the form empty and nothing else. */}
      <p role="status" className="sr-only">
        {addedAnnouncement}
      </p>
      <p role="status" className="sr-only" data-testid="list-announcement">
        {listAnnouncement}
      </p>

      <Tabs.Root value={status} onValueChange={(value) => setStatus(value as ListStatus)}>
        <ListControls
          // No numbers before counts have come (the first list brings them): "All (0)" beside "could
          // not be loaded" told a person with hundreds of tasks they had none.
          counts={list.loadedFor !== null ? counts : null}
          search={search}
          onSearch={setSearch}
          sort={sort}
          onSort={setSort}
        />

        {error && (
          <ErrorBanner
            failure={error}
            returnFocus={focusListPanel}
            onPress={() => {
              // The banner goes; focus goes to the list rather than being lost.
              focusListPanel();
              setError(null);
              error.retry?.();
            }}
          />
        )}

        {/* One panel, whatever the filter: the list shows the selected tab's tasks. */}
        <Tabs.Content
          ref={listPanel}
          value={status}
          // relative: the bar that says another list is on its way (TaskList) is drawn over its top.
          className="relative focus-visible:outline-2 focus-visible:outline-indigo-500"
        >
          <TaskList
            tasks={shownTasks}
            loadFailed={loadFailed}
            // What the list shown was loaded for: while another's is on its way, its words stay its own.
            shownFor={list.loadedFor === null ? { status, query } : viewOfFilter(list.loadedFor)}
            busy={loadingMore || switching}
            stale={switching}
            onRetryLoad={() => latestRefresh.current()}
            retryLoadAt={loadRetryAt}
            renderTask={(task) => (
              <TaskRow
                key={task.id}
                task={task}
                today={today}
                onToggle={() => {
                  endFailureOf({ taskId: task.id, kind: "toggle" });
                  void toggleTask(task);
                }}
                loadForEdit={(retry, resuming) => loadForEdit(task.id, retry, resuming)}
                resume={resumeEdits[task.id]}
                onResumed={() => setResumeEdits(({ [task.id]: _, ...others }) => others)}
                onDraft={(changes) => {
                  if (changes) openEdits.current.set(task.id, changes);
                  else openEdits.current.delete(task.id);
                }}
                onClosedUnsaved={() => {
                  // (A save reloads already.) Kept only for its editor, or read again since (completed
                  // elsewhere, say): it may not belong in this tab or search any more.
                  if (loadedTasks.current.get(task.id) !== task) void latestRefresh.current();
                }}
                save={(changes, etag) => saveTask(task.id, changes, etag)}
                addAgain={(fields) => addAgain(task, fields)}
                forget={() => {
                  // Its row (and the focus in it) goes: the focus goes to the list, as after a delete.
                  focusListPanel();
                  setList(withoutTask(task));
                  void latestRefresh.current();
                }}
                onDelete={() => {
                  endFailureOf({ taskId: task.id, kind: "delete" });
                  deleteTask(task);
                }}
              />
            )}
          />
          {/* Not under the open edits kept where a load failed: the count and pages are another list's. */}
          {shownTasks === tasks && (
            <ShowMore
              shown={shownTasks?.length ?? 0}
              total={total}
              pages={pages}
              loading={loadingMore}
              onShowMore={showMore}
            />
          )}
        </Tabs.Content>
      </Tabs.Root>

      <NoticeToast notice={notice} onClose={closeNotice} viewport={viewport} />
    </main>
  );
}
