/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions, the commonest
 * typing slip), giving up as soon as the distance must exceed `max`: callers only ask
 * "within 1 or 2?", and typo checks run against whole lexicons.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2]! + 1);
      row.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[n]!;
}

/**
 * How many typos a word of this length may carry and still be recognised: none under 5
 * letters (too many short words are one letter apart), one up to 8, two beyond.
 */
export function typoAllowance(length: number, minLength = 5): number {
  if (length < minLength) return 0;
  return length >= 9 ? 2 : 1;
}
