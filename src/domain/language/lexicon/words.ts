/** Lexicon lists are written as plain text to keep them readable: words split on whitespace. */
export const words = (list: string): string[] => list.trim().split(/\s+/).filter(Boolean);

/** Phrase lists split on commas: "mal poitrine, douleur thoraci*" → two phrases. */
export const phrases = (list: string): string[] =>
  list
    .split(",")
    .map((p) => p.trim().replace(/\s+/g, " "))
    .filter(Boolean);

/**
 * A lexicon table keyed by words, as a Map: patients' words are looked up in it, and a plain
 * object would also "contain" `constructor`, `__proto__` or `toString` from its prototype.
 */
export const table = <V>(entries: { readonly [word: string]: V }): ReadonlyMap<string, V> =>
  new Map(Object.entries(entries));
