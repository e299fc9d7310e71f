import {
  syncReminders,
  appointmentsMissingReminders,
  dueReminders,
  type ScheduledReminder,
} from "../domain/reminders.js";
import { pendingNotices } from "../domain/notices.js";
import type { FollowUpDeps } from "./deps.js";
import type { FollowUpQueue } from "./follow-up-queue.js";
import { deliverNotice } from "./send-notice.js";
import { deliverReminder, sendSmsFallbacks } from "./send-reminder.js";

export interface SweepReport {
  /** Appointments whose reminder rows were missing or stale (a process died mid-change). */
  repaired: number;
  /** With Redis: reminders (re)queued as delayed jobs; without: reminders sent by this pass. */
  reminders: number;
  /** Notices queued (Redis) or sent (embedded). */
  notices: number;
  /** Reminders sent again by SMS because their chat channel could not deliver them. */
  smsFallbacks: number;
}

const BATCH = 1_000;
/** Appointments this far ahead are checked for missing reminders (covers offsets up to a week). */
const REPAIR_HORIZON_MS = 8 * 86_400_000;

/**
 * One pass over the truth in Postgres. With a queue: every reminder due within `lookaheadMs`
 * and every pending notice is (re)added as a job — already-queued ids are no-ops, so after a
 * Redis restart or FLUSHALL the next pass puts back whatever was lost. Without Redis
 * (embedded mode) the pass itself sends what is due. Safe to run from several processes.
 */
export async function sweepFollowUps(
  deps: FollowUpDeps,
  opts: { queue: FollowUpQueue | null; lookaheadMs: number },
): Promise<SweepReport> {
  const now = deps.now();
  const report: SweepReport = { repaired: 0, reminders: 0, notices: 0, smsFallbacks: 0 };

  const stale = await appointmentsMissingReminders(deps.db, {
    now,
    horizon: new Date(+now + REPAIR_HORIZON_MS),
    limit: BATCH,
  });
  for (const id of stale) await syncReminders(deps.db, id, now);
  report.repaired = stale.length;

  const until = new Date(+now + (opts.queue ? opts.lookaheadMs : 0));
  let after: ScheduledReminder | undefined;
  for (;;) {
    const due = await dueReminders(deps.db, { until, now, leaseMs: deps.leaseMs, limit: BATCH, after });
    if (due.length === 0) break;
    if (opts.queue) {
      await opts.queue.schedule(
        due.map((r) => ({ kind: "reminder", id: r.id, at: r.sendAt })),
        now,
      );
      report.reminders += due.length;
    } else {
      for (const r of due) if ((await deliverReminder(deps, r.id)).state === "sent") report.reminders++;
    }
    after = due[due.length - 1];
    if (due.length < BATCH) break;
  }

  const notices = await pendingNotices(deps.db, { now, leaseMs: deps.leaseMs, limit: BATCH });
  if (opts.queue) {
    await opts.queue.schedule(
      notices.map((id) => ({ kind: "notice", id, at: now })),
      now,
    );
    report.notices = notices.length;
  } else {
    for (const id of notices) if ((await deliverNotice(deps, id)) === "sent") report.notices++;
  }
  report.smsFallbacks = await sendSmsFallbacks(deps);
  return report;
}
