-- CreateEnum
CREATE TYPE "ReminderKind" AS ENUM ('confirm', 'plain');

-- CreateEnum
CREATE TYPE "ReminderStatus" AS ENUM ('scheduled', 'sent', 'cancelled', 'skipped', 'failed');

-- CreateEnum
CREATE TYPE "WaitlistStatus" AS ENUM ('waiting', 'booked', 'withdrawn');

-- CreateEnum
CREATE TYPE "InvoiceStatus" AS ENUM ('draft', 'issued', 'partly_paid', 'paid', 'void');

-- CreateEnum
CREATE TYPE "PaymentMethod" AS ENUM ('cash', 'card', 'transfer', 'insurer');

-- CreateEnum
CREATE TYPE "Payer" AS ENUM ('patient', 'insurer');

-- DropForeignKey
ALTER TABLE "emergency_event" DROP CONSTRAINT "emergency_event_conversation_id_fkey";

-- AlterTable
ALTER TABLE "clinic" ADD COLUMN     "agenda_minute" INTEGER,
ADD COLUMN     "confirmation_deadline_hours" INTEGER NOT NULL DEFAULT 24,
ADD COLUMN     "emergency_ack_minutes" INTEGER NOT NULL DEFAULT 5,
ADD COLUMN     "quiet_hours_end_minute" INTEGER NOT NULL DEFAULT 480,
ADD COLUMN     "quiet_hours_start_minute" INTEGER NOT NULL DEFAULT 1260,
ADD COLUMN     "reminder_offsets_minutes" INTEGER[] DEFAULT ARRAY[2880, 120]::INTEGER[],
ADD COLUMN     "waitlist_hold_minutes" INTEGER NOT NULL DEFAULT 15;

-- AlterTable
ALTER TABLE "doctor" ADD COLUMN     "escalation_rank" INTEGER NOT NULL DEFAULT 100;

-- AlterTable
ALTER TABLE "patient" ADD COLUMN     "insurance_coverage_bp" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "insurance_number" TEXT,
ADD COLUMN     "insurer_id" UUID;

-- AlterTable
ALTER TABLE "emergency_event" ADD COLUMN     "acknowledged_by_doctor_id" UUID,
ADD COLUMN     "escalation_level" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "note" TEXT,
ADD COLUMN     "raised_by" UUID,
ADD COLUMN     "resolved_at" TIMESTAMPTZ(3),
ALTER COLUMN "conversation_id" DROP NOT NULL;

-- CreateTable
CREATE TABLE "emergency_alert" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "event_id" UUID NOT NULL,
    "doctor_id" UUID NOT NULL,
    "level" INTEGER NOT NULL,
    "channel" "Channel" NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),

    CONSTRAINT "emergency_alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reminder" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "appointment_id" UUID NOT NULL,
    "offset_minutes" INTEGER NOT NULL,
    "kind" "ReminderKind" NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "send_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "ReminderStatus" NOT NULL DEFAULT 'scheduled',
    "channel" "Channel",
    "claimed_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reminder_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notice" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "appointment_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "medium" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "sent_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "waitlist_entry" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "specialty_id" UUID,
    "doctor_id" UUID,
    "type_id" UUID,
    "appointment_id" UUID,
    "wanted_before" TIMESTAMPTZ(3),
    "channel" "Channel" NOT NULL,
    "status" "WaitlistStatus" NOT NULL DEFAULT 'waiting',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "waitlist_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "waitlist_offer" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "entry_id" UUID NOT NULL,
    "doctor_id" UUID NOT NULL,
    "type_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'offered',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "waitlist_offer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation_message" (
    "id" BIGSERIAL NOT NULL,
    "conversation_id" UUID NOT NULL,
    "direction" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "staff_user_id" UUID,
    "text" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "conversation_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_delivery" (
    "job_id" TEXT NOT NULL,
    "channel" "Channel" NOT NULL,
    "provider_message_id" TEXT,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_delivery_pkey" PRIMARY KEY ("job_id")
);

