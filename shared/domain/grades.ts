/** Grade bands (DOMAIN.md §3): the first band, by `min` descending, whose min the rounded score reaches. */
import type { Grade, Indicator } from '../schemas/dataset.js';
import { namedParam } from './params.js';
import { type Fraction, rational } from './rational.js';

export function gradeFor(score: Fraction, grades: readonly Grade[]): Grade {
  const ordered = [...grades].sort((a, b) => rational(b.min).compare(rational(a.min)));
  const hit = ordered.find((g) => score.compare(rational(g.min)) >= 0);
  // Import requires a band with min 0 and scores are never negative; the lowest band is the safe fallback.
  return hit ?? ordered.at(-1)!;
}

/**
 * §9.4 veto (一票否决): every applicable indicator carrying `veto=<grade>` whose score is 0 (missing
 * included) caps the grade at the worse of the scored grade and its veto grade; the score is unchanged.
 * The worse grade is the band with the lower min. vetoedBy names the indicator whose veto set the grade
 * (the worst veto; ties by indicator id ascending), null when no veto made the grade worse.
 */
export function applyVeto(
  scored: Grade,
  scores: readonly { indicatorId: string; score: Fraction }[],
  indicators: readonly Indicator[],
  grades: readonly Grade[],
): { grade: Grade; vetoedBy: string | null } {
  const byId = new Map(indicators.map((i) => [i.id, i]));
  let grade = scored;
  let vetoedBy: string | null = null;
  for (const s of [...scores].sort((a, b) => (a.indicatorId < b.indicatorId ? -1 : 1))) {
    if (s.score.n !== 0n) continue;
    const veto = namedParam(byId.get(s.indicatorId)?.params, 'veto');
    if (veto === undefined) continue;
    const cap = grades.find((g) => g.grade === veto);
    if (cap === undefined) continue; // import refuses an unknown grade; stored data is trusted
    if (rational(cap.min).compare(rational(grade.min)) < 0) {
      grade = cap;
      vetoedBy = s.indicatorId;
    }
  }
  return { grade, vetoedBy };
}
