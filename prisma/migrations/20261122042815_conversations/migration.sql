-- CreateTable
CREATE TABLE "conversation" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "channel" "Channel" NOT NULL,
    "sender_id" TEXT NOT NULL,
    "patient_id" UUID,
    "locale" "Locale" NOT NULL DEFAULT 'fr',
    "snapshot" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'active',
    "last_activity_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "handed_to_human" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processed_message" (
    "channel" "Channel" NOT NULL,
    "provider_message_id" TEXT NOT NULL,
    "conversation_id" UUID NOT NULL,
    "replies" JSONB NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_message_pkey" PRIMARY KEY ("channel","provider_message_id")
);

-- CreateTable
CREATE TABLE "emergency_event" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "patient_id" UUID,
    "conversation_id" UUID NOT NULL,
    "category" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),

    CONSTRAINT "emergency_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "conversation_clinic_id_last_activity_at_idx" ON "conversation"("clinic_id", "last_activity_at");

-- CreateIndex
CREATE UNIQUE INDEX "conversation_channel_sender_id_key" ON "conversation"("channel", "sender_id");

-- CreateIndex
CREATE INDEX "processed_message_conversation_id_idx" ON "processed_message"("conversation_id");

-- CreateIndex
CREATE INDEX "emergency_event_clinic_id_created_at_idx" ON "emergency_event"("clinic_id", "created_at");

-- AddForeignKey
ALTER TABLE "conversation" ADD CONSTRAINT "conversation_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation" ADD CONSTRAINT "conversation_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "processed_message" ADD CONSTRAINT "processed_message_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emergency_event" ADD CONSTRAINT "emergency_event_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emergency_event" ADD CONSTRAINT "emergency_event_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emergency_event" ADD CONSTRAINT "emergency_event_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