-- CreateTable
CREATE TABLE "clinical_note" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "patient_id" UUID NOT NULL,
    "doctor_id" UUID NOT NULL,
    "appointment_id" UUID,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "clinical_note_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "diagnosis" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "patient_id" UUID NOT NULL,
    "doctor_id" UUID NOT NULL,
    "code" TEXT,
    "label" TEXT NOT NULL,
    "noted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "diagnosis_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prescription" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "patient_id" UUID NOT NULL,
    "doctor_id" UUID NOT NULL,
    "appointment_id" UUID,
    "notes" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "prescription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prescription_item" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "prescription_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "drug" TEXT NOT NULL,
    "dosage" TEXT NOT NULL,
    "instructions" TEXT,

    CONSTRAINT "prescription_item_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "allergy" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "patient_id" UUID NOT NULL,
    "substance" TEXT NOT NULL,
    "reaction" TEXT,
    "severity" TEXT,
    "recorded_by" UUID,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "allergy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient_document" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "patient_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "mime_type" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "storage_key" TEXT NOT NULL,
    "uploaded_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "patient_document_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "insurer" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "code" TEXT NOT NULL,

    CONSTRAINT "insurer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoice" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "appointment_id" UUID,
    "number" TEXT,
    "status" "InvoiceStatus" NOT NULL DEFAULT 'draft',
    "currency" CHAR(3) NOT NULL,
    "insurer_id" UUID,
    "insurer_share_bp" INTEGER NOT NULL DEFAULT 0,
    "total_minor" INTEGER NOT NULL DEFAULT 0,
    "insurer_part_minor" INTEGER NOT NULL DEFAULT 0,
    "patient_part_minor" INTEGER NOT NULL DEFAULT 0,
    "issued_at" TIMESTAMPTZ(3),
    "voided_at" TIMESTAMPTZ(3),
    "void_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoice_line" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "invoice_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "description" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL DEFAULT 1,
    "unit_price_minor" INTEGER NOT NULL,

    CONSTRAINT "invoice_line_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "invoice_id" UUID NOT NULL,
    "payer" "Payer" NOT NULL,
    "method" "PaymentMethod" NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reference" TEXT,
    "recorded_by" UUID,

    CONSTRAINT "payment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "emergency_alert_event_id_sent_at_idx" ON "emergency_alert"("event_id", "sent_at");

-- CreateIndex
CREATE UNIQUE INDEX "emergency_alert_event_id_doctor_id_key" ON "emergency_alert"("event_id", "doctor_id");

-- CreateIndex
CREATE INDEX "reminder_status_send_at_idx" ON "reminder"("status", "send_at");

-- CreateIndex
CREATE UNIQUE INDEX "reminder_appointment_id_offset_minutes_key" ON "reminder"("appointment_id", "offset_minutes");

-- CreateIndex
CREATE UNIQUE INDEX "notice_dedupe_key_key" ON "notice"("dedupe_key");

-- CreateIndex
CREATE INDEX "notice_appointment_id_idx" ON "notice"("appointment_id");

-- CreateIndex
CREATE INDEX "notice_status_created_at_idx" ON "notice"("status", "created_at");

-- CreateIndex
CREATE INDEX "waitlist_entry_clinic_id_status_created_at_idx" ON "waitlist_entry"("clinic_id", "status", "created_at");

-- CreateIndex
CREATE INDEX "waitlist_offer_entry_id_idx" ON "waitlist_offer"("entry_id");

-- CreateIndex
CREATE INDEX "waitlist_offer_doctor_id_starts_at_idx" ON "waitlist_offer"("doctor_id", "starts_at");

-- CreateIndex
CREATE INDEX "conversation_message_conversation_id_id_idx" ON "conversation_message"("conversation_id", "id");

-- CreateIndex
CREATE INDEX "message_delivery_channel_provider_message_id_idx" ON "message_delivery"("channel", "provider_message_id");

-- CreateIndex
CREATE INDEX "message_delivery_status_updated_at_idx" ON "message_delivery"("status", "updated_at");

-- CreateIndex
CREATE INDEX "clinical_note_patient_id_created_at_idx" ON "clinical_note"("patient_id", "created_at");

-- CreateIndex
CREATE INDEX "diagnosis_patient_id_idx" ON "diagnosis"("patient_id");

