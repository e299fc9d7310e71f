import { phrases, table } from "./words.js";

/**
 * How patients name a specialty and its practitioners, keyed by specialty code, plus everyday
 * symptom wordings that a clinic's own keyword list tends to miss. A clinic's specialty with a
 * code not listed here is still recognised by its names (see specialty.ts).
 */
export interface SpecialtyWords {
  /** Names of the specialty and its practitioners, short forms included ("cardio", "GP"). */
  readonly names: readonly string[];
  /** Extra symptom or situation wordings, either language. */
  readonly keywords?: readonly string[];
  /**
   * Who the patient is, when that decides the specialty whatever the symptom: a child with a
   * fever goes to the pediatrician. Weighs more than a symptom keyword.
   */
  readonly patients?: readonly string[];
}

export const SPECIALTY_WORDS: ReadonlyMap<string, SpecialtyWords> = table({
  general: {
    names: phrases(`
      generaliste, medecin generaliste, medecin traitant, medecin de famille, medecine generale, mg, gp,
      general practitioner, family doctor, family physician, general medicine, generalist, general doctor
    `),
    keywords: phrases(`
      rhume, enrhume, nez qui coule, nez bouche, vertige*, bronchite, covid, gastro, cystite, brulure en urinant,
      mal de dos, lumbago, allergie, runny nose, stuffy nose, dizzy, dizziness, back pain, bronchitis, flu shot,
      blood test, prise de sang, arret de travail, arret maladie, sick note, sick leave
    `),
  },
  cardiology: {
    names: phrases(
      "cardio, cardiologue, cardiologie, cardiologist, cardiology, cardiologiste, heart doctor, heart specialist",
    ),
    keywords: phrases(`
      coeur bat vite, coeur qui bat, battements, tension arterielle, hypertendu, pacemaker, stent, souffle cardiaque,
      heart racing, racing heart, heart pounding, irregular heartbeat, high blood pressure, heartbeat
    `),
  },
  pediatrics: {
    names: phrases(`
      pedia, pediatre, pediatrie, pediatrician, paediatrician, pediatrics, paediatrics, peds, pediatric, paediatric,
      children doctor, kids doctor, medecin pour enfant
    `),
    patients: phrases(`
      enfant, fils, fille, bebe, nourrisson, gamin, gamine, petit garcon, petite fille, nouveau ne, ado, adolescent,
      child, kid, son, daughter, baby, infant, toddler, newborn, my little one, my boy, my girl, teenager
    `),
  },
  dermatology: {
    names: phrases(`
      derm, derma, dermato, dermatologue, dermatologie, dermatologist, dermatology, skin doctor, skin specialist
    `),
    keywords: phrases(`
      ca gratte, gratte, plaque* rouge*, rougeur*, taches, mycose, coup de soleil, zona, sunburn, pimples, blemish*,
      skin rash, spots, dandruff, pellicules
    `),
  },
  gynecology: {
    names: phrases(`
      gyneco, gyne, gyno, gynecologue, gynecologie, gynecologist, gynaecologist, gynecology, gynaecology, obgyn,
      ob gyn, women doctor
    `),
    keywords: phrases(`
      test de grossesse, retard de regles, pertes blanches, mycose vaginale, saignement entre regles, pregnancy test,
      missed period, late period, birth control, contraceptive, implant, stérilet, ovaires, ovary, uterus
    `),
  },
  ophthalmology: {
    names: phrases("ophtalmo, ophtalmologue, ophtalmologiste, ophtalmologie, ophthalmologist, eye doctor, oculiste"),
    keywords: phrases("yeux, oeil, vue, lunettes, eye, eyes, vision, glasses"),
  },
  dentistry: {
    names: phrases("dentiste, dentist, dentaire, dental"),
    keywords: phrases("dent, dents, tooth, teeth, carie, gencive*, toothache, cavity"),
  },
  ent: {
    names: phrases("orl, oto rhino, otorhino, ent, ear nose throat"),
    keywords: phrases("oreille*, sinus, acouphene*, ear, ears, tinnitus, hearing"),
  },
  psychiatry: {
    names: phrases("psy, psychiatre, psychiatrie, psychiatrist, psychiatry, psychologue, psychologist, therapist"),
    keywords: phrases(
      "deprime, depression, angoisse, anxiete, stress, anxiety, depressed, panic attack, insomnie, insomnia",
    ),
  },
});
