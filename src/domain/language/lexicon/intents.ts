import { phrases, table } from "./words.js";

/** What a patient's free-text message asks for. */
export type Intent =
  | "book"
  | "reschedule"
  | "cancel"
  | "list_appointments"
  | "human"
  | "help"
  | "change_language"
  | "greeting"
  | "thanks"
  | "affirm"
  | "deny"
  | "emergency"
  | "choice"
  | "unknown";

/** Intents a cue can point to (the others come from red flags and number parsing). */
export type CuedIntent = Exclude<Intent, "emergency" | "choice" | "unknown">;

/**
 * A group of phrases that point to an intent, with how strongly. When several cues match,
 * the heaviest wins, and a cue whose words lie inside a longer matched cue is ignored
 * ("good" inside "good morning", "merci" inside "non merci", "rdv" inside "annuler mon rdv").
 * Phrase syntax as in phrase.ts.
 */
export interface IntentCue {
  readonly intent: CuedIntent;
  readonly weight: number;
  /** Language of the phrases: typo tolerance only applies when the patient writes in it. */
  readonly lang?: "fr" | "en";
  /** For change_language: the language asked for. */
  readonly language?: "fr" | "en";
  readonly phrases: readonly string[];
}

/** Equal scores are settled in this order: requests before answers, answers before small talk. */
export const INTENT_PRIORITY: readonly CuedIntent[] = [
  "cancel",
  "reschedule",
  "list_appointments",
  "change_language",
  "human",
  "book",
  "help",
  "deny",
  "affirm",
  "thanks",
  "greeting",
];

