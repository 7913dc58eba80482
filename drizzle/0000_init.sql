CREATE TABLE "client_algorithms" (
	"client_id" bigint NOT NULL,
	"algorithm" varchar(30) NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "client_algorithms_pkey" PRIMARY KEY("client_id","algorithm")
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" varchar(50) NOT NULL,
	"version" integer NOT NULL,
	"image" varchar(255) NOT NULL,
	"cpu" varchar(32) NOT NULL,
	"mem" varchar(32) NOT NULL,
	"priority" double precision DEFAULT 0 NOT NULL,
	"need_restart" boolean DEFAULT false NOT NULL,
	"spawned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"key" varchar(255) PRIMARY KEY NOT NULL,
	"request_hash" varchar(64) NOT NULL,
	"status_code" integer NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leader_epoch" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"epoch" bigint DEFAULT 0 NOT NULL,
	"replica_id" varchar(100),
	"since" timestamp with time zone,
	CONSTRAINT "leader_epoch_single_row_check" CHECK ("leader_epoch"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "operations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"epoch" bigint NOT NULL,
	"round" bigint,
	"replica_id" varchar(100) NOT NULL,
	"kind" varchar(16) NOT NULL,
	"pod" varchar(63) NOT NULL,
	"client_id" bigint NOT NULL,
	"algorithm" varchar(30) NOT NULL,
	"result" varchar(16) NOT NULL,
	"error" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subject" varchar(100) NOT NULL,
	"client_id" bigint NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pods" (
	"name" varchar(63) PRIMARY KEY NOT NULL,
	"client_id" bigint NOT NULL,
	"algorithm" varchar(30) NOT NULL,
	"spec_hash" varchar(64) NOT NULL,
	"epoch" bigint NOT NULL,
	"observed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "client_algorithms" ADD CONSTRAINT "client_algorithms_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "operations_client_id_id_idx" ON "operations" USING btree ("client_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "pods_client_id_idx" ON "pods" USING btree ("client_id");