-- Trigram indexes (ILIKE search on tasks) need pg_trgm; Neon and stock PostgreSQL ship it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
