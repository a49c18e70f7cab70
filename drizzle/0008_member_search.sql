CREATE TABLE "member_search" (
	"member_id" bigint PRIMARY KEY NOT NULL,
	"search_text" text COLLATE "C" NOT NULL,
	"phone_digits" text,
	"email_lower" text
);
--> statement-breakpoint
ALTER TABLE "member_search" ADD CONSTRAINT "member_search_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "member_search_text_trgm_idx" ON "member_search" USING gin ("search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "member_search_phone_trgm_idx" ON "member_search" USING gin ("phone_digits" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "member_search_email_idx" ON "member_search" USING btree ("email_lower" text_pattern_ops);