export const INTENT_CUES: readonly IntentCue[] = [
  // ---- book
  {
    intent: "book",
    weight: 3,
    lang: "fr",
    phrases: phrases(`
      prendre rdv, prendre rendez vous, prise rdv, reserver, reservation, booker, nouveau rdv, besoin rdv,
      veux rdv, voudrais rdv, voudrai rdv, aimerais rdv, souhaite rdv, souhaiterais rdv, peux avoir rdv,
      pourrais avoir rdv, avoir rdv, fixer rdv, caler rdv, donner rdv, rdv svp, rdv s il vous plait,
      voir medecin, voir un medecin, voir docteur, voir dr, voir specialiste, voir generaliste, voir pediatre,
      voir cardiologue, voir dermatologue, voir gynecologue, consulter, passer voir, prendre consultation,
      creneau, creneaux, disponibilite*, dispo, dispos, libre quand, place pour, teleconsultation
    `),
  },
  {
    intent: "book",
    weight: 3,
    lang: "en",
    phrases: phrases(`
      book, booking, make appointment, schedule appointment, set up appointment, get appointment,
      need appointment, want appointment, like appointment, new appointment, an appointment, see doctor,
      see a doctor, see the doctor, see someone, see specialist, visit doctor, consultation, slot, slots,
      availability, available, opening, openings, teleconsultation, video call
    `),
  },
  { intent: "book", weight: 2, phrases: phrases("rdv, rendez vous, appointment, consultation, consult") },
  // Symptoms and specialties: a patient describing a problem wants to be seen.
  {
    intent: "book",
    weight: 1,
    phrases: phrases(`
      mal, douleur, fievre, malade, symptome*, tousse, toux, bobo, enceinte, bouton*, vaccin*, certificat,
      ordonnance, bilan, controle, suivi, pain, sick, ill, fever, cough, rash, checkup, check up, prescription,
      vaccine, certificate, medecin, docteur, doctor, specialiste, specialist, pediatre, pediatrician
    `),
  },

  // ---- reschedule
  {
    intent: "reschedule",
    weight: 4,
    lang: "fr",
    phrases: phrases(`
      deplacer, decaler, reporter, report, reprogrammer, repousser, avancer rdv, avancer rendez vous,
      changer rdv, changer rendez vous, changer heure, changer date, changer jour, changer creneau, changer horaire,
      modifier, modification, autre date, autre heure, autre jour, autre creneau, autre moment, autre horaire,
      un autre rdv a la place
    `),
  },
  {
    intent: "reschedule",
    weight: 4,
    lang: "en",
    phrases: phrases(`
      reschedule, rescheduling, rebook, move appointment, move my appointment, move it, change appointment,
      change my appointment, change time, change date, change day, different time, different day, different date,
      another time, another day, another date, postpone, push back, bring forward
    `),
  },

  // ---- cancel
  {
    intent: "cancel",
    weight: 4,
    lang: "fr",
    phrases: phrases(`
      annuler, annulation, annule, annulez, annulé, supprimer rdv, supprimer rendez vous, plus besoin rdv,
      plus besoin du rdv, pourrai pas venir, pourrais pas venir, peux pas venir, pourrai pas etre la,
      viendrai pas, serai pas la, pourrai pas y aller, desister, desistement, laisser tomber rdv
    `),
  },
  {
    intent: "cancel",
    weight: 4,
    lang: "en",
    phrases: phrases(`
      cancel, cancelled, canceled, cancellation, cancelling, call off, delete appointment, remove appointment,
      can not come, can not make it, will not make it, not able to come, unable to attend, unable to come,
      will not be able to come, will not come, do not need appointment anymore, no longer need
    `),
  },

  // ---- list appointments
  {
    intent: "list_appointments",
    weight: 4,
    lang: "fr",
    phrases: phrases(`
      mes rdv, mes rendez vous, mon prochain rdv, mes prochains rdv, quand mon rdv, quand est mon rdv,
      c est quand mon rdv, heure de mon rdv, date de mon rdv, voir mes rdv, liste rdv, liste de mes rdv,
      rappeler mon rdv, ai je rdv, ai je un rdv, est ce que j ai un rdv, j ai bien un rdv, a quelle heure mon rdv,
      quel jour mon rdv, mon rdv est quand, c etait quand mon rdv, rdv prevu, rdv prevus
    `),
  },
  {
    intent: "list_appointments",
    weight: 4,
    lang: "en",
    phrases: phrases(`
      my appointments, my next appointment, my upcoming, upcoming appointments, when is my appointment,
      what time is my appointment, what day is my appointment, when my appointment, list appointments,
      show appointments, show my appointment, see my appointment, do i have an appointment, have i got an appointment,
      check my appointment, my bookings, my booking
    `),
  },

  // ---- human
  {
    intent: "human",
    weight: 4,
    lang: "fr",
    phrases: phrases(`
      parler quelqu un, parler a quelqu un, parler personne, parler humain, parler secretaire, parler au secretariat,
      parler vraie personne, vrai humain, vraie personne, secretaire, secretariat, accueil, standard, operateur,
      operatrice, conseiller, conseillere, m appeler, me rappeler, rappelez moi, appelez moi, appeler la clinique,
      appeler le cabinet, numero telephone, numero de tel, joindre quelqu un, pas un robot, un robot
    `),
  },
  {
    intent: "human",
    weight: 4,
    lang: "en",
    phrases: phrases(`
      talk to someone, speak to someone, talk with someone, speak with someone, talk to a person, speak to a person,
      real person, human, a person, agent, operator, receptionist, reception, front desk, secretary, call me,
      call me back, phone number, not a bot, a robot, talk to somebody, speak to somebody
    `),
  },

  // ---- help
  {
    intent: "help",
    weight: 2,
    lang: "fr",
    phrases: phrases(`
      aide, aidez moi, aider, comment ca marche, comment faire, comment on fait, comprends pas, comprends rien,
      que pouvez vous faire, que peux tu faire, tu sers a quoi, menu, options, info, infos, renseignement*
    `),
  },
  {
    intent: "help",
    weight: 2,
    lang: "en",
    phrases: phrases(`
      help, help me, how does this work, how does it work, how do i, what can you do, do not understand, confused,
      menu, options, info, information, instructions
    `),
  },

  // ---- change language
  {
    intent: "change_language",
    weight: 5,
    language: "en",
    phrases: phrases(`
      english, anglais, in english, en anglais, speak english, parlez anglais, parler anglais, passer en anglais,
      switch to english
    `),
  },
  {
    intent: "change_language",
    weight: 5,
    language: "fr",
    phrases: phrases(`
      francais, french, en francais, in french, speak french, parlez francais, parler francais, passer en francais,
      switch to french
    `),
  },

  // ---- greetings and thanks
  {
    intent: "greeting",
    weight: 1,
    phrases: phrases(`
      bonjour, bonsoir, salut, coucou, hello, hi, hey, good morning, good afternoon, good evening, salam,
      salam alaykoum, salamalekoum, assalamu alaikum, allo, allô, yo, hola, hallo, cc, bonjour docteur
    `),
  },
  {
    intent: "thanks",
    weight: 1,
    phrases: phrases(`
      merci, merci beaucoup, thanks, thank you, thank u, thx, ty, many thanks, cheers, remercie, je vous remercie,
      au revoir, bonne journee, bonne soiree, bye, goodbye, see you, a bientot
    `),
  },

  // ---- yes / no (also the reminder replies)
  {
    intent: "affirm",
    weight: 2,
    phrases: phrases(`
      oui, ouais, ouai, ouii, ui, wi, yes, yess, yep, yeah, yea, yup, ya, ok, okay, okey, oki, okk, d accord, entendu,
      parfait, c est bon, ca marche, ca me va, me convient, ca roule, nickel, volontiers, bien sur, exactement,
      tout a fait, absolument, confirme, confirmer, confirmé, je confirme, confirm, confirmed, confirming, sure,
      of course, alright, all right, fine, perfect, sounds good, good, great, go ahead, vas y, allez y, valide,
      valider, je valide, c est ca, correct, that is right, je viendrai, je serai la, i will be there, i will come,
      i will attend, present, top
    `),
  },
  // Confirming an appointment is a yes, not a new booking.
  {
    intent: "affirm",
    weight: 4,
    phrases: phrases("confirm* rdv, confirm* rendez vous, confirm* appointment, confirm* booking, ok pour rdv"),
  },
  {
    intent: "deny",
    weight: 2,
    phrases: phrases(`
      non, no, nope, nan, nah, non merci, no thanks, no thank you, pas du tout, not really, pas vraiment,
      pas maintenant, not now, negative, pas besoin, no need, pas la peine, ne me convient pas, me convient pas,
      ca me va pas, does not work, not ok, pas ok, pas d accord, not good
    `),
  },
  // "non merci" is a refusal, not thanks.
  { intent: "deny", weight: 3, phrases: phrases("non merci, no thanks, no thank you, non c est bon, nan merci") },
];

