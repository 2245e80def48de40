CREATE TABLE "task_counts" (
	"user_id" uuid NOT NULL,
	"completed" boolean NOT NULL,
	"tasks" integer NOT NULL,
	CONSTRAINT "task_counts_user_id_completed_pk" PRIMARY KEY("user_id","completed")
);
--> statement-breakpoint
ALTER TABLE "task_counts" ADD CONSTRAINT "task_counts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Every insert, delete and change of completion moves the person's counts in
-- the same transaction (a statement that fails moves nothing).
CREATE FUNCTION "count_tasks"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE "task_counts" SET "tasks" = "tasks" - 1
    WHERE "user_id" = OLD."user_id" AND "completed" = OLD."completed";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "task_counts" ("user_id", "completed", "tasks") VALUES (NEW."user_id", NEW."completed", 1)
    ON CONFLICT ("user_id", "completed") DO UPDATE SET "tasks" = "task_counts"."tasks" + 1;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "tasks_count_rows" AFTER INSERT OR DELETE ON "tasks"
FOR EACH ROW EXECUTE FUNCTION "count_tasks"();
--> statement-breakpoint
CREATE TRIGGER "tasks_count_completion" AFTER UPDATE OF "completed", "user_id" ON "tasks"
FOR EACH ROW WHEN (OLD."completed" IS DISTINCT FROM NEW."completed" OR OLD."user_id" IS DISTINCT FROM NEW."user_id")
EXECUTE FUNCTION "count_tasks"();
--> statement-breakpoint
-- The counts of the tasks that exist already.
INSERT INTO "task_counts" ("user_id", "completed", "tasks")
SELECT "user_id", "completed", count(*) FROM "tasks" GROUP BY "user_id", "completed";
