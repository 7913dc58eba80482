ALTER TABLE "pods" ADD COLUMN "phase" varchar(16) DEFAULT 'Pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "pods" ADD COLUMN "ready" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "pods" ADD COLUMN "restarts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "pods" ADD COLUMN "reason" varchar(100);--> statement-breakpoint
ALTER TABLE "pods" ADD COLUMN "message" text;--> statement-breakpoint
ALTER TABLE "pods" ADD COLUMN "node" varchar(253);--> statement-breakpoint
ALTER TABLE "pods" ADD COLUMN "since" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "pods_unready_name_idx" ON "pods" USING btree ("name") WHERE not "pods"."ready";