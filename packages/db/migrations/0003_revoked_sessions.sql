CREATE TABLE "revoked_sessions" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"revoked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "revoked_sessions_revoked_at_idx" ON "revoked_sessions" USING btree ("revoked_at");--> statement-breakpoint
-- Every way a session row goes (sign-out, revoke, password change or reset,
-- the cascade of a deleted user) records it, in the same transaction. The
-- time is the moment of the delete (clock_timestamp), not the transaction's
-- start, so the API's "revoked since" window does not miss a slow transaction.
CREATE FUNCTION "record_revoked_session"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "revoked_sessions" ("session_id", "user_id", "revoked_at")
  VALUES (OLD."id", OLD."user_id", clock_timestamp())
  ON CONFLICT ("session_id") DO NOTHING;
  RETURN OLD;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "sessions_record_revocation" AFTER DELETE ON "sessions"
FOR EACH ROW EXECUTE FUNCTION "record_revoked_session"();
