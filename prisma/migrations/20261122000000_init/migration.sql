-- CreateEnum
CREATE TYPE "BookingMode" AS ENUM ('instant', 'approval');

-- CreateEnum
CREATE TYPE "Locale" AS ENUM ('fr', 'en');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('telegram', 'whatsapp', 'sms', 'web', 'console', 'api');

-- CreateEnum
CREATE TYPE "AppointmentStatus" AS ENUM ('requested', 'confirmed', 'declined', 'cancelled', 'completed', 'no_show');

-- CreateEnum
CREATE TYPE "ConsultationMode" AS ENUM ('in_person', 'teleconsultation');

-- CreateEnum
CREATE TYPE "ExceptionKind" AS ENUM ('leave', 'holiday', 'blocked');

-- CreateEnum
CREATE TYPE "Presence" AS ENUM ('free', 'busy');

-- CreateEnum
CREATE TYPE "StaffRole" AS ENUM ('admin', 'secretary', 'doctor');

-- CreateEnum
CREATE TYPE "ActorKind" AS ENUM ('patient', 'staff', 'doctor', 'system');

-- CreateTable
CREATE TABLE "clinic" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "emergency_phone" TEXT NOT NULL,
    "national_emergency_number" TEXT NOT NULL DEFAULT '112',
    "time_zone" TEXT NOT NULL,
    "default_locale" "Locale" NOT NULL DEFAULT 'fr',
    "currency" CHAR(3) NOT NULL DEFAULT 'EUR',
    "cancellation_cutoff_hours" INTEGER NOT NULL DEFAULT 24,
    "min_booking_notice_minutes" INTEGER NOT NULL DEFAULT 60,
    "booking_mode" "BookingMode" NOT NULL DEFAULT 'instant',
    "slot_step_minutes" INTEGER NOT NULL DEFAULT 15,
    "teleconsultation_url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "clinic_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "specialty" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name_fr" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "keywords_fr" TEXT[],
    "keywords_en" TEXT[],

    CONSTRAINT "specialty_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "doctor" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "title" TEXT NOT NULL DEFAULT 'Dr',
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "languages" "Locale"[],
    "phone" TEXT,
    "telegram_chat_id" TEXT,
    "whatsapp_phone" TEXT,
    "on_call" BOOLEAN NOT NULL DEFAULT false,
    "presence" "Presence" NOT NULL DEFAULT 'free',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "doctor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "doctor_specialty" (
    "doctor_id" UUID NOT NULL,
    "specialty_id" UUID NOT NULL,

    CONSTRAINT "doctor_specialty_pkey" PRIMARY KEY ("doctor_id","specialty_id")
);

-- CreateTable
CREATE TABLE "appointment_type" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "specialty_id" UUID,
    "code" TEXT NOT NULL,
    "name_fr" TEXT NOT NULL,
    "name_en" TEXT NOT NULL,
    "duration_minutes" INTEGER NOT NULL,
    "price_minor" INTEGER NOT NULL,
    "mode" "ConsultationMode" NOT NULL DEFAULT 'in_person',
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "appointment_type_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "working_hours" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "doctor_id" UUID NOT NULL,
    "weekday" INTEGER NOT NULL,
    "start_minute" INTEGER NOT NULL,
    "end_minute" INTEGER NOT NULL,
    "valid_from" DATE,
    "valid_until" DATE,

    CONSTRAINT "working_hours_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "working_hours_appointment_type" (
    "working_hours_id" UUID NOT NULL,
    "appointment_type_id" UUID NOT NULL,

    CONSTRAINT "working_hours_appointment_type_pkey" PRIMARY KEY ("working_hours_id","appointment_type_id")
);

