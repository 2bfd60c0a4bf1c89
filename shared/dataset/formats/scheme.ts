/**
 * scheme.json — the year's appraisal and pay parameters (DOMAIN.md §2). Rates are checked against the
 * ranges their formulas assume, and the grade bands must give every score from 0 to 100 a grade.
 */
import { z } from 'zod';
import { compareDecimal } from '../decimal.js';
import { type ImportIssue, issueAt, Problem } from '../errors.js';
import {
  jsonDecimal,
  jsonId,
  jsonInteger,
  jsonNullableDecimal,
  jsonObject,
  jsonOneOf,
  jsonText,
  jsonYuan,
} from '../json-fields.js';
import { duplicateKeys } from '../json-keys.js';
import { problemOf, valueAt } from '../zod-problems.js';

export const SCHEME_FILE = 'scheme.json';

const nonNegative = { min: '0' };
const share = { min: '0', max: '1' };

const report = (ctx: z.core.$RefinementCtx, path: (string | number)[], problem: Problem) =>
  ctx.addIssue({ code: 'custom', message: problem.en, path, params: { problem } });

const grade = jsonObject({
  /** Scores run 0–100; the band holds from this score up. */
  min: jsonDecimal({ min: '0', max: '100' }),
  grade: jsonText(),
  coefficient: jsonDecimal(nonNegative),
  reserveRelease: jsonDecimal(share),
  insuranceGate: jsonDecimal(share),
});

const grades = z
  .array(grade)
  .superRefine((list, ctx) => {
    if (list.length === 0) {
      report(ctx, [], new Problem('scheme.grades.empty', '至少需要一个等级', 'at least one grade is needed'));
      return;
    }
    list.forEach((g, i) => {
      const first = list.findIndex((other) => compareDecimal(other.min, g.min) === 0);
      if (first < i) {
        report(
          ctx,
          [i, 'min'],
          new Problem(
            'scheme.grades.duplicateMin',
            `与 grades[${first}] 的 min 相同`,
            `same min as grades[${first}]`,
          ),
        );
      }
      const sameName = list.findIndex((other) => other.grade === g.grade);
      if (sameName < i) {
        report(
          ctx,
          [i, 'grade'],
          new Problem(
            'scheme.grades.duplicateName',
            `与 grades[${sameName}] 同名`,
            `same name as grades[${sameName}]`,
          ),
        );
      }
    });
    if (!list.some((g) => compareDecimal(g.min, '0') === 0)) {
      report(
        ctx,
        [],
        new Problem(
          'scheme.grades.noZero',
          '须有一个 min 为 0 的等级，否则低分没有等级',
          'one grade must have min 0, so that every score gets a grade',
        ),
      );
    }
  })
  // The grade is the first band with S ≥ min when ordered by min descending (DOMAIN.md §3).
  .transform((list) => [...list].sort((a, b) => compareDecimal(b.min, a.min)));

const retentionTiers = z
  .array(
    jsonObject({ upTo: jsonNullableDecimal({ min: '0', minExclusive: true }), rate: jsonDecimal(share) }),
  )
  .superRefine((tiers, ctx) => {
    if (tiers.length === 0) {
      report(
        ctx,
        [],
        new Problem('scheme.tiers', '至少需要一档留用比例', 'at least one retention tier is needed'),
      );
    }
    tiers.forEach((tier, i) => {
      if (tier.upTo === null) {
        if (i < tiers.length - 1) {
          report(
            ctx,
            [i, 'upTo'],
            new Problem(
              'scheme.tiers',
              'upTo 为 null（其余部分）的档只能是最后一档',
              'only the last tier may have upTo null (the rest)',
            ),
          );
        }
        return;
      }
      const previous = tiers[i - 1]?.upTo;
      if (previous != null && compareDecimal(tier.upTo, previous) <= 0) {
        report(
          ctx,
          [i, 'upTo'],
          new Problem('scheme.tiers', '各档 upTo 须逐档递增', 'upTo must increase from tier to tier'),
        );
      }
    });
  });

