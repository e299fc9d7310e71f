import type { AppContext } from "../context.js";
import { alertJob, agendaJob, requestJob } from "../bots/doctor-messages.js";
import { clinicOutbox, type Outbox } from "../bots/outbox.js";
import { waitlistOfferJob } from "../bots/waitlist-offers.js";
import { onCareEvent, type FreedSlot } from "../domain/care-events.js";
import { agendasDue } from "../domain/doctor-agenda.js";
import type { DoctorChannels } from "../domain/doctor-reach.js";
import { requestsToAnnounce } from "../domain/doctor-requests.js";
import { escalateEmergencies } from "../domain/emergencies.js";
import { expireWaitlistOffers, offerFreedSlot } from "../domain/waitlist.js";

/** How often the timed care work runs: escalation is due within this of its minute. */
export const CARE_TICK_MS = 5_000;

export interface CareReport {
  waitlistOffers: number;
  alerts: number;
  requests: number;
  agendas: number;
}

/** Waitlist offers, emergency alerts and escalation, doctors' requests and agendas. */
export interface CareService {
  /** One pass of the timed work: lapsed offers move on, emergencies escalate, requests and agendas go out. */
  tick(): Promise<CareReport>;
  /** Resolves once the work started by domain events so far is done. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface CareOptions {
  /** Defaults to the outbox over every configured channel. */
  outbox?: Outbox;
  /** Run `tick` every `tickMs` (the worker; the web process too unless a separate worker runs). */
  timers?: boolean;
  tickMs?: number;
}

/**
 * Starts the care work of one process. Domain events heard here (a slot freed, an emergency
 * raised) are acted on at once in this process, whatever runs the timers: every process that
 * changes appointments must run this. The database is the truth for all of it, so several
 * processes may run the timers together: each offer, alert step, request and agenda is
 * claimed once.
 */
export function startCare(
  ctx: Pick<AppContext, "config" | "db" | "logger" | "now">,
  opts: CareOptions = {},
): CareService {
  const { db, logger } = ctx;
  const outbox = opts.outbox ?? clinicOutbox(ctx);
  const ownsOutbox = !opts.outbox;
  const patientChannels = [...outbox.channels];
  const doctorChannels: DoctorChannels = {
    telegram: outbox.channels.has("telegram"),
    whatsapp: outbox.channels.has("whatsapp"),
  };
  const offerDeps = {
    db,
    holdMinutes: ctx.config.HOLD_MINUTES,
    idleMinutes: ctx.config.CONVERSATION_IDLE_MINUTES,
    now: ctx.now,
  };

  async function offerSlot(slot: FreedSlot): Promise<number> {
    const offer = await offerFreedSlot(db, slot, { channels: patientChannels, now: ctx.now() });
    if (!offer) return 0;
    await outbox.send([await waitlistOfferJob(offerDeps, offer)]);
    logger.info({ offer: offer.offerId, channel: offer.channel }, "waitlist offer sent");
    return 1;
  }

  async function escalate(): Promise<number> {
    const alerts = await escalateEmergencies(db, { now: ctx.now(), channels: doctorChannels });
    if (alerts.length === 0) return 0;
    await outbox.send(alerts.map(alertJob));
    for (const a of alerts)
      logger.warn(
        { event: a.eventId, alert: a.alertId, level: a.level, channel: a.doctor.channel },
        "emergency alert sent",
      );
    return alerts.length;
  }

  const inFlight = new Set<Promise<unknown>>();
  function track(what: string, work: Promise<unknown>): void {
    const p = work.catch((err: Error) => logger.error({ err }, `${what} failed`));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  const unsubscribe = onCareEvent(db, (event) => {
    if (event.kind === "slotFreed") track("waitlist offer", offerSlot(event.slot));
    else track("emergency alert", escalate());
  });

  /** Runs one part of a pass; a failing part is logged and does not stop the others. */
  async function part(what: string, fn: () => Promise<number>): Promise<number> {
    try {
      return await fn();
    } catch (err) {
      logger.error({ err }, `${what} failed`);
      return 0;
    }
  }

  let running: Promise<CareReport> | null = null;
  function tick(): Promise<CareReport> {
    running ??= (async () => {
      const now = ctx.now();
      const report: CareReport = {
        waitlistOffers: await part("waitlist expiry", async () => {
          let sent = 0;
          for (const slot of await expireWaitlistOffers(db, now)) sent += await offerSlot(slot);
          return sent;
        }),
        alerts: await part("emergency escalation", escalate),
        requests: await part("doctor requests", async () => {
          const requests = await requestsToAnnounce(db, { now, channels: doctorChannels });
          if (requests.length > 0) await outbox.send(requests.map(requestJob));
          return requests.length;
        }),
        agendas: await part("doctor agendas", async () => {
          const agendas = await agendasDue(db, { now, channels: doctorChannels });
          if (agendas.length > 0) await outbox.send(agendas.map(agendaJob));
          return agendas.length;
        }),
      };
      return report;
    })().finally(() => (running = null));
    return running;
  }

  const timer = opts.timers ? setInterval(() => void tick(), opts.tickMs ?? CARE_TICK_MS) : null;
  timer?.unref();

  return {
    tick,
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async close() {
      if (timer) clearInterval(timer);
      unsubscribe();
      await running;
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      if (ownsOutbox) await outbox.close();
    },
  };
}