-- CreateTable
CREATE TABLE "schedule_exception" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "doctor_id" UUID,
    "kind" "ExceptionKind" NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT,

    CONSTRAINT "schedule_exception_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "first_name" TEXT NOT NULL,
    "last_name" TEXT NOT NULL,
    "birth_date" DATE,
    "phone" TEXT,
    "email" TEXT,
    "preferred_locale" "Locale" NOT NULL DEFAULT 'fr',
    "preferred_channel" "Channel",
    "consent_at" TIMESTAMPTZ(3),
    "consent_version" TEXT,
    "erased_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "patient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "channel_identity" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "patient_id" UUID NOT NULL,
    "channel" "Channel" NOT NULL,
    "external_id" TEXT NOT NULL,
    "verified" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_identity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "appointment" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "doctor_id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "type_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "AppointmentStatus" NOT NULL,
    "reason" TEXT,
    "source_channel" "Channel" NOT NULL,
    "overbooked" BOOLEAN NOT NULL DEFAULT false,
    "idempotency_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "appointment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "appointment_event" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "appointment_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_kind" "ActorKind" NOT NULL,
    "actor_id" TEXT,
    "from_status" "AppointmentStatus",
    "to_status" "AppointmentStatus" NOT NULL,
    "reason" TEXT,
    "detail" JSONB,

    CONSTRAINT "appointment_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slot_hold" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "doctor_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "holder" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slot_hold_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff_user" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "clinic_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "StaffRole" NOT NULL,
    "doctor_id" UUID,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "failed_logins" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "staff_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_kind" "ActorKind" NOT NULL,
    "actor_id" TEXT,
    "action" TEXT NOT NULL,
    "resource_type" TEXT NOT NULL,
    "resource_id" TEXT,
    "patient_id" UUID,
    "ip" TEXT,
    "detail" JSONB,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "specialty_clinic_id_code_key" ON "specialty"("clinic_id", "code");

-- CreateIndex
CREATE INDEX "doctor_clinic_id_idx" ON "doctor"("clinic_id");

-- CreateIndex
CREATE INDEX "doctor_specialty_specialty_id_idx" ON "doctor_specialty"("specialty_id");

-- CreateIndex
CREATE UNIQUE INDEX "appointment_type_clinic_id_code_key" ON "appointment_type"("clinic_id", "code");

-- CreateIndex
CREATE INDEX "working_hours_doctor_id_idx" ON "working_hours"("doctor_id");

-- CreateIndex
CREATE INDEX "schedule_exception_clinic_id_starts_at_idx" ON "schedule_exception"("clinic_id", "starts_at");

-- CreateIndex
CREATE INDEX "schedule_exception_doctor_id_starts_at_idx" ON "schedule_exception"("doctor_id", "starts_at");

-- CreateIndex
CREATE INDEX "patient_clinic_id_last_name_idx" ON "patient"("clinic_id", "last_name");

-- CreateIndex
CREATE UNIQUE INDEX "patient_clinic_id_phone_key" ON "patient"("clinic_id", "phone");

-- CreateIndex
CREATE INDEX "channel_identity_patient_id_idx" ON "channel_identity"("patient_id");

