import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Database } from "../data/db.js";
import type { PatientDocument } from "../data/generated/client.js";
import { recordAudit } from "./audit.js";
import { DomainError, invalid, notFound } from "./errors.js";
import type { PatientAccess } from "./patients.js";
import { patientForPart } from "./records.js";

/*
 * Files about a patient (lab results, imaging, letters). The type is read from the bytes, not
 * the name; the bytes live in DOCUMENTS_DIR, outside anything served over HTTP, under a random
 * name; they leave only through an authorized, audited download.
 */

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
export const DOCUMENT_KINDS = ["lab_result", "imaging", "referral", "report", "other"] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export type DocumentType = "application/pdf" | "image/png" | "image/jpeg";

const EXTENSIONS: Record<DocumentType, readonly string[]> = {
  "application/pdf": [".pdf"],
  "image/png": [".png"],
  "image/jpeg": [".jpg", ".jpeg"],
};

/** The type the bytes really are (magic numbers), or null when not a PDF, PNG or JPEG. */
export function sniffDocumentType(bytes: Uint8Array): DocumentType | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return "application/pdf"; // %PDF-
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  return null;
}

/** Where document bytes are kept: one flat folder of random names. */
export class DocumentStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  private file(key: string): string {
    // Keys are our own UUIDs; anything else never reaches the file system.
    if (!/^[0-9a-f-]{36}$/.test(key)) throw new Error("bad storage key");
    return path.join(this.dir, key);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.file(key)}.part`;
    await writeFile(temporary, bytes, { mode: 0o600, flag: "wx" });
    await rename(temporary, this.file(key));
  }

  read(key: string): Promise<Buffer> {
    return readFile(this.file(key));
  }

  async remove(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }
}

/** A file name safe to show and to send back in Content-Disposition: no path, no control characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = [...base]
    .filter((ch) => ch.charCodeAt(0) >= 32 && ch.charCodeAt(0) !== 127 && ch !== '"')
    .join("")
    .trim()
    .slice(-120);
  return clean || "document";
}

export type FileRefusal = "empty" | "too_large" | "type" | "mismatch";

const refusedFile = (reason: FileRefusal, message: string) =>
  new DomainError("invalid", `file: ${message}`, { field: "file", reason });

export interface Upload {
  kind: string;
  fileName: string;
  bytes: Uint8Array;
}

export async function uploadDocument(
  db: Database,
  store: DocumentStore,
  access: PatientAccess,
  patientId: string,
  upload: Upload,
): Promise<PatientDocument> {
  await patientForPart(db, access, patientId, "documents", "write");
  if (!(DOCUMENT_KINDS as readonly string[]).includes(upload.kind)) throw invalid("kind", DOCUMENT_KINDS.join(", "));
  if (upload.bytes.length === 0) throw refusedFile("empty", "the file is empty");
  if (upload.bytes.length > MAX_DOCUMENT_BYTES) throw refusedFile("too_large", "larger than 10 MB");
  const type = sniffDocumentType(upload.bytes);
  if (!type) throw refusedFile("type", "not a PDF, PNG or JPEG file");
  const fileName = cleanFileName(upload.fileName);
  if (!EXTENSIONS[type].includes(path.extname(fileName).toLowerCase()))
    throw refusedFile("mismatch", `the content is ${type}, which does not match the file name`);
  const storageKey = randomUUID();
  await store.put(storageKey, upload.bytes);
  let document: PatientDocument;
  try {
    document = await db.prisma.patientDocument.create({
      data: {
        patientId,
        kind: upload.kind,
        fileName,
        mimeType: type,
        sizeBytes: upload.bytes.length,
        sha256: createHash("sha256").update(upload.bytes).digest("hex"),
        storageKey,
        uploadedBy: access.actor.userId,
      },
    });
  } catch (err) {
    await store.remove(storageKey);
    throw err;
  }
  await recordAudit(db, {
    actor: access.actor,
    action: "document.upload",
    resourceType: "patient_document",
    resourceId: document.id,
    patientId,
    ip: access.ip,
    detail: { kind: document.kind, mimeType: type, sizeBytes: document.sizeBytes },
  });
  return document;
}

export async function listDocuments(
  db: Database,
  access: PatientAccess,
  patientId: string,
): Promise<PatientDocument[]> {
  await patientForPart(db, access, patientId, "documents", "read");
  const rows = await db.prisma.patientDocument.findMany({
    where: { patientId },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  await recordAudit(db, {
    actor: access.actor,
    action: "document.list",
    resourceType: "patient",
    resourceId: patientId,
    patientId,
    ip: access.ip,
  });
  return rows;
}

/** A document's row and bytes, for a download; audited. A checksum mismatch is an error, not a file. */
export async function openDocument(
  db: Database,
  store: DocumentStore,
  access: PatientAccess,
  patientId: string,
  documentId: string,
): Promise<{ document: PatientDocument; bytes: Buffer }> {
  await patientForPart(db, access, patientId, "documents", "read");
  const document = await db.prisma.patientDocument.findFirst({ where: { id: documentId, patientId } });
  if (!document) throw notFound("document", documentId);
  const bytes = await store.read(document.storageKey);
  if (createHash("sha256").update(bytes).digest("hex") !== document.sha256)
    throw new Error(`document ${document.id}: stored bytes do not match their checksum`);
  await recordAudit(db, {
    actor: access.actor,
    action: "document.download",
    resourceType: "patient_document",
    resourceId: document.id,
    patientId,
    ip: access.ip,
  });
  return { document, bytes };
}
