/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions, the commonest
 * typing slip), giving up as soon as the distance must exceed `max`: callers only ask
 * "within 1 or 2?", and typo checks run against whole lexicons. With `aLength`, only that many
 * leading characters of `a` are compared (a word's start against a prefix pattern, uncopied).
 */
export function editDistance(a: string, b: string, max = Infinity, aLength = a.length): number {
  if (aLength === a.length && a === b) return 0;
  if (Math.abs(aLength - b.length) > max) return max + 1;
  const n = b.length;
  // Three rows reused across calls: typo checks run thousands of times per message.
  if (rows[0].length < n + 1) rows = [new Int32Array(n + 1), new Int32Array(n + 1), new Int32Array(n + 1)];
  let prevPrev = rows[0];
  let prev = rows[1];
  let row = rows[2];
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= aLength; i++) {
    const ai = a.charCodeAt(i - 1);
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = ai === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1))
        d = Math.min(d, prevPrev[j - 2]! + 1);
      row[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    const spare = prevPrev;
    prevPrev = prev;
    prev = row;
    row = spare;
  }
  return prev[n]!;
}

let rows: [Int32Array, Int32Array, Int32Array] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * How many typos a word of this length may carry and still be recognised: none under 5
 * letters (too many short words are one letter apart), one up to 8, two beyond.
 */
export function typoAllowance(length: number, minLength = 5): number {
  if (length < minLength) return 0;
  return length >= 9 ? 2 : 1;
}