-- CreateIndex
CREATE UNIQUE INDEX "channel_identity_channel_external_id_key" ON "channel_identity"("channel", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "appointment_idempotency_key_key" ON "appointment"("idempotency_key");

-- CreateIndex
CREATE INDEX "appointment_doctor_id_starts_at_idx" ON "appointment"("doctor_id", "starts_at");

-- CreateIndex
CREATE INDEX "appointment_patient_id_starts_at_idx" ON "appointment"("patient_id", "starts_at");

-- CreateIndex
CREATE INDEX "appointment_clinic_id_starts_at_idx" ON "appointment"("clinic_id", "starts_at");

-- CreateIndex
CREATE INDEX "appointment_status_starts_at_idx" ON "appointment"("status", "starts_at");

-- CreateIndex
CREATE INDEX "appointment_event_appointment_id_at_idx" ON "appointment_event"("appointment_id", "at");

-- CreateIndex
CREATE INDEX "slot_hold_doctor_id_starts_at_idx" ON "slot_hold"("doctor_id", "starts_at");

-- CreateIndex
CREATE INDEX "slot_hold_holder_idx" ON "slot_hold"("holder");

-- CreateIndex
CREATE UNIQUE INDEX "staff_user_email_key" ON "staff_user"("email");

-- CreateIndex
CREATE UNIQUE INDEX "staff_user_doctor_id_key" ON "staff_user"("doctor_id");

-- CreateIndex
CREATE INDEX "audit_log_patient_id_at_idx" ON "audit_log"("patient_id", "at");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- AddForeignKey
ALTER TABLE "specialty" ADD CONSTRAINT "specialty_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "doctor" ADD CONSTRAINT "doctor_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "doctor_specialty" ADD CONSTRAINT "doctor_specialty_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "doctor_specialty" ADD CONSTRAINT "doctor_specialty_specialty_id_fkey" FOREIGN KEY ("specialty_id") REFERENCES "specialty"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointment_type" ADD CONSTRAINT "appointment_type_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointment_type" ADD CONSTRAINT "appointment_type_specialty_id_fkey" FOREIGN KEY ("specialty_id") REFERENCES "specialty"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "working_hours" ADD CONSTRAINT "working_hours_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "working_hours_appointment_type" ADD CONSTRAINT "working_hours_appointment_type_working_hours_id_fkey" FOREIGN KEY ("working_hours_id") REFERENCES "working_hours"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "working_hours_appointment_type" ADD CONSTRAINT "working_hours_appointment_type_appointment_type_id_fkey" FOREIGN KEY ("appointment_type_id") REFERENCES "appointment_type"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedule_exception" ADD CONSTRAINT "schedule_exception_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "schedule_exception" ADD CONSTRAINT "schedule_exception_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient" ADD CONSTRAINT "patient_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "channel_identity" ADD CONSTRAINT "channel_identity_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointment" ADD CONSTRAINT "appointment_clinic_id_fkey" FOREIGN KEY ("clinic_id") REFERENCES "clinic"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointment" ADD CONSTRAINT "appointment_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctor"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointment" ADD CONSTRAINT "appointment_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointment" ADD CONSTRAINT "appointment_type_id_fkey" FOREIGN KEY ("type_id") REFERENCES "appointment_type"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointment_event" ADD CONSTRAINT "appointment_event_appointment_id_fkey" FOREIGN KEY ("appointment_id") REFERENCES "appointment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot_hold" ADD CONSTRAINT "slot_hold_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "staff_user" ADD CONSTRAINT "staff_user_doctor_id_fkey" FOREIGN KEY ("doctor_id") REFERENCES "doctor"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Hand-written: what Prisma's schema language cannot say.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- No two active appointments of one doctor may overlap. Staff overbooking (recorded
-- override) is the only exception.
ALTER TABLE "appointment" ADD CONSTRAINT "appointment_no_overlap"
  EXCLUDE USING gist ("doctor_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&)
  WHERE ("status" IN ('requested', 'confirmed') AND NOT "overbooked");

-- One live hold per slot; expired holds are deleted by whoever needs the slot next.
ALTER TABLE "slot_hold" ADD CONSTRAINT "slot_hold_no_overlap"
  EXCLUDE USING gist ("doctor_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&);

-- At most 12 hours long: availability queries rely on it to bound their index scans.
ALTER TABLE "appointment" ADD CONSTRAINT "appointment_duration" CHECK ("ends_at" > "starts_at" AND "ends_at" - "starts_at" <= interval '12 hours');
ALTER TABLE "slot_hold" ADD CONSTRAINT "slot_hold_duration" CHECK ("ends_at" > "starts_at" AND "ends_at" - "starts_at" <= interval '12 hours');
ALTER TABLE "schedule_exception" ADD CONSTRAINT "schedule_exception_ends_after_start" CHECK ("ends_at" > "starts_at");
ALTER TABLE "working_hours" ADD CONSTRAINT "working_hours_minutes" CHECK ("start_minute" >= 0 AND "end_minute" <= 1440 AND "end_minute" > "start_minute" AND "weekday" BETWEEN 1 AND 7);
