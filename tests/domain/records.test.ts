import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/data/db.js";
import { searchAudit } from "../../src/domain/audit-search.js";
import {
  DocumentStore,
  listDocuments,
  MAX_DOCUMENT_BYTES,
  openDocument,
  sniffDocumentType,
  uploadDocument,
} from "../../src/domain/documents.js";
import { isDomainError } from "../../src/domain/errors.js";
import { erasePatient, exportPatient } from "../../src/domain/gdpr.js";
import type { PatientAccess } from "../../src/domain/patients.js";
import {
  addAllergy,
  addDiagnosis,
  createPrescription,
  editNote,
  listAllergies,
  readClinicalRecord,
  readPrescription,
  resolveDiagnosis,
  writeNote,
} from "../../src/domain/records.js";
import {
  checkClinicSettings,
  parseKeywords,
  saveClinicSettings,
  saveSpecialty,
  settingsOf,
} from "../../src/domain/settings.js";
import { changeStaffAccount, createStaffAccount } from "../../src/domain/staff-admin.js";
import type { StaffActor } from "../../src/domain/staff.js";
import { createTestClinic, seedAppointment, type TestClinic } from "../support/clinic.js";
import { freshDatabase } from "../support/database.js";

const NOW = new Date("2026-12-07T10:00:00Z");
const PDF = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(200, 0x20), Buffer.from("\n%%EOF\n")]);
const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");

let db: Database;
let clinic: TestClinic;
let store: DocumentStore;
let dir: string;
const users = { admin: "", secretary: "", doctor: "", otherDoctor: "" };
let doctor: StaffActor, otherDoctor: StaffActor, secretary: StaffActor, admin: StaffActor;
let mine: string, theirs: string, visit: string;

const as = (actor: StaffActor): PatientAccess => ({ clinicId: clinic.clinicId, actor, ip: "127.0.0.1" });
const refused = async (p: Promise<unknown>, code: "forbidden" | "not_found" | "invalid" | "conflict") => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isDomainError(err, code), String(err)).toBe(true);
};

