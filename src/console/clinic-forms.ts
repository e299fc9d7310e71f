import type { Request } from "express";
import { DateTime } from "luxon";
import type { ClinicClock, LocalDate } from "../domain/clinic-time.js";
import { DomainError, notFound } from "../domain/errors.js";
import type { MessageKey, Translate } from "./i18n.js";

/*
 * What the schedule, appointment and inbox pages share: reading ids, local dates and times
 * from forms, writing instants as the clinic's wall-clock, and wording booking refusals.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCAL_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const isUuid = (v: unknown): v is string => typeof v === "string" && UUID.test(v);

/** A route's `:name` id; anything else is the console's 404 page. */
export function idParam(req: Request, name = "id"): string {
  const id = req.params[name];
  if (!isUuid(id)) throw notFound("page");
  return id;
}

/** A UUID from a query or form value, or undefined. */
export const optionalUuid = (v: unknown): string | undefined => (isUuid(v) ? v : undefined);

/** Text from a form field, trimmed and capped. */
export const field = (body: unknown, name: string, max = 500): string =>
  String((body as Record<string, unknown> | undefined)?.[name] ?? "")
    .trim()
    .slice(0, max);

/** "YYYY-MM-DD" when it is a real calendar day. */
export function localDay(v: unknown): LocalDate | null {
  if (typeof v !== "string") return null;
  const m = LOCAL_DAY.exec(v);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.toISOString().slice(0, 10) === v ? v : null;
}

/** Minutes after midnight of "HH:MM", or null. */
export function localMinute(v: unknown): number | null {
  if (typeof v !== "string") return null;
  const m = LOCAL_TIME.exec(v);
  return m ? +m[1]! * 60 + +m[2]! : null;
}

export const minuteText = (minute: number): string =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

/** The instant of a wall-clock "YYYY-MM-DDTHH:MM" (or separate day and time) in the clinic's zone. */
export function wallClockInstant(clock: ClinicClock, day: unknown, time: unknown): Date | null {
  const d = localDay(day);
  const m = localMinute(time);
  return d === null || m === null ? null : new Date(clock.at(d, m));
}

/**
 * An instant as the clinic's wall-clock "YYYY-MM-DDTHH:MM:SS" (no offset). Fast path through
 * the clock's memoized local midnights; a day with a DST change goes through luxon.
 */
export function wallClock(clock: ClinicClock, instant: Date): string {
  const day = clock.dayOf(instant);
  const midnight = clock.at(day, 0);
  if (clock.at(clock.addDays(day, 1), 0) - midnight !== 86_400_000)
    return DateTime.fromJSDate(instant, { zone: clock.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
  const seconds = Math.floor((+instant - midnight) / 1000);
  const hh = String(Math.floor(seconds / 3600)).padStart(2, "0");
  const mm = String(Math.floor(seconds / 60) % 60).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  return `${day}T${hh}:${mm}:${ss}`;
}

const CHANNEL_LABEL: Record<string, MessageKey> = {
  telegram: "inboxTelegram",
  whatsapp: "inboxWhatsapp",
  sms: "inboxSms",
  web: "inboxWeb",
  console: "inboxConsole",
  api: "inboxApi",
};

/** A channel's name as staff read it. */
export const channelLabel = (t: Translate, channel: string): string => t(CHANNEL_LABEL[channel] ?? "inboxOther");

const REFUSAL: Partial<Record<DomainError["code"], MessageKey>> = {
  slot_taken: "schRefusedTaken",
  slot_unavailable: "schRefusedUnavailable",
  in_the_past: "schRefusedPast",
  notice_too_short: "schRefusedNotice",
  invalid_transition: "schRefusedStatus",
  forbidden: "forbidden",
  not_found: "notFound",
  invalid: "schRefusedInvalid",
  conflict: "conflict",
};

/** A booking rule's refusal in the staff member's language, or null for an unexpected error. */
export function refusalText(t: Translate, err: unknown): string | null {
  if (!(err instanceof DomainError)) return null;
  if (err.code === "inside_cutoff") return t("schRefusedCutoff", { hours: Number(err.details.cutoffHours ?? 0) });
  const key = REFUSAL[err.code];
  return key ? t(key) : null;
}
