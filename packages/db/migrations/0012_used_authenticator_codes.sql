-- Authenticator codes already accepted, kept while they could be accepted again
-- (apps/web/src/lib/authenticator-codes.ts): RFC 6238 accepts a code once.
CREATE TABLE "used_authenticator_codes" (
	"user_id" uuid NOT NULL,
	"code" text NOT NULL,
	"used_until" timestamp with time zone NOT NULL,
	CONSTRAINT "used_authenticator_codes_user_id_code_pk" PRIMARY KEY("user_id","code")
);
--> statement-breakpoint
ALTER TABLE "used_authenticator_codes" ADD CONSTRAINT "used_authenticator_codes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
