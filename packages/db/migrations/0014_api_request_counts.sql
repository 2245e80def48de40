-- Requests to the Task API per user in the current minute, summed over every API process
-- (apps/api/src/shared-rate-limit.ts), so that API_RATE_LIMIT holds across N processes.
CREATE TABLE "api_request_counts" (
	"user_id" text PRIMARY KEY NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"requests" integer NOT NULL
);
