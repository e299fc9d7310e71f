import { words } from "./words.js";

/**
 * Small words that carry no meaning for the phrase patterns: a pattern such as "mal poitrine"
 * may skip any number of them ("mal à la poitrine", "mal dans ma poitrine"), while other words
 * count against the pattern's gap allowance. Folded spellings (no accents).
 */
export const FILLER_WORDS: ReadonlySet<string> = new Set(
  words(`
    a au aux la le les l un une des de du d en dans sur
    mon ma mes ton ta tes son sa ses notre nos votre vos leur
    j je m me moi s se t te c qu y il elle on nous vous ai est
    tres trop vraiment super hyper grave tellement si bien peu
    the an my your his her our their in on of at to into
    i it this that very really so too quite bit have has got am is are just all some
  `),
);

/**
 * Words that negate what follows them within the same clause ("pas de douleur", "no chest
 * pain"), with how many meaningful words may stand between: "no"/"non" only negate what comes
 * right after them ("no chest pain"), since at the start of a reply they answer a question
 * ("non je veux annuler").
 */
export const NEGATION_WORDS: ReadonlyMap<string, number> = new Map([
  ...words("pas aucun aucune sans jamais ni not never without nor nothing rien").map((w) => [w, 3] as const),
  ...words("non no none").map((w) => [w, 0] as const),
]);

/**
 * Sequences that look like a negation but are not: "pas mal de" is French for "quite a lot of",
 * "non stop" is "continuously".
 */
export const NEGATION_EXCEPTIONS: readonly (readonly string[])[] = [
  ["pas", "mal", "de"],
  ["pas", "mal", "d"],
  ["pas", "mal", "des"],
  ["pas", "mal", "du"],
  ["not", "only"],
  ["no", "matter"],
  ["non", "stop"],
  ["sans", "arret"],
  ["sans", "cesse"],
  ["without", "stopping"],
];

/** "plus" negates ("je n'ai plus mal") only when one of these comes shortly before it. */
export const NE_PARTICLES: ReadonlySet<string> = new Set(words("ne n"));

/** Words that start a new clause, so a negation before them does not reach past them. */
export const CLAUSE_BREAK_WORDS: ReadonlySet<string> = new Set(
  words("mais but cependant however pourtant sauf except although though quoique"),
);

/** Auxiliaries that may stand between a negation and its verb: "will not be able to make it", "ne peux vraiment plus". */
export const AUXILIARY_WORDS: ReadonlySet<string> = new Set(
  words("be able going gonna really even still yet ever pouvoir peux pourrai pourrais vraiment encore toujours"),
);
