ALTER TABLE "notification_channels" ADD COLUMN "previous_secret_ciphertext" text;--> statement-breakpoint
ALTER TABLE "notification_channels" ADD COLUMN "previous_secret_until" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "stream_destinations" ADD COLUMN "previous_secret_ciphertext" text;--> statement-breakpoint
ALTER TABLE "stream_destinations" ADD COLUMN "previous_secret_until" timestamp (3) with time zone;
