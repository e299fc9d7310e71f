import type { Formatter } from "../flows/locales/format.js";

/** What the service says to doctors in their chat app (alerts, requests, agenda), in their language. */
export interface DoctorCopy {
  category: Record<string, string>;
  alert(p: {
    category: string;
    patient: string | null;
    phone: string | null;
    at: string;
    note: string | null;
    escalatedFrom: string[];
    everyone: boolean;
  }): string;
  acknowledge: string;
  acknowledged: string;
  alreadyAcknowledged(by: string | null, at: string): string;
  takenBy(by: string, category: string): string;
  request(p: { patient: string; at: string; type: string; reason: string | null }): string;
  accept: string;
  refuse: string;
  accepted(p: { patient: string; at: string }): string;
  refused(p: { patient: string; at: string }): string;
  alreadyDecided(status: string): string;
  notYours: string;
  notFound: string;
  notADoctor: string;
  agenda(p: { day: string; lines: string[] }): string;
  agendaLine(p: { time: string; patient: string; type: string; requested: boolean }): string;
}

const CATEGORY_FR: Record<string, string> = {
  chest_pain: "douleur thoracique",
  breathing: "détresse respiratoire",
  stroke: "signes d'AVC",
  bleeding: "hémorragie",
  unconscious: "perte de connaissance",
  suicidal: "idées suicidaires",
  anaphylaxis: "réaction allergique grave",
  seizure: "convulsions",
  other: "autre urgence",
};

const CATEGORY_EN: Record<string, string> = {
  chest_pain: "chest pain",
  breathing: "breathing difficulty",
  stroke: "stroke signs",
  bleeding: "heavy bleeding",
  unconscious: "loss of consciousness",
  suicidal: "suicidal thoughts",
  anaphylaxis: "severe allergic reaction",
  seizure: "seizure",
  other: "other emergency",
};

const DECIDED_FR: Record<string, string> = {
  confirmed: "acceptée",
  declined: "refusée",
  cancelled: "annulée",
  completed: "terminée",
  no_show: "close (absence)",
};
const DECIDED_EN: Record<string, string> = {
  confirmed: "accepted",
  declined: "refused",
  cancelled: "cancelled",
  completed: "completed",
  no_show: "closed (no-show)",
};

export const DOCTOR_COPY: Record<"fr" | "en", DoctorCopy> = {
  fr: {
    category: CATEGORY_FR,
    alert: (p) =>
      [
        `🚨 URGENCE : ${CATEGORY_FR[p.category] ?? p.category}`,
        p.patient ? `Patient : ${p.patient}${p.phone ? ` — ${p.phone}` : ""}` : "Patient non identifié",
        `Signalée à ${p.at}`,
        ...(p.note ? [`Note du secrétariat : ${p.note}`] : []),
        ...(p.escalatedFrom.length
          ? [
              `Sans réponse de : ${p.escalatedFrom.join(", ")}${p.everyone ? " — alerte envoyée à tous les médecins" : ""}.`,
            ]
          : []),
        "Appuyez sur « Je prends en charge » pour arrêter l'escalade.",
      ].join("\n"),
    acknowledge: "Je prends en charge",
    acknowledged: "Merci : vous prenez en charge cette urgence. L'escalade est arrêtée.",
    alreadyAcknowledged: (by, at) => `Cette urgence est déjà prise en charge${by ? ` par ${by}` : ""} (${at}).`,
    takenBy: (by, category) => `✅ ${by} prend en charge l'urgence (${CATEGORY_FR[category] ?? category}).`,
    request: (p) =>
      [
        `Nouvelle demande de rendez-vous : ${p.patient}`,
        `${p.at} — ${p.type}`,
        ...(p.reason ? [`Motif : ${p.reason}`] : []),
      ].join("\n"),
    accept: "Accepter",
    refuse: "Refuser",
    accepted: (p) => `Rendez-vous accepté : ${p.patient}, ${p.at}. Le patient est prévenu.`,
    refused: (p) => `Demande refusée : ${p.patient}, ${p.at}. Le patient est prévenu.`,
    alreadyDecided: (status) => `Cette demande a déjà été traitée (${DECIDED_FR[status] ?? status}).`,
    notYours: "Cette demande concerne un autre médecin.",
    notFound: "Cette demande ou cette alerte n'existe plus.",
    notADoctor: "Ce bouton est réservé au médecin à qui le message a été envoyé.",
    agenda: (p) => [`Votre journée du ${p.day} :`, ...p.lines].join("\n"),
    agendaLine: (p) => `• ${p.time} — ${p.patient} (${p.type})${p.requested ? " — demande en attente" : ""}`,
  },
  en: {
    category: CATEGORY_EN,
    alert: (p) =>
      [
        `🚨 EMERGENCY: ${CATEGORY_EN[p.category] ?? p.category}`,
        p.patient ? `Patient: ${p.patient}${p.phone ? ` — ${p.phone}` : ""}` : "Patient not identified",
        `Raised at ${p.at}`,
        ...(p.note ? [`Front desk note: ${p.note}`] : []),
        ...(p.escalatedFrom.length
          ? [`No answer from: ${p.escalatedFrom.join(", ")}${p.everyone ? " — alert sent to every doctor" : ""}.`]
          : []),
        "Tap “I'm on it” to stop the escalation.",
      ].join("\n"),
    acknowledge: "I'm on it",
    acknowledged: "Thank you: you are handling this emergency. The escalation has stopped.",
    alreadyAcknowledged: (by, at) => `This emergency is already being handled${by ? ` by ${by}` : ""} (${at}).`,
    takenBy: (by, category) => `✅ ${by} is handling the emergency (${CATEGORY_EN[category] ?? category}).`,
    request: (p) =>
      [
        `New appointment request: ${p.patient}`,
        `${p.at} — ${p.type}`,
        ...(p.reason ? [`Reason: ${p.reason}`] : []),
      ].join("\n"),
    accept: "Accept",
    refuse: "Refuse",
    accepted: (p) => `Appointment accepted: ${p.patient}, ${p.at}. The patient is told.`,
    refused: (p) => `Request refused: ${p.patient}, ${p.at}. The patient is told.`,
    alreadyDecided: (status) => `This request was already dealt with (${DECIDED_EN[status] ?? status}).`,
    notYours: "This request is for another doctor.",
    notFound: "This request or alert no longer exists.",
    notADoctor: "This button is for the doctor the message was sent to.",
    agenda: (p) => [`Your day, ${p.day}:`, ...p.lines].join("\n"),
    agendaLine: (p) => `• ${p.time} — ${p.patient} (${p.type})${p.requested ? " — pending request" : ""}`,
  },
};

/** "jeudi 3 décembre à 10:00" in the doctor's language and the clinic's zone. */
export const whenText = (f: Formatter, at: Date): string => f.dateTime(at.toISOString());