-- CreateIndex
CREATE INDEX "prescription_patient_id_created_at_idx" ON "prescription"("patient_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "prescription_item_prescription_id_position_key" ON "prescription_item"("prescription_id", "position");

-- CreateIndex
CREATE INDEX "allergy_patient_id_idx" ON "allergy"("patient_id");

-- CreateIndex
CREATE UNIQUE INDEX "patient_document_storage_key_key" ON "patient_document"("storage_key");

-- CreateIndex
CREATE INDEX "patient_document_patient_id_created_at_idx" ON "patient_document"("patient_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "insurer_clinic_id_code_key" ON "insurer"("clinic_id", "code");

-- CreateIndex
CREATE INDEX "invoice_patient_id_idx" ON "invoice"("patient_id");

-- CreateIndex
CREATE INDEX "invoice_clinic_id_status_idx" ON "invoice"("clinic_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_clinic_id_number_key" ON "invoice"("clinic_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_line_invoice_id_position_key" ON "invoice_line"("invoice_id", "position");

-- CreateIndex
CREATE INDEX "payment_invoice_id_idx" ON "payment"("invoice_id");

-- AddForeignKey
ALTER TABLE "patient" ADD CONSTRAINT "patient_insurer_id_fkey" FOREIGN KEY ("insurer_id") REFERENCES "insurer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emergency_event" ADD CONSTRAINT "emergency_event_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emergency_alert" ADD CONSTRAINT "emergency_alert_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "emergency_event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "emergency_alert" ADD CONSTRAINT "emergency_alert_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reminder" ADD CONSTRAINT "reminder_appointment_id_fkey" FOREIGN KEY ("appointment_id") REFERENCES "appointment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notice" ADD CONSTRAINT "notice_appointment_id_fkey" FOREIGN KEY ("appointment_id") REFERENCES "appointment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "waitlist_offer" ADD CONSTRAINT "waitlist_offer_entry_id_fkey" FOREIGN KEY ("entry_id") REFERENCES "waitlist_entry"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation_message" ADD CONSTRAINT "conversation_message_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clinical_note" ADD CONSTRAINT "clinical_note_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clinical_note" ADD CONSTRAINT "clinical_note_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clinical_note" ADD CONSTRAINT "clinical_note_appointment_id_fkey" FOREIGN KEY ("appointment_id") REFERENCES "appointment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "diagnosis" ADD CONSTRAINT "diagnosis_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "diagnosis" ADD CONSTRAINT "diagnosis_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prescription" ADD CONSTRAINT "prescription_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prescription" ADD CONSTRAINT "prescription_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "prescription_item" ADD CONSTRAINT "prescription_item_prescription_id_fkey" FOREIGN KEY ("prescription_id") REFERENCES "prescription"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "allergy" ADD CONSTRAINT "allergy_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_document" ADD CONSTRAINT "patient_document_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "insurer" ADD CONSTRAINT "insurer_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_appointment_id_fkey" FOREIGN KEY ("appointment_id") REFERENCES "appointment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_insurer_id_fkey" FOREIGN KEY ("insurer_id") REFERENCES "insurer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice_line" ADD CONSTRAINT "invoice_line_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment" ADD CONSTRAINT "payment_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoice"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written: money and shares that can never be wrong in the database either.
ALTER TABLE "invoice_line" ADD CONSTRAINT "invoice_line_amounts" CHECK ("quantity" > 0 AND "unit_price_minor" >= 0);
ALTER TABLE "payment" ADD CONSTRAINT "payment_amount_positive" CHECK ("amount_minor" > 0);
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_parts_add_up" CHECK ("insurer_share_bp" BETWEEN 0 AND 10000 AND "insurer_part_minor" + "patient_part_minor" = "total_minor");
ALTER TABLE "patient" ADD CONSTRAINT "patient_coverage_bp" CHECK ("insurance_coverage_bp" BETWEEN 0 AND 10000);
ALTER TABLE "clinic" ADD CONSTRAINT "clinic_quiet_hours_minutes" CHECK ("quiet_hours_start_minute" BETWEEN 0 AND 1439 AND "quiet_hours_end_minute" BETWEEN 0 AND 1439);
