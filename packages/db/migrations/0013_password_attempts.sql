-- Password attempts by account email address (apps/web/src/lib/password-guesses.ts):
-- ten wrong ones pause password checks for that address for 15 minutes.
CREATE TABLE "password_attempts" (
	"email" text PRIMARY KEY NOT NULL,
	"wrong" integer NOT NULL,
	"under_way" integer NOT NULL,
	"last_attempt_at" timestamp with time zone NOT NULL,
	"paused_until" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "password_attempts_last_attempt_at_idx" ON "password_attempts" USING btree ("last_attempt_at");
