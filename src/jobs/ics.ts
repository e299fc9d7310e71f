/**
 * One appointment as an iCalendar (RFC 5545) object. The UID is the appointment's, so a move
 * updates the entry already in the patient's calendar (higher SEQUENCE) and a cancellation
 * removes it (METHOD:CANCEL, STATUS:CANCELLED).
 */
export interface CalendarEntry {
  appointmentId: string;
  /** Increases with every change of the appointment. */
  sequence: number;
  cancelled: boolean;
  start: Date;
  end: Date;
  title: string;
  location: string;
  description: string;
  organizer: { name: string; email: string };
  stamp: Date;
}

export function appointmentIcs(e: CalendarEntry): { method: "PUBLISH" | "CANCEL"; content: string } {
  const method = e.cancelled ? "CANCEL" : "PUBLISH";
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Tabib//Appointments//EN",
    "CALSCALE:GREGORIAN",
    `METHOD:${method}`,
    "BEGIN:VEVENT",
    `UID:${e.appointmentId}@tabib`,
    `SEQUENCE:${e.sequence}`,
    `DTSTAMP:${utc(e.stamp)}`,
    `DTSTART:${utc(e.start)}`,
    `DTEND:${utc(e.end)}`,
    `SUMMARY:${text(e.title)}`,
    `LOCATION:${text(e.location)}`,
    `DESCRIPTION:${text(e.description)}`,
    `ORGANIZER;CN=${param(e.organizer.name)}:mailto:${e.organizer.email}`,
    `STATUS:${e.cancelled ? "CANCELLED" : "CONFIRMED"}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return { method, content: lines.map(fold).join("\r\n") + "\r\n" };
}

/** 20261130T090000Z */
const utc = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");

/** TEXT values escape backslashes, semicolons, commas and newlines. */
const text = (s: string): string => s.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r?\n/g, "\\n");

/** A parameter value is quoted when it holds characters that would end it. */
const param = (s: string): string => (/[:;,]/.test(s) ? `"${s.replace(/"/g, "'")}"` : s);

/** Lines longer than 75 octets continue on the next line after a space, never inside a UTF-8 character. */
function fold(line: string): string {
  const out: string[] = [];
  let current = "";
  let size = 0;
  for (const ch of line) {
    const bytes = Buffer.byteLength(ch);
    if (size + bytes > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = "";
      size = 0;
    }
    current += ch;
    size += bytes;
  }
  out.push(current);
  return out.join("\r\n ");
}
