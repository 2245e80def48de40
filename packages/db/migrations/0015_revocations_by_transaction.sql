-- Each ended session's row carries the id of the transaction that wrote it (the trigger's insert
-- takes the default). The API's feed reads the rows of transactions it has not seen finish, by these
-- ids and its last read's snapshot, where it read by time and looked back 10 s: a transaction that
-- committed more than 10 s after its delete was never read, and its session's tokens kept working.
-- The rows already there get 0 (a constant default rewrites nothing, so sign-outs are not held up
-- while this runs); a new process's first read takes every row, whatever its id.
ALTER TABLE "revoked_sessions" ADD COLUMN "revoked_xid" "xid8" DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "revoked_sessions" ALTER COLUMN "revoked_xid" SET DEFAULT pg_current_xact_id();--> statement-breakpoint
CREATE INDEX "revoked_sessions_revoked_xid_idx" ON "revoked_sessions" USING btree ("revoked_xid","session_id");
