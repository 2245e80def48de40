-- btree_gin lets one GIN index hold the user id beside the trigrams (Neon and stock PostgreSQL ship it).
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
DROP INDEX "tasks_title_trgm_idx";--> statement-breakpoint
DROP INDEX "tasks_description_trgm_idx";--> statement-breakpoint
CREATE INDEX "tasks_user_updated_idx" ON "tasks" USING btree ("user_id","updated_at" DESC NULLS FIRST,"created_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "tasks_user_priority_idx" ON "tasks" USING btree ("user_id","priority" DESC NULLS FIRST,"created_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "tasks_user_due_idx" ON "tasks" USING btree ("user_id","due_date","created_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "tasks_user_title_idx" ON "tasks" USING btree ("user_id",lower("title"),"title","created_at" DESC NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "tasks_user_title_trgm_idx" ON "tasks" USING gin ("user_id","title" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "tasks_user_description_trgm_idx" ON "tasks" USING gin ("user_id","description" gin_trgm_ops);