-- CreateTable
CREATE TABLE "sms_opt_out" (
    "phone" TEXT NOT NULL,
    "opted_out_at" TIMESTAMPTZ(3) NOT NULL,
    "opted_in_at" TIMESTAMPTZ(3),

    CONSTRAINT "sms_opt_out_pkey" PRIMARY KEY ("phone")
);

-- CreateTable
CREATE TABLE "sms_delivery" (
    "message_sid" TEXT NOT NULL,
    "job_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "error_code" INTEGER,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sms_delivery_pkey" PRIMARY KEY ("message_sid")
);

-- CreateIndex
CREATE INDEX "sms_delivery_job_id_idx" ON "sms_delivery"("job_id");

