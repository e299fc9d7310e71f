import { phrases } from "./words.js";

/**
 * Ways of asking to be seen remotely rather than at the clinic (phrase syntax as in phrase.ts;
 * folded words, "*" for any ending).
 */
export const TELECONSULTATION_PHRASES: readonly string[] = phrases(`
  teleconsult*, tele consult*, teleconsulation*, telemedecine, telemedicine, telehealth, telesante,
  visio*, video*, webcam, facetime, zoom,
  consult*|rdv|rendez*|appointment*|visit* en ligne, en ligne consult*,
  online consult*|appointment*|visit*|doctor|rdv, consult*|appointment*|visit* online, see|talk * online,
  consult*|rdv|rendez*|appointment* distance, remote consult*|appointment*|visit*, remotely, from home, depuis chez moi,
  sans me deplacer, sans deplacement, without coming in
`);

/** Ways of asking to come to the clinic in person (how a patient switches back from a video consultation). */
export const IN_PERSON_PHRASES: readonly string[] = phrases(`
  en personne, in person, presentiel, au cabinet, a la clinique, sur place, face to face, in the office, at the clinic,
  physically, physiquement
`);
