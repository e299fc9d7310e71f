import type { FollowUpDeps } from "../../src/jobs/deps.js";

/**
 * What sending reminders and notices needs, as tests give it: no mailer unless given, 5-minute
 * holds, a one-minute lease and the WhatsApp templates' usual names.
 */
export function testFollowUpDeps(
  parts: Pick<FollowUpDeps, "db" | "outbox" | "logger" | "now"> & Partial<FollowUpDeps>,
): FollowUpDeps {
  return {
    mailer: null,
    holdMinutes: 5,
    idleMinutes: 30,
    leaseMs: 60_000,
    whatsappTemplates: { reminder: "appointment_reminder", notice: "appointment_update" },
    ...parts,
  };
}
