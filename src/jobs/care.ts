import type { AppContext } from "../context.js";
import { alertJob, agendaJob, requestJob } from "../bots/doctor-messages.js";
import { clinicOutbox, type Outbox } from "../bots/outbox.js";
import { waitlistOfferJob } from "../bots/waitlist-offers.js";
import { onCareEvent, type FreedSlot } from "../domain/care-events.js";
import { agendasDue } from "../domain/doctor-agenda.js";
import type { DoctorChannels } from "../domain/doctor-reach.js";
import { requestsToAnnounce } from "../domain/doctor-requests.js";
import { escalateEmergencies } from "../domain/emergencies.js";
import {
  claimWaitlistOffer,
  expireWaitlistOffers,
  freedSlotsToOffer,
  markWaitlistOfferSent,
  offerFreedSlot,
  releaseWaitlistOffer,
  unsentWaitlistOffers,
} from "../domain/waitlist.js";
import type { OutboundJob } from "../bots/delivery/outbound.js";
import { fitWhatsappWindow } from "./contact.js";
import { DEFAULT_LEASE_MS } from "./deps.js";

/** How often the timed care work runs: escalation is due within this of its minute. */
export const CARE_TICK_MS = 5_000;
/** How often a pass also looks in Postgres for freed slots no offer was made for (events are the fast path). */
export const FREED_SLOT_SWEEP_MS = 60_000;
const BATCH = 200;

export interface CareReport {
  waitlistOffers: number;
  alerts: number;
  requests: number;
  agendas: number;
}

/** Waitlist offers, emergency alerts and escalation, doctors' requests and agendas. */
export interface CareService {
  /**
   * One pass of the timed work: lapsed offers move on, unsent offers go, freed slots nobody
   * offered are found (at most every FREED_SLOT_SWEEP_MS), emergencies escalate, requests and
   * agendas go out.
   */
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
  /** A claim on an offer older than this belongs to a sender that died. Default DEFAULT_LEASE_MS. */
  leaseMs?: number;
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

  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  /** Nobody answered these messages: outside WhatsApp's window they go as the notice template. */
  const fit = (job: OutboundJob, locale: string) =>
    fitWhatsappWindow(db, job, { noticeTemplate: ctx.config.WHATSAPP_NOTICE_TEMPLATE, locale, now: ctx.now() });

  /** Sends a saved offer once: claimed, handed to the outbox under the offer's job id, marked sent. */
  async function sendOffer(offerId: string): Promise<number> {
    const offer = await claimWaitlistOffer(db, offerId, ctx.now(), leaseMs);
    if (!offer) return 0;
    try {
      await outbox.send([await fit(await waitlistOfferJob(offerDeps, offer), offer.locale)]);
    } catch (err) {
      logger.warn({ offer: offer.offerId, reason: (err as Error).message }, "waitlist offer not sent; will retry");
      await releaseWaitlistOffer(db, offer.offerId, (err as Error).message);
      return 0;
    }
    await markWaitlistOfferSent(db, offer, ctx.now());
    logger.info({ offer: offer.offerId, channel: offer.channel }, "waitlist offer sent");
    return 1;
  }

  async function offerSlot(slot: FreedSlot): Promise<number> {
    const offer = await offerFreedSlot(db, slot, { channels: patientChannels, now: ctx.now() });
    return offer ? sendOffer(offer.offerId) : 0;
  }

  let freedSweptAt = -Infinity;
  /** Lapsed offers move on; offers saved but never sent go now; freed slots nobody heard of are offered. */
  async function waitlistPass(now: Date): Promise<number> {
    let sent = 0;
    for (const slot of await expireWaitlistOffers(db, now)) sent += await offerSlot(slot);
    for (const id of await unsentWaitlistOffers(db, { now, leaseMs, limit: BATCH })) sent += await sendOffer(id);
    if (+now - freedSweptAt >= FREED_SLOT_SWEEP_MS || +now < freedSweptAt) {
      freedSweptAt = +now;
      for (const slot of await freedSlotsToOffer(db, { now, channels: patientChannels, limit: BATCH }))
        sent += await offerSlot(slot);
    }
    return sent;
  }

  async function escalate(): Promise<number> {
    const alerts = await escalateEmergencies(db, { now: ctx.now(), channels: doctorChannels });
    if (alerts.length === 0) return 0;
    await outbox.send(await Promise.all(alerts.map((a) => fit(alertJob(a), a.doctor.locale))));
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
        waitlistOffers: await part("waitlist offers", () => waitlistPass(now)),
        alerts: await part("emergency escalation", escalate),
        requests: await part("doctor requests", async () => {
          const requests = await requestsToAnnounce(db, { now, channels: doctorChannels });
          if (requests.length > 0)
            await outbox.send(await Promise.all(requests.map((r) => fit(requestJob(r), r.doctor.locale))));
          return requests.length;
        }),
        agendas: await part("doctor agendas", async () => {
          const agendas = await agendasDue(db, { now, channels: doctorChannels });
          if (agendas.length > 0)
            await outbox.send(await Promise.all(agendas.map((a) => fit(agendaJob(a), a.doctor.locale))));
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
