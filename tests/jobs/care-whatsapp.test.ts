import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { loadConfig } from "../../src/config.js";
import type { AppContext } from "../../src/context.js";
import { cancelAppointment } from "../../src/domain/booking.js";
import { raiseEmergency } from "../../src/domain/emergencies.js";
import type { StaffActor } from "../../src/domain/staff.js";
import { joinWaitlist } from "../../src/domain/waitlist.js";
import { handleInbound } from "../../src/flows/engine.js";
import { startCare, type CareService } from "../../src/jobs/care.js";
import { createTestClinic, paris, seedAppointment, type TestClinic } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";
import { startFakeGraph, type GraphSend } from "../support/fake-graph.js";

// Doctors and waitlisted patients on the WhatsApp Cloud API, against the local fake Graph: what
// nobody is answering goes as the approved notice template once the 24-hour window is closed.
const WA_TOKEN = "whatsapp-access-token-for-care";
const DOCTOR = "33699000001";
const db = await freshDatabase();
const graph = await startFakeGraph(WA_TOKEN);
const secretary: StaffActor = { kind: "staff", userId: "00000000-0000-0000-0000-0000000000ec", role: "secretary" };
let now = paris("2026-11-30T10:00");
let clinic: TestClinic;
let ctx: AppContext;
let care: CareService;

beforeAll(async () => {
  clinic = await createTestClinic(db, { doctors: 1, patients: 1, cutoffHours: 0 });
  await db.prisma.doctor.update({ where: { id: clinic.doctorIds[0]! }, data: { whatsappPhone: `+${DOCTOR}` } });
  const config = loadConfig({
    NODE_ENV: "test",
    WHATSAPP_ACCESS_TOKEN: WA_TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: "1234567890",
    WHATSAPP_APP_SECRET: "whatsapp-app-secret",
    WHATSAPP_VERIFY_TOKEN: "verify-token",
    WHATSAPP_GRAPH_BASE: graph.apiBase,
    WHATSAPP_NOTICE_TEMPLATE: "clinic_update",
  });
  ctx = { config, db, logger: pino({ level: "silent" }), now: () => now };
  care = startCare(ctx);
});
afterAll(async () => {
  await care.close();
  await graph.close();
});

type Template = { name: string; language: { code: string }; components: { parameters: { text: string }[] }[] };
const templateOf = (send: GraphSend | undefined) => send?.body.template as Template | undefined;
const lastTo = (to: string) => graph.sent(to).at(-1);

/** `who` writes to the clinic's number: their 24-hour window opens. */
const writes = (who: string, text: string) =>
  handleInbound(
    { db, clinicId: clinic.clinicId, holdMinutes: 5, now: () => now },
    { channel: "whatsapp", senderId: who, text, providerMessageId: `wamid.in-${who}-${+now}`, receivedAt: now },
  );

async function emergency() {
  await raiseEmergency(db, { clinicId: clinic.clinicId, actor: secretary, category: "breathing", now });
  await care.settled();
}

describe("an emergency alert to a doctor on WhatsApp", () => {
  it("to a doctor who has not written in 24 hours, goes as the notice template with the alert as its text", async () => {
    await emergency();
    const sent = lastTo(DOCTOR);
    expect(sent?.body.type).toBe("template");
    const template = templateOf(sent)!;
    expect(template).toMatchObject({ name: "clinic_update", language: { code: "fr" } });
    const [text] = template.components[0]!.parameters.map((p) => p.text);
    expect(text).toMatch(/URGENCE/i);
    // Meta refuses line breaks in template values.
    expect(text).not.toMatch(/\n/);
  });

  it("to a doctor who wrote this morning, is the interactive message with its acknowledge button", async () => {
    now = paris("2026-11-30T10:30");
    await writes(DOCTOR, "bonjour");
    now = paris("2026-11-30T11:00");
    await db.sql.query(`UPDATE emergency_event SET resolved_at = $1 WHERE resolved_at IS NULL`, [now]);
    await emergency();
    const sent = lastTo(DOCTOR);
    expect(sent?.body.type).toBe("interactive");
    expect(JSON.stringify(sent?.body.interactive)).toMatch(/dr\.ack\./);
  });
});

describe("a doctor's morning agenda on WhatsApp", () => {
  it("outside the window, its lines go as one template value, one after the other", async () => {
    await db.sql.query(`UPDATE emergency_event SET resolved_at = $1 WHERE resolved_at IS NULL`, [now]);
    await db.prisma.clinic.update({ where: { id: clinic.clinicId }, data: { agendaMinute: 7 * 60 } });
    for (const hhmm of ["09:00", "10:30"])
      await seedAppointment(db, clinic, { doctorId: clinic.doctorIds[0]!, startsAt: paris(`2026-12-02T${hhmm}`) });
    now = paris("2026-12-02T07:30");
    await care.tick();
    const [text] = templateOf(lastTo(DOCTOR))!.components[0]!.parameters.map((p) => p.text);
    expect(text).toBe(
      "Votre journée du mercredi 2 décembre : 09:00 — Pat0 Ient0 (Consultation) · 10:30 — Pat0 Ient0 (Consultation)",
    );
    await db.prisma.clinic.update({ where: { id: clinic.clinicId }, data: { agendaMinute: null } });
  });
});

describe("a waitlist offer on WhatsApp", () => {
  async function waitlisted(whatsapp: string, locale: "fr" | "en") {
    const p = await db.prisma.patient.create({
      data: {
        clinicId: clinic.clinicId,
        firstName: "Nora",
        lastName: `Wa${whatsapp.slice(-2)}`,
        preferredLocale: locale,
        identities: { create: [{ channel: "whatsapp", externalId: whatsapp }] },
      },
    });
    await db.sql.query(`UPDATE waitlist_entry SET status = 'withdrawn' WHERE status = 'waiting'`);
    await joinWaitlist(db, {
      clinicId: clinic.clinicId,
      patientId: p.id,
      channel: "whatsapp",
      doctorId: clinic.doctorIds[0]!,
      actor: { kind: "patient", patientId: p.id },
      now,
    });
  }

  async function freed(startsAt: Date) {
    const a = await seedAppointment(db, clinic, { doctorId: clinic.doctorIds[0]!, startsAt });
    await cancelAppointment(db, { appointmentId: a.id, actor: secretary, now });
    await care.settled();
  }

  it("to a patient who never wrote, goes as the notice template in their language, the slot in its text", async () => {
    now = paris("2026-12-02T08:00");
    await waitlisted("33611220001", "en");
    await freed(paris("2026-12-04T09:00"));
    const template = templateOf(lastTo("33611220001"));
    expect(template).toMatchObject({ name: "clinic_update", language: { code: "en" } });
    expect(template!.components[0]!.parameters[0]!.text).toMatch(/Friday 4 December at 09:00/);
  });

  it("to a patient who wrote within 24 hours, is the interactive message with its two buttons", async () => {
    now = paris("2026-12-02T08:30");
    await waitlisted("33611220002", "fr");
    await writes("33611220002", "bonjour");
    await freed(paris("2026-12-04T10:00"));
    const sent = lastTo("33611220002");
    expect(sent?.body.type).toBe("interactive");
    expect(JSON.stringify(sent?.body.interactive)).toMatch(/vendredi 4 décembre à 10:00/);
  });
});
