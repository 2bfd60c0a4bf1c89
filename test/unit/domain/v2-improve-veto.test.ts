/** DOMAIN.md §9.4: named params, the `improve` method and the veto (一票否决). */
import { describe, expect, it } from 'vitest';
import { scoreAndGrade } from '../../../shared/domain/cycles.js';
import { applyVeto } from '../../../shared/domain/grades.js';
import { methodParams, namedParam, splitParams } from '../../../shared/domain/params.js';
import { rational as r } from '../../../shared/domain/rational.js';
import { improveScore, scoreIndicator } from '../../../shared/domain/scoring.js';
import { exactly, GRADES, grade, indicator, scheme, valueRow } from './builders.js';

const improve = (overrides = {}) =>
  indicator({ id: 'k1', method: 'improve', target: '0.05', weight: '10', aggregation: 'mean', ...overrides });

describe('§9.4 named params', () => {
  it('takes name=value items out and leaves the rest to the method', () => {
    expect(splitParams('veto=不合格;0.5')).toEqual({ named: new Map([['veto', '不合格']]), rest: '0.5' });
    expect(methodParams('0.6:1;veto=合格;0.5:0.8')).toBe('0.6:1;0.5:0.8');
    expect(methodParams('base=12')).toBeUndefined();
    expect(methodParams('0.5')).toBe('0.5'); // v1 params pass through untouched
    expect(namedParam('direction=in;minMonths=6', 'minMonths')).toBe('6');
  });

  it('scores a deduct indicator with a veto on its points per event alone', () => {
    // deduct, w 10, 2 points per event, 3 events → 10 − 6 = 4
    const s = scoreIndicator(
      indicator({ method: 'deduct', params: 'veto=不合格;2' }),
      [valueRow('2026-01', '3')],
      1,
    );
    expect(s.score.toFraction()).toBe(exactly(4));
  });
});

describe('§9.4 improve', () => {
  it('scores against base= when the store holds no previous year', () => {
    // b = 200, t = 0.05: v 205 → w·(205−200)/(200·0.05) = 10 × 5/10 = 5; v ≥ 210 → 10; v ≤ 200 → 0
    const at = (v: string) =>
      scoreIndicator(improve({ params: 'base=200' }), [valueRow('2026-01', v)], 1).score.toFraction();
    expect(at('205')).toBe(exactly(5));
    expect(at('210')).toBe(exactly(10));
    expect(at('199')).toBe(exactly(0));
  });

  it('mirrors the formula for direction lower', () => {
    // b = 100, t = 0.10: v 96 → 10 × (100−96)/(100·0.1) = 4; v ≤ 90 → 10; v ≥ 100 → 0
    const w = r(10);
    expect(improveScore(w, r(96), r(100), r('0.10'), false).toFraction()).toBe(exactly(4));
    expect(improveScore(w, r(90), r(100), r('0.10'), false).toFraction()).toBe(exactly(10));
    expect(improveScore(w, r(100), r(100), r('0.10'), false).toFraction()).toBe(exactly(0));
  });

  it('at b = 0 gives w for any move the right way, else 0', () => {
    const at = (v: string, direction: 'higher' | 'lower') =>
      scoreIndicator(
        improve({ params: 'base=0', direction }),
        [valueRow('2026-01', v)],
        1,
      ).score.toFraction();
    expect(at('0.01', 'higher')).toBe(exactly(10));
    expect(at('0', 'higher')).toBe(exactly(0));
    expect(at('-1', 'lower')).toBe(exactly(10));
    expect(at('0', 'lower')).toBe(exactly(0));
  });

  it('takes the previous year from the store over base= when that year is held', () => {
    // previous year's same window (2025-01, 2025-02): mean of 100 and 140 = 120; base=200 is ignored.
    // v = mean(123, 123) = 123 → 10 × 3/(120 × 0.05) = 10 × 3/6 = 5
    const previousYear = {
      rows: [valueRow('2025-01', '100'), valueRow('2025-02', '140')],
    };
    const s = scoreIndicator(
      improve({ params: 'base=200' }),
      [valueRow('2026-01', '123'), valueRow('2026-02', '123')],
      2,
      previousYear,
    );
    expect(s.score.toFraction()).toBe(exactly(5));
    expect(s.missing).toBe(false);
  });

  it('is missing without a previous year and without base=', () => {
    const s = scoreIndicator(improve(), [valueRow('2026-01', '123')], 1);
    expect(s).toMatchObject({ missing: true });
    expect(s.score.toFraction()).toBe('0');
  });
});

describe('§9.4 veto', () => {
  const indicators = [
    indicator({ id: 'a', method: 'actual', weight: '90' }),
    indicator({ id: 'safety', method: 'yes_no', weight: '10', params: 'veto=不合格' }),
  ];
  const graded = (safety: string | null) =>
    scoreAndGrade(
      scheme(),
      { id: 'T01', kind: 'township' },
      indicators,
      [
        valueRow('2026-01', '95', { indicatorId: 'a' }),
        ...(safety === null ? [] : [valueRow('2026-01', safety, { indicatorId: 'safety' })]),
      ],
      ['2026-01'],
    );

  it('moves 良好 to 不合格 when the veto indicator scores 0, leaving the score as it is', () => {
    // S = 100 × (90 × 0.95 + 0) / 100 = 85.50 → 良好 by score; the veto caps it at 不合格
    const vetoed = graded('0');
    expect(vetoed.score.score.toFraction()).toBe(exactly('85.5'));
    expect(vetoed.grade.grade).toBe('不合格');
    expect(vetoed.vetoedBy).toBe('safety');
  });

  it('counts a missing veto indicator as 0', () => {
    expect(graded(null)).toMatchObject({ vetoedBy: 'safety', grade: { grade: '不合格' } });
  });

  it('leaves the grade alone when the veto indicator scores', () => {
    const ok = graded('1'); // S = 85.5 + 10 = 95.5 → 优秀
    expect(ok.grade.grade).toBe('优秀');
    expect(ok.vetoedBy).toBeNull();
  });

  it('never raises a grade: a veto grade better than the scored one changes nothing', () => {
    const result = applyVeto(
      grade('不合格'),
      [{ indicatorId: 'x', score: r(0) }],
      [indicator({ id: 'x', params: 'veto=合格' })],
      GRADES,
    );
    expect(result).toEqual({ grade: grade('不合格'), vetoedBy: null });
  });

  it('adds no vetoedBy when no indicator of the scheme has a veto (v1 results unchanged)', () => {
    const plain = scoreAndGrade(scheme(), { id: 'T01', kind: 'township' }, [indicators[0]!], [], ['2026-01']);
    expect(plain).not.toHaveProperty('vetoedBy');
  });
});
