-- Added by hand, as drizzle-kit cannot express a backfill: rows written before this migration
-- (the audit history, an outbox not yet published) get a random UUID each, which is just as
-- unique beyond this database; rows written after it carry the UUIDv7 the application makes.
ALTER TABLE "operations" ADD COLUMN "event_id" uuid;--> statement-breakpoint
UPDATE "operations" SET "event_id" = gen_random_uuid();--> statement-breakpoint
ALTER TABLE "operations" ALTER COLUMN "event_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "event_id" uuid;--> statement-breakpoint
UPDATE "outbox" SET "event_id" = gen_random_uuid();--> statement-breakpoint
ALTER TABLE "outbox" ALTER COLUMN "event_id" SET NOT NULL;
