/**
 * "Did you mean …?" for misspelt column, field and file names: the import rejects unknown names to catch
 * typos (DOMAIN.md §2), and the message is only useful if it names the intended one.
 */

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name nearest to `name` (ignoring case), or undefined when none is plausibly meant. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.trim().toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    // A third of the name may be wrong (at least two letters): close enough to be a typo, not a different word.
    const plausible = distance <= Math.max(2, Math.floor(candidate.length / 3));
    if (plausible && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** The "did you mean" clause for a message in both languages, empty when nothing is close. */
export function didYouMean(name: string, known: readonly string[]): { zh: string; en: string } {
  const guess = closestName(name, known);
  return guess ? { zh: `，是否应为 ${guess}？`, en: `; did you mean ${guess}?` } : { zh: '', en: '' };
}
