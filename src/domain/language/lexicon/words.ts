/** Lexicon lists are written as plain text to keep them readable: words split on whitespace. */
export const words = (list: string): string[] => list.trim().split(/\s+/).filter(Boolean);

/** Phrase lists split on commas: "mal poitrine, douleur thoraci*" → two phrases. */
export const phrases = (list: string): string[] =>
  list
    .split(",")
    .map((p) => p.trim().replace(/\s+/g, " "))
    .filter(Boolean);
