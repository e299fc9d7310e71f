import type { Database } from "../data/db.js";
import type { OfferMade } from "../domain/waitlist.js";
import { prepareWaitlistOffer } from "../flows/engine.js";
import type { ChatChannel } from "../domain/channels.js";
import type { OutboundJob } from "./delivery/outbound.js";

export interface WaitlistOfferDeps {
  db: Database;
  /** HOLD_MINUTES and CONVERSATION_IDLE_MINUTES, as the patient's conversation uses them. */
  holdMinutes: number;
  idleMinutes?: number;
  now: () => Date;
}

/**
 * The message offering a freed slot to a waitlisted patient, opened as a question in their
 * conversation on the offer's channel (so "oui" and the buttons both answer it). The job id
 * is the offer's: a retried pass sends it once.
 */
export async function waitlistOfferJob(deps: WaitlistOfferDeps, offer: OfferMade): Promise<OutboundJob> {
  const channel = offer.channel as ChatChannel;
  const message = await prepareWaitlistOffer(
    {
      db: deps.db,
      clinicId: offer.clinicId,
      holdMinutes: deps.holdMinutes,
      idleMinutes: deps.idleMinutes,
      now: deps.now,
    },
    {
      channel,
      senderId: offer.externalId,
      patientId: offer.patientId,
      offer: {
        id: offer.offerId,
        startsAt: offer.startsAt.toISOString(),
        doctorName: offer.doctorName,
        minutes: offer.holdMinutes,
      },
    },
  );
  return { id: `waitlist-${offer.offerId}`, channel, chatId: offer.externalId, message };
}
