/** Grade bands (DOMAIN.md §3): the first band, by `min` descending, whose min the rounded score reaches. */
import type { Grade } from '../schemas/dataset.js';
import { type Fraction, rational } from './rational.js';

export function gradeFor(score: Fraction, grades: readonly Grade[]): Grade {
  const ordered = [...grades].sort((a, b) => rational(b.min).compare(rational(a.min)));
  const hit = ordered.find((g) => score.compare(rational(g.min)) >= 0);
  // Import requires a band with min 0 and scores are never negative; the lowest band is the safe fallback.
  return hit ?? ordered.at(-1)!;
}