/** Emoji that answer on their own; read from the original message, since folding strips emoji. */
export const EMOJI_INTENTS: readonly { readonly intent: CuedIntent; readonly emoji: readonly string[] }[] = [
  { intent: "affirm", emoji: ["👍", "👌", "✅", "✔", "☑", "🆗", "🙆", "👏", "💯"] },
  { intent: "deny", emoji: ["👎", "❌", "✖", "🙅", "🚫", "⛔"] },
  { intent: "thanks", emoji: ["🙏", "❤", "😊", "🥰", "😍", "🤗"] },
  { intent: "greeting", emoji: ["👋"] },
  { intent: "help", emoji: ["❓", "❔", "🤔"] },
];

/** Words that introduce a numbered choice: "option 2", "le 2", "n° 3". Folded. */
export const CHOICE_PREFIXES: readonly string[] = phrases(`
  option, choix, choice, numero, number, num, no, n, nr, nb, le, la, the, je prends le, je prends la, je choisis le,
  je choisis la, i take, i choose, i pick, i want, je veux le, je veux la, plutot le, plutot la, prendre le
`);

/** Ordinal words read as a choice: "le deuxième", "the first one". Index is zero-based. */
export const ORDINAL_WORDS: ReadonlyMap<string, number> = table({
  premier: 0,
  premiere: 0,
  first: 0,
  "1er": 0,
  "1ere": 0,
  "1st": 0,
  deuxieme: 1,
  second: 1,
  seconde: 1,
  "2e": 1,
  "2eme": 1,
  "2nd": 1,
  troisieme: 2,
  third: 2,
  "3e": 2,
  "3eme": 2,
  "3rd": 2,
  quatrieme: 3,
  fourth: 3,
  "4e": 3,
  "4eme": 3,
  "4th": 3,
  cinquieme: 4,
  fifth: 4,
  "5e": 4,
  "5eme": 4,
  "5th": 4,
});
