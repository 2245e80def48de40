import assert from "node:assert/strict";
import { test } from "node:test";
import {
  codePointLength,
  defaultOrder,
  isCalendarDate,
  TaskCreate,
  TaskListQuery,
  TaskPatch,
  TaskReplace,
} from "../src/index";

test("lengths count code points", () => {
  assert.equal(codePointLength("abc"), 3);
  assert.equal(codePointLength("🙂🙂"), 2);
});

test("calendar dates are real days as YYYY-MM-DD", () => {
  for (const date of ["2026-11-26", "2024-02-29", "0001-01-01", "9999-12-31"]) assert.ok(isCalendarDate(date), date);
  for (const date of ["2026-02-29", "2026-13-01", "2026-00-10", "2026-1-1", "0000-01-01", "2026-11-26T00:00:00Z", ""]) {
    assert.ok(!isCalendarDate(date), date);
  }
});

test("create fills defaults and trims the title; unknown fields are dropped", () => {
  assert.deepEqual(TaskCreate.parse({ title: "  hi  ", id: "x", user_id: "y" }), {
    title: "hi",
    description: "",
    priority: "medium",
    due_date: null,
  });
});

test("replace puts every omitted editable field back to its default; patch leaves them out", () => {
  assert.deepEqual(TaskReplace.parse({ title: "t" }), {
    title: "t",
    description: "",
    priority: "medium",
    due_date: null,
    completed: false,
  });
  assert.deepEqual(TaskPatch.parse({ completed: true }), { completed: true });
});

test("list query defaults and strictness", () => {
  assert.deepEqual(TaskListQuery.parse({}), { status: "all", sort: "created", limit: 50, offset: 0 });
  assert.equal(TaskListQuery.safeParse({ limit: "0" }).success, false);
  assert.equal(TaskListQuery.safeParse({ limit: ["1", "2"] }).success, false);
  assert.equal(TaskListQuery.safeParse({ other: "1" }).success, false);
  assert.deepEqual(
    ["created", "updated", "priority", "due", "title"].map((sort) => defaultOrder(sort as never)),
    ["desc", "desc", "desc", "asc", "asc"],
  );
});
