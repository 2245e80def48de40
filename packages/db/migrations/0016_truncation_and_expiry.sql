-- TRUNCATE fires no row trigger, so what those triggers keep went wrong without it, and a session
-- could end without being deleted. Now:
-- - Before sessions are truncated (an operator's "sign everyone out", or TRUNCATE users CASCADE),
--   each one that could still have live tokens is recorded as ended, as a deleted one is (0003,
--   0011): the API refuses their tokens within seconds instead of until they expire.
--   (revoked_sessions has no foreign key, so a cascade does not truncate it as well.)
-- - A session whose expiry is moved to now or before (an operator's way to end one) is recorded
--   as ended, as a deleted one is. (The product never does so: Better Auth moves an expiry only
--   later, and deletes a session to end it.)
-- - After tasks are truncated (TRUNCATE tasks CASCADE), the counts kept of them (0009) go too: the
--   lists' totals said the tasks that had gone.
-- Truncate in READ COMMITTED, PostgreSQL's default: the triggers read with their statement's
-- snapshot, and in a transaction of an older one they would miss the rows committed since.
CREATE FUNCTION "record_truncated_sessions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "revoked_sessions" ("session_id", "user_id", "revoked_at")
  SELECT "id", "user_id", clock_timestamp() FROM "sessions"
  WHERE "expires_at" > clock_timestamp() - interval '1 day 10 minutes'
  ON CONFLICT ("session_id") DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "sessions_record_truncation" BEFORE TRUNCATE ON "sessions"
FOR EACH STATEMENT EXECUTE FUNCTION "record_truncated_sessions"();
--> statement-breakpoint
CREATE FUNCTION "forget_task_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "task_counts";
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "tasks_forget_counts_on_truncation" AFTER TRUNCATE ON "tasks"
FOR EACH STATEMENT EXECUTE FUNCTION "forget_task_counts"();
--> statement-breakpoint
-- The function that records a deleted session (0011) records this one too: it reads the OLD row,
-- the session as it was before the move, and skips one that had expired over a day ago.
CREATE TRIGGER "sessions_record_expiry" AFTER UPDATE OF "expires_at" ON "sessions"
FOR EACH ROW WHEN (NEW."expires_at" <= clock_timestamp() AND NEW."expires_at" < OLD."expires_at")
EXECUTE FUNCTION "record_revoked_session"();
