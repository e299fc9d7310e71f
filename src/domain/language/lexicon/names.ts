import { phrases, words } from "./words.js";

/** Openings before a name: their words are not part of it ("je m'appelle Marie Curie"). */
export const NAME_INTRODUCTIONS: readonly string[] = phrases(`
  je m'appelle, je m appelle, jm'appelle, je mappelle, moi c'est, moi c est, mon nom est, mon nom c'est, mon nom c est,
  mon nom et prenom, mon nom complet est, nom et prenom, prenom et nom, mon nom, c'est, c est, je suis, my name is,
  my name's, my full name is, name is, i am, i'm, im, this is, it's, it is, call me, bonjour, bonsoir, salut, hello,
  hi, hey, oui, yes, ok, voila, voici
`);

/** Politeness after a name, folded. */
export const NAME_TRAILERS: readonly string[] = phrases("merci, merci beaucoup, thanks, thank you, svp, stp, please");

/** Lower-case words that begin a family name: "Charles de Gaulle", "Ludwig van Beethoven". */
export const NAME_PARTICLES: ReadonlySet<string> = new Set(
  words("de du des d' van von der den da di del della dos das ben ibn bin"),
);

/** Labels in forms such as "Nom : Curie, Prénom : Marie" (regular expressions, case-insensitive). */
export const NAME_LABELS: readonly { readonly label: string; readonly part: "first" | "last" }[] = [
  { label: "pr[ée]noms?", part: "first" },
  { label: "first\\s?names?", part: "first" },
  { label: "given\\s?names?", part: "first" },
  { label: "nom(?:\\s+de\\s+famille)?", part: "last" },
  { label: "last\\s?name", part: "last" },
  { label: "surname", part: "last" },
  { label: "family\\s?name", part: "last" },
];
