/*
 * What people wrote in the demo clinic's history: patients' reasons for a request, the front
 * desk's reasons, a doctor's notes. The bot's own lines in the handed-over conversation are the
 * ones the dialogue engine says (tests/data/demo-clinic.test.ts replays them through it).
 */

/** A patient's words when asking for an appointment, by the specialty they asked for. */
export const REQUEST_REASONS: Record<string, { fr: string[]; en: string[]; child?: { fr: string[]; en: string[] } }> = {
  general: {
    fr: [
      "J'ai de la fièvre depuis trois jours et une toux qui ne passe pas",
      "Mal de gorge et fatigue depuis lundi, j'ai du mal à avaler",
      "Renouvellement de mon ordonnance pour la tension, il me reste une semaine de traitement",
      "Maux de tête tous les matins depuis deux semaines",
    ],
    en: [
      "I've had a fever for three days and a cough that won't go away",
      "Sore throat and very tired since Monday",
      "I need a renewal of my prescription, I have one week left",
    ],
  },
  cardiology: {
    fr: [
      "Palpitations le soir quand je suis allongée, et un peu essoufflée dans les escaliers",
      "Mon médecin m'a demandé un bilan cardiaque avant mon opération du genou",
    ],
    en: ["My heart races in the evening and I get short of breath on the stairs"],
  },
  pediatrics: {
    fr: [],
    en: [],
    child: {
      fr: [
        "Ma fille a 39 de fièvre depuis hier soir et se plaint de l'oreille",
        "Mon fils tousse beaucoup la nuit depuis une semaine",
        "Vaccin des 11 mois à faire pour notre bébé",
      ],
      en: ["My son has had an ear infection since yesterday and a high temperature"],
    },
  },
  dermatology: {
    fr: [
      "Un grain de beauté sur le dos qui a changé de couleur",
      "Plaques rouges qui démangent sur les bras depuis dix jours",
    ],
    en: ["I've had an itchy rash on both arms for a week"],
  },
  gynecology: {
    fr: ["Renouvellement de pilule et frottis à faire", "Règles très douloureuses depuis quelques mois"],
    en: ["I'd like a smear test and to talk about contraception"],
  },
};

/**
 * Words that point to another specialty than the doctor the request was made with: the
 * request queue's triage suggests moving it (a GP request about the heart → cardiology).
 */
export const MISDIRECTED_REQUEST = {
  fr: "Palpitations et essoufflement quand je marche vite, ça m'inquiète",
  en: "Palpitations and shortness of breath when I walk fast, it worries me",
};

/** What the front desk types when booking over the phone. */
export const DESK_REASONS = [
  "Suivi tension",
  "Contrôle après traitement",
  "Résultats de prise de sang",
  "Certificat de sport",
  "Vaccin grippe",
  "Suivi diabète",
  "Douleurs lombaires",
];

export const DECLINE_REASONS = [
  "Ce créneau est réservé aux urgences : nous vous rappelons pour un autre horaire",
  "Le docteur ne fait pas ce type de consultation, merci d'appeler le secrétariat",
];

export const STAFF_CANCEL_REASONS = [
  "Le patient a appelé : empêchement",
  "Absence du médecin, rendez-vous à reprogrammer",
  "Annulé à la demande du patient (message vocal)",
];

/** What the chat records when a patient cancels there (flows/engine.ts). */
export const CHAT_CANCEL_REASON = "cancelled by the patient in the chat";

/** The front desk's override reason when a cancellation comes inside the cutoff. */
export const CUTOFF_OVERRIDE_REASON = "patient malade, prévenu par téléphone";