const basicShareRange = z.tuple([jsonDecimal(share), jsonDecimal(share)]).superRefine(([low, high], ctx) => {
  if (compareDecimal(low, high) > 0) {
    report(
      ctx,
      [],
      new Problem(
        'scheme.range.order',
        '区间下限不能大于上限',
        'the lower bound must not exceed the upper bound',
      ),
    );
  }
});

export const schemeJson = jsonObject({
  community: jsonObject({ id: jsonId(), name: jsonText(), residentPopulation: jsonInteger({ min: 0 }) }),
  year: jsonInteger({ min: 2000, max: 2100 }),
  grades,
  /** Most bonus points added to a composite score. */
  bonusCap: jsonDecimal(nonNegative),
  pay: jsonObject({
    holdbackRate: jsonDecimal(share),
    basicShareRange,
    /** Next year's total scales by 1 + growthRate, which must not go below zero. */
    growthRate: jsonDecimal({ min: '-1' }),
    tilt: jsonObject({
      key: jsonDecimal(nonNegative),
      scarce: jsonDecimal(nonNegative),
      high_risk: jsonDecimal(nonNegative),
      high_level: jsonDecimal(nonNegative),
      core: jsonDecimal(nonNegative),
      /** The tilt factor starts at 1, so a cap below 1 would cut everyone's points. */
      cap: jsonDecimal({ min: '1' }),
    }),
    surplus: jsonObject({ fundExtractionRate: jsonDecimal(share), rewardShare: jsonDecimal(share) }),
    /** §9.2 (optional): yuan per person per month guaranteed to funding-1 staff (保底不封顶). */
    funding1Floor: jsonYuan().optional(),
    /** §9.1 (optional): how department pools reach persons; default rule. */
    secondary: jsonObject({ mode: jsonOneOf(['rule', 'manual'] as const) }).optional(),
  }),
  insurance: jsonObject({
    retentionTiers,
    overspendBand: jsonDecimal(nonNegative),
    overspendFundShare: jsonDecimal(share),
    retainedToPayShare: jsonDecimal(share),
  }),
  /** perCapita is yuan per resident → fen. */
  publicHealth: jsonObject({ perCapita: jsonYuan(), preAllocationRate: jsonDecimal(share) }),
  /** §9.3 (optional): the weight of the community's own score S_c in the community score. */
  communityScore: jsonObject({ ownWeight: jsonDecimal(share) }).optional(),
});

export type SchemeOutput = z.output<typeof schemeJson>;

/** `grades[2].min`, `pay.tilt.key`: the path a user finds in the file. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function shownValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  return undefined; // objects and arrays are too big to quote; the path finds them
}

function syntaxIssue(text: string, error: Error): ImportIssue {
  // V8 says "… in JSON at position 57"; the line is what an editor shows.
  const position = /position (\d+)/.exec(error.message)?.[1];
  const line = position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
  const where =
    line === undefined ? { zh: '', en: '' } : { zh: `（第 ${line} 行附近）`, en: ` (near line ${line})` };
  return issueAt(
    { file: SCHEME_FILE },
    new Problem(
      'json.syntax',
      `不是有效的 JSON${where.zh}：${error.message}`,
      `not valid JSON${where.en}: ${error.message}`,
    ),
  );
}

export function parseScheme(text: string): { scheme?: SchemeOutput; issues: ImportIssue[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { issues: [syntaxIssue(text, error as Error)] };
  }
  const duplicates = duplicateKeys(text);
  if (duplicates.length > 0) {
    // Which of the two values JSON.parse kept is an accident of order: refuse rather than guess.
    return {
      issues: duplicates.map((path) =>
        issueAt(
          { file: SCHEME_FILE, column: path },
          new Problem(
            'json.duplicateKey',
            '同一个键写了两次（只会采用后一个值）：请删除多余的一个',
            'this key is written twice (only the last value would count): remove one of them',
          ),
        ),
      ),
    };
  }
  const result = schemeJson.safeParse(raw);
  if (result.success) return { scheme: result.data, issues: [] };
  const issues = result.error.issues.map((issue) => {
    const found = valueAt(raw, issue.path);
    const column = fieldPath(issue.path);
    return issueAt(
      { file: SCHEME_FILE, column: column === '' ? undefined : column, value: shownValue(found) },
      problemOf(issue, found),
    );
  });
  return { issues };
}
