-- Only a session that could still have live tokens is recorded. A token is issued
-- while its session has not expired and lives at most a day (the web app refuses a
-- longer JWT_EXPIRES_IN); ten minutes more cover the clocks' skew. A cleanup of
-- long-expired sessions (DELETE FROM sessions WHERE expires_at < now()) then adds
-- nothing for every API process to read and keep in memory.
CREATE OR REPLACE FUNCTION "record_revoked_session"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."expires_at" > clock_timestamp() - interval '1 day 10 minutes' THEN
    INSERT INTO "revoked_sessions" ("session_id", "user_id", "revoked_at")
    VALUES (OLD."id", OLD."user_id", clock_timestamp())
    ON CONFLICT ("session_id") DO NOTHING;
  END IF;
  RETURN OLD;
END;
$$;
