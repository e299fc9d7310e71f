import type { Copy, Params } from "./en.js";
import type { Formatter } from "./format.js";

const PARTS_FR: Record<string, string> = { morning: "matin", afternoon: "après-midi", evening: "soir" };

/** L'horaire demandé, en toutes lettres : « jeudi 26 novembre après-midi ». */
function askedFr(p: Params, f: Formatter): string {
  if (p.askedKind === "exact") return `le ${f.day(String(p.askedAt))} à ${f.time(String(p.askedAt))}`;
  if (p.askedKind === "near") return `le ${f.day(String(p.askedAt))} vers ${f.time(String(p.askedAt))}`;
  const from = String(p.askedFrom);
  const last = new Date(+new Date(String(p.askedTo)) - 1).toISOString();
  if (!f.sameDay(from, last)) return `du ${f.day(from)} au ${f.day(last)}`;
  return p.askedPart ? `${f.day(from)} ${PARTS_FR[String(p.askedPart)] ?? ""}` : `le ${f.day(from)}`;
}

/** Every sentence the chat says, in French. */
export const fr: Copy = {
  welcome: () =>
    "Bonjour ! Je suis l'assistant du cabinet. Je peux prendre, déplacer ou annuler un rendez-vous, ou vous donner la liste des vôtres.",
  menu: () => "Que souhaitez-vous faire ?",
  menuBook: () => "Prendre rendez-vous",
  menuList: () => "Mes rendez-vous",
  menuCancel: () => "Annuler un rendez-vous",
  menuReschedule: () => "Déplacer un rendez-vous",
  menuHuman: () => "Parler au secrétariat",
  help: () =>
    "Vous pouvez écrire par exemple « je voudrais voir un cardiologue demain vers 10h », « annuler mon rendez-vous », « déplacer mon rendez-vous », « mes rendez-vous » ou « parler à quelqu'un ». En cas d'urgence, appelez le 15 ou le 112.",
  thanks: () => "Avec plaisir ! Autre chose ?",
  notUnderstood: () => "Désolé, je n'ai pas compris.",
  restart: () => "Cela fait un moment : reprenons depuis le début.",
  stale: () => "Ce bouton correspond à une question précédente.",
  emergency: (p) =>
    `Cela peut être une urgence. Appelez maintenant le ${p.national} (SAMU), ou la ligne d'urgence du cabinet : ${p.clinicEmergency}. Si possible, ne restez pas seul(e).`,
  emergencyFollowUp: () => "Quand vous serez en sécurité, je peux toujours vous aider pour un rendez-vous.",
  human: () => "J'ai transmis votre conversation au secrétariat, qui vous répondra ici dès que possible.",
  languageChanged: () => "D'accord, je continue en français.",
  askWhat: () =>
    "Quel médecin souhaitez-vous consulter ? Vous pouvez aussi décrire ce qui ne va pas (par ex. « fièvre », « bouton sur la peau »).",
  unknownSpecialty: () =>
    "Je n'ai pas reconnu de spécialité. Pouvez-vous le dire autrement, ou décrire vos symptômes ?",
  askWhen: (p) =>
    `Quand souhaitez-vous ${p.remote ? `votre téléconsultation${p.doctor ? ` avec ${p.doctor}` : ""}` : `venir${p.doctor ? ` voir ${p.doctor}` : ""}`}${p.specialty ? ` (${p.specialty})` : ""} ? (par ex. « demain matin », « mardi vers 10h », « au plus vite »)`,
  whenNotUnderstood: () =>
    "Je n'ai pas compris le jour ou l'heure. Essayez « demain à 10h », « vendredi prochain matin » ou « au plus vite ».",
  askAmbiguousDay: () => "Voulez-vous dire aujourd'hui ou la semaine prochaine ?",
  ambiguousToday: () => "Aujourd'hui",
  ambiguousNextWeek: () => "La semaine prochaine",
  unknownDoctor: (p) => `Je ne trouve pas de Dr ${p.said} dans ce cabinet. Nos médecins : ${p.known}.`,
  askWhichDoctor: () => "Plusieurs de nos médecins portent ce nom. Lequel souhaitez-vous voir ?",
  doctorLabel: (p) => String(p.doctor),
  noTeleconsultation: () =>
    "La téléconsultation n'est pas proposée pour cette spécialité : ces créneaux sont donc au cabinet.",
  pastTime: () => "Cet horaire est déjà passé ; voici les créneaux libres les plus proches.",
  offer: (p) =>
    `Voici les créneaux${p.remote ? " de téléconsultation" : ""}${p.doctor ? ` avec ${p.doctor}` : ""} que je vous réserve pendant ${p.minutes} minutes${p.specialty ? ` (${p.specialty})` : ""} :`,
  slotLabel: (p, f) => `${f.dateTime(String(p.at))} — ${p.doctor}`,
  otherTimes: () => "Autres horaires",
  noSlotAsked: (p, f) =>
    `Pas de ${p.remote ? "téléconsultation libre" : "créneau libre"}${p.doctor ? ` avec ${p.doctor}` : ""} ${askedFr(p, f)} ; voici les plus proches, réservés pour vous pendant ${p.minutes} minutes${p.specialty ? ` (${p.specialty})` : ""} :`,
  offerMore: (p) => `Voici les créneaux libres suivants, réservés pour vous pendant ${p.minutes} minutes :`,
  otherHint: () => "Aucun ne convient ? Indiquez-moi un autre jour ou une autre heure.",
  noSlots: () => "Je n'ai trouvé aucun créneau libre. Voulez-vous essayer un autre jour ?",
  askName: () => "Très bien. Quels sont vos prénom et nom ?",
  nameNotUnderstood: () => "J'ai besoin de votre prénom et de votre nom, par ex. « Marie Curie ».",
  askBirthDate: () => "Et votre date de naissance ? (par ex. 12/03/1985)",
  birthDateNotUnderstood: () =>
    "Je n'ai pas pu lire cette date de naissance. Écrivez-la comme 12/03/1985 (jour/mois/année).",
  askConsent: () =>
    "Pour prendre rendez-vous, le cabinet conserve vos nom, date de naissance et rendez-vous afin d'organiser vos soins (RGPD ; vous pouvez en demander l'effacement à tout moment). Êtes-vous d'accord ?",
  yes: () => "Oui",
  no: () => "Non",
  consentRefused: () =>
    "Entendu : rien n'a été enregistré. Vous pouvez aussi appeler le cabinet pour prendre rendez-vous.",
  askConfirm: (p, f) => `Je réserve le ${f.dateTime(String(p.at))} avec ${p.doctor} ?`,
  booked: (p, f) => `Votre rendez-vous est confirmé : ${f.dateTime(String(p.at))} avec ${p.doctor}, ${p.address}.`,
  bookedTele: (p, f) =>
    `Votre téléconsultation est confirmée : ${f.dateTime(String(p.at))} avec ${p.doctor}. Lien : ${p.link}`,
  requested: (p, f) =>
    `Votre demande pour le ${f.dateTime(String(p.at))} avec ${p.doctor} est envoyée et en attente de validation : le cabinet va l'accepter ou la refuser, et je vous préviendrai ici. Le créneau vous est réservé en attendant.`,
  slotGone: () => "Désolé, ce créneau vient d'être pris. Voici les plus proches :",
  bookingFailed: () => "Désolé, je n'ai pas pu réserver ce créneau. Essayez un autre horaire ou appelez le cabinet.",
  bookingAbandoned: () => "D'accord, j'abandonne cette réservation.",
  noAppointments: () => "Vous n'avez aucun rendez-vous à venir chez nous.",
  appointmentsList: () => "Vos prochains rendez-vous :",
  appointmentLine: (p, f) => `• ${f.dateTime(String(p.at))} — ${p.doctor}`,
  whichAppointment: () => "Quel rendez-vous ?",
  confirmCancel: (p, f) => `Annuler votre rendez-vous du ${f.dateTime(String(p.at))} avec ${p.doctor} ?`,
  cancelled: () => "Votre rendez-vous est annulé.",
  cancelKept: () => "D'accord, votre rendez-vous est maintenu.",
  insideCutoff: (p) =>
    `Un rendez-vous à moins de ${p.hours} heures ne peut être modifié que par le cabinet. Appelez le ${p.phone}, ou demandez à parler au secrétariat.`,
  askRescheduleWhen: (p, f) => `À quand souhaitez-vous déplacer votre rendez-vous du ${f.dateTime(String(p.at))} ?`,
  confirmReschedule: (p, f) => `Déplacer votre rendez-vous au ${f.dateTime(String(p.at))} avec ${p.doctor} ?`,
  rescheduled: (p, f) =>
    `C'est fait : votre rendez-vous est maintenant le ${f.dateTime(String(p.at))} avec ${p.doctor}.`,
  rescheduledTele: (p, f) =>
    `C'est fait : votre téléconsultation est maintenant le ${f.dateTime(String(p.at))} avec ${p.doctor}. Lien : ${p.link}`,
  reminder: (p, f) =>
    `Rappel : vous avez rendez-vous le ${f.dateTime(String(p.at))} avec ${p.doctor}. Serez-vous présent(e) ?`,
  reminderConfirm: () => "1. Oui, je confirme",
  reminderCancel: () => "2. Annuler",
  reminderReschedule: () => "3. Déplacer",
  reminderNotUnderstood: () =>
    "Répondez 1 (ou « oui ») pour confirmer, 2 pour annuler, ou 3 pour déplacer le rendez-vous.",
  attendanceConfirmed: (p, f) =>
    `Merci ! Votre rendez-vous du ${f.dateTime(String(p.at))} avec ${p.doctor} est confirmé. À bientôt.`,
  attendanceFailed: () =>
    "Ce rendez-vous ne peut plus être confirmé : il a peut-être été modifié ou annulé. Écrivez « mes rendez-vous » pour faire le point.",
  outOfOrder: () => "Ce message m'est parvenu après un message plus récent : je ne l'ai pas pris en compte.",
  stepFailed: (p) =>
    `Désolé, un problème de notre côté a empêché de traiter votre message. Merci de le renvoyer dans un instant.${p.national ? ` En cas d'urgence, appelez le ${p.national}.` : ""}`,
  tooLong: () => "Ce message est très long ; pouvez-vous dire en quelques mots ce dont vous avez besoin ?",
  waitlistButton: () => "Prévenez-moi si une place se libère",
  waitlistJoined: (p, f) =>
    p.before
      ? `C'est noté : vous êtes sur la liste d'attente. Si une place se libère avant le ${f.dateTime(String(p.before))}, je vous la proposerai ici.`
      : "C'est noté : vous êtes sur la liste d'attente. Si une place plus tôt se libère, je vous la proposerai ici.",
  waitlistJoinFailed: () =>
    "Désolé, je n'ai pas pu vous inscrire sur la liste d'attente. Réessayez, ou demandez à parler au secrétariat.",
  waitlistNeedsRecord: () =>
    "Pour vous inscrire sur la liste d'attente, il me faut d'abord vos coordonnées : réservez l'un de ces créneaux (vous pourrez ensuite demander plus tôt), ou demandez à parler au secrétariat.",
  waitlistNoAppointment: () =>
    "Vous n'avez pas de rendez-vous à venir à avancer. Dites-moi ce qu'il vous faut : quand je vous proposerai des créneaux, choisissez « Prévenez-moi si une place se libère ».",
  waitlistOffer: (p, f) =>
    `Bonne nouvelle : une place s'est libérée le ${f.dateTime(String(p.at))} avec ${p.doctor}. Elle vous est réservée pendant ${p.minutes} minutes. La voulez-vous ?`,
  waitlistAccept: () => "Oui, je la prends",
  waitlistDecline: () => "Non, merci",
  waitlistOfferNotUnderstood: () => "Répondez « oui » pour prendre ce créneau, ou « non » pour le laisser.",
  waitlistBooked: (p, f) =>
    `C'est à vous : votre rendez-vous est confirmé le ${f.dateTime(String(p.at))} avec ${p.doctor}.`,
  waitlistRequested: (p, f) =>
    `Votre demande pour le ${f.dateTime(String(p.at))} avec ${p.doctor} est envoyée : le cabinet va la confirmer, et je vous tiendrai au courant ici.`,
  waitlistMoved: (p, f) =>
    `C'est fait : votre rendez-vous est maintenant le ${f.dateTime(String(p.at))} avec ${p.doctor}.`,
  waitlistGone: () =>
    "Désolé, ce créneau vient d'être pris. Vous restez sur la liste d'attente, et je vous écrirai si une autre place se libère.",
  waitlistDeclined: () => "Entendu, je laisse passer ce créneau. Vous restez sur la liste d'attente.",
};