beforeAll(async () => {
  db = await freshDatabase();
  clinic = await createTestClinic(db, { doctors: 2, patients: 3 });
  dir = await mkdtemp(path.join(tmpdir(), "tabib-docs-"));
  store = new DocumentStore(dir);
  for (const [key, role, doctorId] of [
    ["admin", "admin", null],
    ["secretary", "secretary", null],
    ["doctor", "doctor", clinic.doctorIds[0]],
    ["otherDoctor", "doctor", clinic.doctorIds[1]],
  ] as const) {
    const u = await db.prisma.staffUser.create({
      data: { clinicId: clinic.clinicId, email: `${key}@t.local`, displayName: key, role, doctorId, passwordHash: "x" },
    });
    users[key] = u.id;
  }
  doctor = { kind: "staff", userId: users.doctor, role: "doctor", doctorId: clinic.doctorIds[0] };
  otherDoctor = { kind: "staff", userId: users.otherDoctor, role: "doctor", doctorId: clinic.doctorIds[1] };
  secretary = { kind: "staff", userId: users.secretary, role: "secretary", doctorId: null };
  admin = { kind: "staff", userId: users.admin, role: "admin", doctorId: null };
  [mine, theirs] = clinic.patientIds as [string, string];
  visit = (
    await seedAppointment(db, clinic, {
      doctorId: clinic.doctorIds[0]!,
      startsAt: new Date("2026-12-01T09:00:00Z"),
      patientId: mine,
    })
  ).id;
  await seedAppointment(db, clinic, {
    doctorId: clinic.doctorIds[1]!,
    startsAt: new Date("2026-12-01T09:00:00Z"),
    patientId: theirs,
  });
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe("clinical records", () => {
  it("a doctor writes a note on a visit with their patient and reads it back, each step audited", async () => {
    const note = await writeNote(db, as(doctor), mine, { body: "Angine, pas de fièvre.", appointmentId: visit }, NOW);
    expect(note.appointmentId).toBe(visit);
    const record = await readClinicalRecord(db, as(doctor), mine);
    expect(record.notes.map((n) => n.body)).toEqual(["Angine, pas de fièvre."]);
    expect(record.notes[0]!.appointment?.startsAt).toEqual(new Date("2026-12-01T09:00:00Z"));
    const actions = (await db.prisma.auditLog.findMany({ where: { patientId: mine }, orderBy: { id: "asc" } })).map(
      (a) => a.action,
    );
    expect(actions).toEqual(["note.create", "clinical.read"]);
    const rows = await db.prisma.auditLog.findMany({ where: { patientId: mine } });
    // The audit log holds identifiers, never the note's words.
    expect(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain("Angine");
  });

  it("a secretary cannot read or write clinical notes", async () => {
    await refused(readClinicalRecord(db, as(secretary), mine), "forbidden");
    await refused(writeNote(db, as(secretary), mine, { body: "x" }, NOW), "forbidden");
    await refused(readClinicalRecord(db, as(admin), mine), "forbidden");
  });

  it("a doctor cannot open the record of another doctor's patient", async () => {
    await refused(readClinicalRecord(db, as(doctor), theirs), "forbidden");
    await refused(writeNote(db, as(doctor), theirs, { body: "x" }, NOW), "forbidden");
    await refused(addDiagnosis(db, as(doctor), theirs, { label: "x" }, NOW), "forbidden");
  });

  it("a request the doctor declined does not open the patient's medical record to them", async () => {
    const stranger = await db.prisma.patient.create({
      data: { clinicId: clinic.clinicId, firstName: "Refusé", lastName: "Demande" },
    });
    await seedAppointment(db, clinic, {
      doctorId: clinic.doctorIds[0]!,
      startsAt: new Date("2026-12-03T09:00:00Z"),
      patientId: stranger.id,
      status: "declined",
    });
    await refused(readClinicalRecord(db, as(doctor), stranger.id), "forbidden");
  });

  it("a note is tied only to the doctor's own visit, and only its author may correct it", async () => {
    await refused(writeNote(db, as(otherDoctor), theirs, { body: "x", appointmentId: visit }, NOW), "invalid");
    const other = await writeNote(db, as(otherDoctor), theirs, { body: "Note du Dr Tor1" }, NOW);
    // Doctor 0 also saw `theirs` once: now both may read, only the author may edit.
    await seedAppointment(db, clinic, {
      doctorId: clinic.doctorIds[0]!,
      startsAt: new Date("2026-12-02T09:00:00Z"),
      patientId: theirs,
    });
    expect((await readClinicalRecord(db, as(doctor), theirs)).notes.map((n) => n.body)).toContain("Note du Dr Tor1");
    await refused(editNote(db, as(doctor), theirs, other.id, "changed", NOW), "forbidden");
    expect((await editNote(db, as(otherDoctor), theirs, other.id, "Note corrigée", NOW)).body).toBe("Note corrigée");
    await refused(writeNote(db, as(doctor), mine, { body: "   " }, NOW), "invalid");
  });

  it("diagnoses take ICD-10 codes and are resolved once", async () => {
    await refused(addDiagnosis(db, as(doctor), mine, { label: "Angine", code: "not a code" }, NOW), "invalid");
    const d = await addDiagnosis(db, as(doctor), mine, { label: "Angine", code: "j02.9" }, NOW);
    expect(d.code).toBe("J02.9");
    const later = new Date(+NOW + 86_400_000);
    expect((await resolveDiagnosis(db, as(doctor), mine, d.id, later)).resolvedAt).toEqual(later);
    expect((await resolveDiagnosis(db, as(doctor), mine, d.id, NOW)).resolvedAt).toEqual(later);
  });

  it("a prescription keeps its lines in order and prints with the prescriber and the clinic", async () => {
    await refused(createPrescription(db, as(doctor), mine, { items: [] }, NOW), "invalid");
    const rx = await createPrescription(
      db,
      as(doctor),
      mine,
      {
        items: [
          { drug: "Amoxicilline 1 g", dosage: "1 comprimé matin et soir", instructions: "7 jours" },
          { drug: "Paracétamol 1 g", dosage: "1 comprimé si douleur" },
        ],
        appointmentId: visit,
      },
      NOW,
    );
    const printed = await readPrescription(db, as(doctor), mine, rx.id);
    expect(printed.prescription.items.map((i) => i.drug)).toEqual(["Amoxicilline 1 g", "Paracétamol 1 g"]);
    expect(printed.prescription.doctor.lastName).toBe("Tor0");
    expect(printed.clinic.name).toBe("Test clinic");
    await refused(readPrescription(db, as(secretary), mine, rx.id), "forbidden");
  });

  it("allergies are recorded by doctors and seen by the front desk too", async () => {
    await refused(addAllergy(db, as(secretary), mine, { substance: "Latex" }, NOW), "forbidden");
    await refused(addAllergy(db, as(doctor), mine, { substance: "Latex", severity: "deadly" }, NOW), "invalid");
    await addAllergy(
      db,
      as(doctor),
      mine,
      { substance: "Pénicilline", reaction: "urticaire", severity: "severe" },
      NOW,
    );
    expect((await listAllergies(db, as(secretary), mine)).map((a) => a.substance)).toEqual(["Pénicilline"]);
    await refused(listAllergies(db, as(admin), mine), "forbidden");
  });
});

describe("patient documents", () => {
  it("recognises PDF, PNG and JPEG by their bytes, not their names", () => {
    expect(sniffDocumentType(PDF)).toBe("application/pdf");
    expect(sniffDocumentType(PNG)).toBe("image/png");
    expect(sniffDocumentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe("image/jpeg");
    expect(sniffDocumentType(Buffer.from("<html><script>alert(1)</script>"))).toBeNull();
  });

  it("a PDF uploaded by the secretary is stored outside the web root and comes back intact, audited", async () => {
    const doc = await uploadDocument(db, store, as(secretary), mine, {
      kind: "lab_result",
      fileName: "C:\\scans\\bilan sanguin.pdf",
      bytes: PDF,
    });
    expect(doc.fileName).toBe("bilan sanguin.pdf");
    expect(doc.mimeType).toBe("application/pdf");
    expect(await readdir(dir)).toEqual([doc.storageKey]);
    const { bytes } = await openDocument(db, store, as(doctor), mine, doc.id);
    expect(bytes.equals(PDF)).toBe(true);
    expect((await listDocuments(db, as(secretary), mine)).map((d) => d.id)).toEqual([doc.id]);
    const actions = await db.prisma.auditLog.findMany({
      where: { patientId: mine, action: { startsWith: "document." } },
      orderBy: { id: "asc" },
    });
    expect(actions.map((a) => a.action)).toEqual(["document.upload", "document.download", "document.list"]);
  });

  it("refuses a script renamed .pdf, a PNG named .pdf, an empty file and anything over 10 MB", async () => {
    const up = (fileName: string, bytes: Buffer) =>
      uploadDocument(db, store, as(secretary), mine, { kind: "other", fileName, bytes });
    await refused(up("résultats.pdf", Buffer.from("<script>alert(1)</script>")), "invalid");
    await refused(up("image.pdf", PNG), "invalid");
    await refused(up("vide.pdf", Buffer.alloc(0)), "invalid");
    const big = Buffer.concat([PDF, Buffer.alloc(MAX_DOCUMENT_BYTES)]);
    await refused(up("gros.pdf", big), "invalid");
    await refused(
      uploadDocument(db, store, as(secretary), mine, { kind: "x-ray", fileName: "a.pdf", bytes: PDF }),
      "invalid",
    );
    expect(await readdir(dir)).toHaveLength(1);
  });

  it("an admin and another doctor's account cannot fetch a document", async () => {
    const [doc] = await db.prisma.patientDocument.findMany({ where: { patientId: mine } });
    await refused(openDocument(db, store, as(admin), mine, doc!.id), "forbidden");
    await refused(openDocument(db, store, as(otherDoctor), mine, doc!.id), "forbidden");
    // The document belongs to `mine`: asking for it under another patient finds nothing.
    await refused(openDocument(db, store, as(otherDoctor), theirs, doc!.id), "not_found");
  });
});

describe("GDPR", () => {
  let invoiceId: string;

  beforeAll(async () => {
    await db.prisma.channelIdentity.create({ data: { patientId: mine, channel: "telegram", externalId: "tg-4242" } });
    const conversation = await db.prisma.conversation.create({
      data: { clinicId: clinic.clinicId, channel: "telegram", senderId: "tg-4242", patientId: mine, snapshot: {} },
    });
    await db.prisma.conversationMessage.create({
      data: { conversationId: conversation.id, direction: "in", author: "patient", text: "J'ai mal à la gorge" },
    });
    await db.prisma.patient.update({
      where: { id: mine },
      data: { email: "pat0@example.org", birthDate: new Date("1990-05-04"), insuranceNumber: "1900575123456" },
    });
    invoiceId = (
      await db.prisma.invoice.create({
        data: {
          clinicId: clinic.clinicId,
          patientId: mine,
          appointmentId: visit,
          number: "2026-000001",
          status: "paid",
          currency: "EUR",
          totalMinor: 3000,
          patientPartMinor: 3000,
          issuedAt: NOW,
          lines: { create: [{ position: 1, description: "Consultation", unitPriceMinor: 3000 }] },
          payments: { create: [{ payer: "patient", method: "card", amountMinor: 3000 }] },
        },
      })
    ).id;
  });

  it("only an admin exports, and the export holds everything about the patient", async () => {
    await refused(exportPatient(db, as(secretary), mine, NOW), "forbidden");
    await refused(exportPatient(db, as(doctor), mine, NOW), "forbidden");
    const data = await exportPatient(db, as(admin), mine, NOW);
    const json = JSON.parse(JSON.stringify(data));
    expect(json.format).toBe("tabib.patient-export/1");
    expect(json.patient).toMatchObject({ lastName: "Ient0", email: "pat0@example.org", birthDate: "1990-05-04" });
    expect(json.channelIdentities).toEqual([expect.objectContaining({ channel: "telegram", externalId: "tg-4242" })]);
    expect(json.appointments[0].events).toBeInstanceOf(Array);
    expect(json.clinicalNotes.map((n: { body: string }) => n.body)).toContain("Angine, pas de fièvre.");
    expect(json.diagnoses[0].code).toBe("J02.9");
    expect(json.prescriptions[0].items).toHaveLength(2);
    expect(json.allergies[0].substance).toBe("Pénicilline");
    expect(json.documents[0]).toMatchObject({ fileName: "bilan sanguin.pdf", mimeType: "application/pdf" });
    expect(json.invoices[0]).toMatchObject({ number: "2026-000001", totalMinor: 3000 });
    expect(json.invoices[0].payments).toHaveLength(1);
    expect(json.conversations[0].transcript[0].text).toBe("J'ai mal à la gorge");
    expect(await db.prisma.auditLog.count({ where: { action: "patient.export", patientId: mine } })).toBe(1);
  });

  it("erasure waits until the patient's upcoming appointments are cancelled", async () => {
    const upcoming = await seedAppointment(db, clinic, {
      doctorId: clinic.doctorIds[0]!,
      startsAt: new Date("2026-12-20T09:00:00Z"),
      patientId: mine,
    });
    await refused(erasePatient(db, store, as(admin), mine, NOW), "conflict");
    await db.prisma.appointment.update({ where: { id: upcoming.id }, data: { status: "cancelled" } });
  });

  it("erasing keeps the invoice and the name on it, and removes everything else", async () => {
    await refused(erasePatient(db, store, as(secretary), mine, NOW), "forbidden");
    const report = await erasePatient(db, store, as(admin), mine, NOW);
    expect(report).toMatchObject({ erased: true, nameKept: true });
    const p = await db.prisma.patient.findUniqueOrThrow({ where: { id: mine } });
    expect(p).toMatchObject({
      firstName: "Pat0",
      lastName: "Ient0",
      phone: null,
      email: null,
      birthDate: null,
      insuranceNumber: null,
      erasedAt: NOW,
    });
    const counts = await Promise.all([
      db.prisma.clinicalNote.count({ where: { patientId: mine } }),
      db.prisma.diagnosis.count({ where: { patientId: mine } }),
      db.prisma.prescription.count({ where: { patientId: mine } }),
      db.prisma.allergy.count({ where: { patientId: mine } }),
      db.prisma.patientDocument.count({ where: { patientId: mine } }),
      db.prisma.channelIdentity.count({ where: { patientId: mine } }),
      db.prisma.conversation.count({ where: { patientId: mine } }),
      db.prisma.conversationMessage.count(),
    ]);
    expect(counts).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(await readdir(dir)).toEqual([]);
    const invoice = await db.prisma.invoice.findUniqueOrThrow({
      where: { id: invoiceId },
      include: { lines: true, payments: true },
    });
    expect(invoice).toMatchObject({ patientId: mine, number: "2026-000001", totalMinor: 3000 });
    expect(invoice.lines).toHaveLength(1);
    expect(invoice.payments).toHaveLength(1);
    expect(await db.prisma.auditLog.count({ where: { action: "patient.erase", patientId: mine } })).toBe(1);
    // Erased records take no new clinical data, and a second erasure changes nothing.
    await refused(writeNote(db, as(doctor), mine, { body: "x" }, NOW), "conflict");
    expect((await erasePatient(db, store, as(admin), mine, NOW)).erased).toBe(false);
  });

  it("a patient without invoices loses their name too", async () => {
    const third = clinic.patientIds[2]!;
    await erasePatient(db, store, as(admin), third, NOW);
    const p = await db.prisma.patient.findUniqueOrThrow({ where: { id: third } });
    expect(p.firstName).toBe("");
    expect(p.lastName).toBe(`Patient #${third.slice(0, 8)}`);
    expect(p.phone).toBeNull();
  });
});

describe("administration", () => {
  it("clinic settings are checked as a whole and audited by field name", async () => {
    const before = settingsOf(await db.prisma.clinic.findUniqueOrThrow({ where: { id: clinic.clinicId } }));
    expect(() => checkClinicSettings({ ...before, timeZone: "Mars/Olympus" })).toThrow(/timeZone/);
    expect(() => checkClinicSettings({ ...before, quietHoursStartMinute: 1440 })).toThrow(/quietHours/);
    expect(() => checkClinicSettings({ ...before, reminderOffsetsMinutes: [120, 120] })).toThrow(/once/);
    expect(() => checkClinicSettings({ ...before, confirmationDeadlineHours: 48 })).toThrow(/earliest reminder/);
    expect(() => checkClinicSettings({ ...before, teleconsultationUrl: "http://visio" })).toThrow(/https/);
    await refused(saveClinicSettings(db, secretary, clinic.clinicId, before), "forbidden");
    const { clinic: saved, changed } = await saveClinicSettings(db, admin, clinic.clinicId, {
      ...before,
      bookingMode: "approval",
      reminderOffsetsMinutes: [60, 2880],
      emergencyAckMinutes: 3,
    });
    expect(changed).toEqual(["bookingMode", "emergencyAckMinutes", "reminderOffsetsMinutes"]);
    expect(saved.reminderOffsetsMinutes).toEqual([2880, 60]);
    const row = await db.prisma.auditLog.findFirstOrThrow({ where: { action: "clinic.update" } });
    expect(row.detail).toEqual({ fields: changed });
  });

  it("specialty keywords are read from free text, both languages", async () => {
    expect(parseKeywords("Fièvre, toux;\n mal  de gorge,, toux")).toEqual(["fièvre", "toux", "mal de gorge"]);
    const s = await saveSpecialty(db, admin, clinic.clinicId, null, {
      code: "ent",
      nameFr: "ORL",
      nameEn: "ENT",
      keywordsFr: parseKeywords("oreille, gorge"),
      keywordsEn: parseKeywords("ear, throat"),
    });
    expect(s.keywordsEn).toEqual(["ear", "throat"]);
    await refused(
      saveSpecialty(db, admin, clinic.clinicId, null, { ...s, code: "Bad Code", keywordsFr: [], keywordsEn: [] }),
      "invalid",
    );
  });

  it("an admin creates, demotes and deactivates accounts but never the last admin", async () => {
    const { user, temporaryPassword } = await createStaffAccount(db, admin, clinic.clinicId, {
      email: "Nouvelle@T.local",
      displayName: "Nouvelle secrétaire",
      role: "secretary",
    });
    expect(user).toMatchObject({ email: "nouvelle@t.local", mustChangePassword: true });
    expect(temporaryPassword).toHaveLength(16);
    await refused(changeStaffAccount(db, admin, clinic.clinicId, users.admin, { active: false }), "conflict");
    const off = await changeStaffAccount(db, admin, clinic.clinicId, user.id, { active: false });
    expect(off.active).toBe(false);
    const promoted = await changeStaffAccount(db, admin, clinic.clinicId, user.id, { role: "admin", active: true });
    expect(promoted.role).toBe("admin");
    // With two admins, the first may be demoted by the second, but not the other way round afterwards.
    const second: StaffActor = { kind: "staff", userId: user.id, role: "admin", doctorId: null };
    await changeStaffAccount(db, second, clinic.clinicId, users.admin, { role: "secretary" });
    await refused(changeStaffAccount(db, second, clinic.clinicId, user.id, { role: "secretary" }), "conflict");
    await refused(
      createStaffAccount(db, secretary, clinic.clinicId, { email: "a@b.c", displayName: "x", role: "admin" }),
      "forbidden",
    );
    const actions = (await db.prisma.auditLog.findMany({ where: { resourceId: user.id }, orderBy: { id: "asc" } })).map(
      (a) => a.action,
    );
    expect(actions).toEqual(["staff.create", "staff.deactivate", "staff.reactivate"]);
  });

  it("the audit log reads back newest first, filtered and a page at a time", async () => {
    const promoted = await db.prisma.staffUser.findFirstOrThrow({ where: { email: "nouvelle@t.local" } });
    const reader: StaffActor = { kind: "staff", userId: promoted.id, role: "admin", doctorId: null };
    await refused(searchAudit(db, secretary, clinic.clinicId, {}), "forbidden");
    const first = await searchAudit(db, reader, clinic.clinicId, { patientId: mine }, { limit: 3 });
    expect(first.rows).toHaveLength(3);
    expect(first.rows[0]!.action).toBe("patient.erase");
    expect(first.rows[0]!.actorName).toBe("admin");
    expect(first.rows[0]!.patientName).toBe("Pat0 Ient0");
    const second = await searchAudit(db, reader, clinic.clinicId, { patientId: mine }, { before: first.nextBefore! });
    expect(Number(second.rows[0]!.id)).toBeLessThan(Number(first.rows[2]!.id));
    const notes = await searchAudit(db, reader, clinic.clinicId, { action: "note", actorId: users.doctor });
    expect(notes.rows.map((r) => r.action)).toEqual(["note.create"]);
    const later = await searchAudit(db, reader, clinic.clinicId, { from: new Date(Date.now() + 3_600_000) });
    expect(later.rows).toEqual([]);
    await refused(searchAudit(db, reader, clinic.clinicId, { action: "x'; drop" }), "invalid");
  });
});
