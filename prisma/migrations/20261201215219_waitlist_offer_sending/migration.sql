-- AlterTable
ALTER TABLE "waitlist_offer" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "channel" "Channel",
ADD COLUMN     "chat_id" TEXT,
ADD COLUMN     "claimed_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_error" TEXT,
ADD COLUMN     "sent_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "waitlist_offer_status_expires_at_idx" ON "waitlist_offer"("status", "expires_at");


-- Offers made before this migration were sent when they were made: the sweep must not send them again.
UPDATE "waitlist_offer" SET "sent_at" = "created_at" WHERE "sent_at" IS NULL;
