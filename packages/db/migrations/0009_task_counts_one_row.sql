DROP TABLE "task_counts" CASCADE;--> statement-breakpoint
CREATE TABLE "task_counts" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"tasks" integer NOT NULL,
	"completed_tasks" integer NOT NULL,
	"version" bigint DEFAULT nextval('task_counts_versions') NOT NULL
);
--> statement-breakpoint
ALTER TABLE "task_counts" ADD CONSTRAINT "task_counts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- One row a person instead of one for pending and one for completed tasks: each of the API's writes
-- (one statement, one task) moves one row of the person's counts, so two of them never wait on each
-- other in a circle (a toggle used to move two rows, and had to lock both first in one order), and a
-- toggle is one row update instead of a lock pass, an update and an upsert.
CREATE OR REPLACE FUNCTION "count_tasks"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."user_id" = NEW."user_id" THEN
    UPDATE "task_counts"
    SET "completed_tasks" = "completed_tasks" + NEW."completed"::int - OLD."completed"::int,
        "version" = nextval('task_counts_versions')
    WHERE "user_id" = NEW."user_id";
    RETURN NULL;
  END IF;
  -- A task given to someone else (only SQL can do that) moves two people's rows: both are locked
  -- first, in one order, so that two such moves the opposite way cannot deadlock.
  IF TG_OP = 'UPDATE' THEN
    PERFORM 1 FROM "task_counts" WHERE "user_id" IN (OLD."user_id", NEW."user_id") ORDER BY "user_id" FOR UPDATE;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE "task_counts"
    SET "tasks" = "tasks" - 1, "completed_tasks" = "completed_tasks" - OLD."completed"::int,
        "version" = nextval('task_counts_versions')
    WHERE "user_id" = OLD."user_id";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    -- The person's row exists after their first task: an update, with no upsert's extra row lock.
    UPDATE "task_counts"
    SET "tasks" = "tasks" + 1, "completed_tasks" = "completed_tasks" + NEW."completed"::int,
        "version" = nextval('task_counts_versions')
    WHERE "user_id" = NEW."user_id";
    IF NOT FOUND THEN
      INSERT INTO "task_counts" ("user_id", "tasks", "completed_tasks")
      VALUES (NEW."user_id", 1, NEW."completed"::int)
      ON CONFLICT ("user_id") DO UPDATE
      SET "tasks" = "task_counts"."tasks" + 1,
          "completed_tasks" = "task_counts"."completed_tasks" + EXCLUDED."completed_tasks",
          "version" = EXCLUDED."version";
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A change of title, description or priority moves the version only (see 0008).
CREATE OR REPLACE FUNCTION "version_task_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "task_counts" SET "version" = nextval('task_counts_versions') WHERE "user_id" = NEW."user_id";
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- The counts of the tasks that exist already.
INSERT INTO "task_counts" ("user_id", "tasks", "completed_tasks")
SELECT "user_id", count(*), count(*) FILTER (WHERE "completed") FROM "tasks" GROUP BY "user_id";
