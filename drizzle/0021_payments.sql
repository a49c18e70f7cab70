CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"created" timestamp with time zone NOT NULL,
	"payload" jsonb NOT NULL,
	"source" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"outcome" text,
	"order_id" bigint,
	"payment_intent_id" text,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "stripe_payments" (
	"payment_intent_id" text PRIMARY KEY NOT NULL,
	"order_id" bigint,
	"state" text NOT NULL,
	"amount_minor" bigint,
	"currency" char(3),
	"charge_id" text,
	"failure_code" text,
	"failure_message" text,
	"review_reason" text,
	"succeeded_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"refund_event_id" text,
	"refunded_at" timestamp with time zone,
	"last_event_id" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stripe_payments_state" CHECK ("stripe_payments"."state" in ('succeeded','failed','mismatch','refunded','refund_waiting','partial_refund','unmatched'))
);
--> statement-breakpoint
CREATE TABLE "stripe_sync_state" (
	"id" text PRIMARY KEY NOT NULL,
	"last_event_id" text,
	"last_event_created" timestamp with time zone,
	"last_sync_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "stripe_events" ADD CONSTRAINT "stripe_events_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stripe_payments" ADD CONSTRAINT "stripe_payments_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stripe_events_created_idx" ON "stripe_events" USING btree ("created" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "stripe_events_unprocessed_idx" ON "stripe_events" USING btree ("created") WHERE processed_at is null;--> statement-breakpoint
CREATE INDEX "stripe_events_pi_idx" ON "stripe_events" USING btree ("payment_intent_id");--> statement-breakpoint
CREATE INDEX "stripe_payments_state_idx" ON "stripe_payments" USING btree ("state","updated_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "stripe_payments_order_idx" ON "stripe_payments" USING btree ("order_id");