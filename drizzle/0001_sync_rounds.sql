CREATE TABLE "cluster_settings" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"round_requests" integer DEFAULT 0 NOT NULL,
	"round_requests_served" integer DEFAULT 0 NOT NULL,
	"forced_round_request" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cluster_settings_single_row_check" CHECK ("cluster_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "sync_rounds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"epoch" bigint NOT NULL,
	"replica_id" varchar(100) NOT NULL,
	"trigger" varchar(16) NOT NULL,
	"scope" bigint[],
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"planned" integer DEFAULT 0 NOT NULL,
	"done" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"guarded" boolean DEFAULT false NOT NULL,
	"paused" boolean DEFAULT false NOT NULL,
	"error" text,
	CONSTRAINT "sync_rounds_trigger_check" CHECK ("sync_rounds"."trigger" in ('periodic', 'event', 'manual', 'startup'))
);
--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "restart_requests" integer DEFAULT 0 NOT NULL;