/** Consultation notes of Dr Martin (the demo doctor who logs in), by kind of visit. */
export const NOTES = [
  "Rhinopharyngite depuis 4 jours, fébricule à 38,1. Auscultation pulmonaire libre. Traitement symptomatique, revoir si fièvre > 3 jours.",
  "Suivi HTA : TA 142/88 au cabinet, 135/85 en automesure. Observance correcte. Poursuite du traitement, bilan lipidique à prévoir.",
  "Lombalgie commune après déménagement, pas de signe de gravité. Antalgiques palier 1, reprise progressive de l'activité.",
  "Renouvellement du traitement de fond de l'asthme. Pas de crise depuis 3 mois, DEP à 90 % de la théorique.",
  "Angine érythémateuse, TDR streptocoque négatif. Pas d'antibiotique. Paracétamol.",
  "Bilan annuel. Examen clinique normal, glycémie à jeun à recontrôler (1,18 g/L).",
  "Gastro-entérite depuis 48 h, pas de déshydratation. Réhydratation orale, arrêt de travail 2 jours.",
  "Certificat de non contre-indication à la course à pied. ECG de repos normal.",
];

export const DIAGNOSES = [
  { code: "I10", label: "Hypertension artérielle essentielle" },
  { code: "J45.9", label: "Asthme" },
  { code: "E11.9", label: "Diabète de type 2" },
  { code: "J06.9", label: "Rhinopharyngite aiguë" },
  { code: "M54.5", label: "Lombalgie basse" },
];

export const ALLERGIES = [
  { substance: "Pénicilline", reaction: "Urticaire généralisée", severity: "severe" },
  { substance: "Latex", reaction: "Eczéma de contact", severity: "moderate" },
  { substance: "Aspirine", reaction: "Crise d'asthme", severity: "severe" },
  { substance: "Pollens de graminées", reaction: "Rhinite saisonnière", severity: "mild" },
  { substance: "Arachide", reaction: "Œdème des lèvres", severity: "severe" },
];

export const PRESCRIPTIONS = [
  [
    { drug: "Paracétamol 1 g", dosage: "1 comprimé", instructions: "jusqu'à 3 fois par jour pendant 5 jours" },
    { drug: "Chlorure de sodium 0,9 %", dosage: "lavage nasal", instructions: "matin et soir" },
  ],
  [{ drug: "Amlodipine 5 mg", dosage: "1 comprimé", instructions: "le matin, 3 mois" }],
  [
    {
      drug: "Ibuprofène 400 mg",
      dosage: "1 comprimé",
      instructions: "au cours du repas, 3 fois par jour pendant 3 jours",
    },
    { drug: "Paracétamol 1 g", dosage: "1 comprimé", instructions: "si douleur, 4 fois par jour au plus" },
  ],
  [
    {
      drug: "Budésonide/formotérol 200/6 µg",
      dosage: "1 inhalation",
      instructions: "matin et soir, 3 mois",
    },
  ],
];

/** A staff-raised emergency: the front desk's note, never the patient's own words. */
export const EMERGENCY_NOTE =
  "Appel de la patiente : essoufflement brutal au repos depuis une heure. Orientée vers le 15, le Dr Martin la rappelle.";

/**
 * The handed-over conversation, as the chat recorded it: the patient's two messages and the
 * dialogue engine's replies (welcome and menu, then the handoff sentence). `replies` are the
 * messages as the channel received them (kept for redeliveries); the transcript shows each
 * reply's text followed by its choices.
 */
export const HANDOFF_EXCHANGES = [
  {
    said: "Bonjour",
    replies: [
      {
        text: "Bonjour ! Je suis l'assistant du cabinet. Je peux prendre, déplacer ou annuler un rendez-vous, ou vous donner la liste des vôtres.",
      },
      {
        text: "Que souhaitez-vous faire ?",
        choices: [
          { id: "m.menu.book", label: "Prendre rendez-vous" },
          { id: "m.menu.list", label: "Mes rendez-vous" },
          { id: "m.menu.reschedule", label: "Déplacer un rendez-vous" },
          { id: "m.menu.cancel", label: "Annuler un rendez-vous" },
          { id: "m.menu.human", label: "Parler au secrétariat" },
        ],
      },
    ],
  },
  {
    said: "Je voudrais parler au secrétariat : ma mutuelle a changé en janvier, je dois vous envoyer ma nouvelle carte pour la facture ?",
    replies: [{ text: "J'ai transmis votre conversation au secrétariat, qui vous répondra ici dès que possible." }],
  },
] as const;
