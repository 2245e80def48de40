ALTER TABLE "task_counts" ADD COLUMN "version" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Versions come from one sequence, so a number never comes back, even for a row deleted and made again.
CREATE SEQUENCE "task_counts_versions";--> statement-breakpoint
UPDATE "task_counts" SET "version" = nextval('task_counts_versions');--> statement-breakpoint
-- Every write that can change what a search or a priority filter matches moves the version of the
-- person's row for the task's completion, in the same transaction: the two rows' versions then name
-- what a snapshot sees of the person's tasks, and the API reuses a search's counted total while they
-- stand (tasks-repository.ts). A change of due date alone moves nothing: no count depends on it.
--
-- A change of completion moves two of the person's rows. They are locked first, in one order
-- (pending, then completed): two toggles the opposite way, each holding the row the other one
-- needs next, used to end in a deadlock, which PostgreSQL breaks by failing one of them.
CREATE OR REPLACE FUNCTION "count_tasks"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM 1 FROM "task_counts" WHERE "user_id" IN (OLD."user_id", NEW."user_id")
    ORDER BY "user_id", "completed" FOR UPDATE;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE "task_counts" SET "tasks" = "tasks" - 1, "version" = nextval('task_counts_versions')
    WHERE "user_id" = OLD."user_id" AND "completed" = OLD."completed";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "task_counts" ("user_id", "completed", "tasks", "version")
    VALUES (NEW."user_id", NEW."completed", 1, nextval('task_counts_versions'))
    ON CONFLICT ("user_id", "completed")
    DO UPDATE SET "tasks" = "task_counts"."tasks" + 1, "version" = EXCLUDED."version";
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "version_task_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "task_counts" SET "version" = nextval('task_counts_versions')
  WHERE "user_id" = NEW."user_id" AND "completed" = NEW."completed";
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "tasks_version_counts" AFTER UPDATE OF "title", "description", "priority" ON "tasks"
FOR EACH ROW WHEN (
  OLD."title" IS DISTINCT FROM NEW."title"
  OR OLD."description" IS DISTINCT FROM NEW."description"
  OR OLD."priority" IS DISTINCT FROM NEW."priority"
)
EXECUTE FUNCTION "version_task_counts"();
