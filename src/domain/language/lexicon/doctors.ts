import { phrases, words } from "./words.js";

/** Titles written before a doctor's name, folded ("Dr.", "Docteur", "Doctor", "Pr", "Professeur"…). */
export const DOCTOR_TITLES: ReadonlySet<string> = new Set(
  words(`
    dr drs dre doc docteur docteure doctoresse doctor doctors doctour doctur docter
    pr prof professeur professeure professor
  `),
);

/**
 * Words that, right before a name, say it is the person to see: "avec Dubois", "chez Martin",
 * "with Lefevre", "see Moreau". Without a title or one of these, a lone family name is not read
 * as a doctor (the patient may be giving their own name, or a street).
 */
export const DOCTOR_CUES: ReadonlySet<string> = new Set(
  words(`
  avec chez voir consulter with see visit seeing
  madame mme monsieur mr mrs ms miss
`),
);

/** Short titles, always followed by a name ("dr smith"); after a full one ("doctor") a name has a capital. */
export const ABBREVIATED_TITLES: ReadonlySet<string> = new Set(words("dr drs dre pr prof doc"));

/**
 * Openings with which patients give their own name ("je suis Claire Martin"): a name right after
 * one, without a title, is the patient's, not a doctor's (folded; apostrophes split words).
 */
export const SELF_INTRODUCTIONS: readonly string[] = phrases(`
  je m appelle, je mappelle, jm appelle, moi c est, mon nom est, mon nom c est, je suis, je me nomme,
  my name is, my name s, i am, i m, im, this is, it s, call me
`);
