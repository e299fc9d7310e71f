import type { Database } from "../data/db.js";
import type { ChatChannel, OutboundMessage } from "../domain/channels.js";

type Locale = "fr" | "en";

const COPY: Record<Locale, (emergency: string) => string> = {
  fr: (emergency) =>
    "Je ne lis que les messages écrits : les photos, messages vocaux, autocollants, fichiers et positions ne me parviennent pas. " +
    "Écrivez votre demande en quelques mots, par exemple « rendez-vous avec un généraliste demain matin ». " +
    `En cas d'urgence, appelez le ${emergency}.`,
  en: (emergency) =>
    "I can only read written messages: photos, voice messages, stickers, files and locations do not reach me. " +
    "Please type your request in a few words, for example “appointment with a GP tomorrow morning”. " +
    `In an emergency, call ${emergency}.`,
};

/**
 * The answer to a photo, voice note, sticker or location: what the chat can read instead, in the
 * conversation's language (the clinic's when the sender never wrote before), with the emergency
 * number, since a voice note may be someone who cannot type because something is wrong.
 */
export async function unsupportedMediaReply(
  db: Database,
  at: { clinicId: string; channel: ChatChannel; senderId: string },
): Promise<OutboundMessage> {
  const [row] = await db.sql.query<{ locale: Locale; national_emergency_number: string }>(
    `SELECT COALESCE(
              (SELECT locale FROM conversation WHERE channel = $2::"Channel" AND sender_id = $3 AND clinic_id = c.id),
              c.default_locale)::text AS locale,
            c.national_emergency_number
       FROM clinic c WHERE c.id = $1::uuid`,
    [at.clinicId, at.channel, at.senderId],
  );
  if (!row) throw new Error("clinic not found");
  return { text: (COPY[row.locale] ?? COPY.fr)(row.national_emergency_number) };
}
