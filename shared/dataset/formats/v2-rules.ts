/**
 * Cross-file rules of the DOMAIN.md §9 additions, kept apart from the v1 rules (cross.ts): each checks only
 * what its addition switched on, so a v1 dataset meets none of them.
 */
import { splitParams } from '../../domain/params.js';
import type { Tables } from '../cross.js';
import { type ImportIssue, issueAt, Problem } from '../errors.js';
import type { SchemeOutput } from './scheme.js';

/** §9.4: a `veto=<grade>` names one of the scheme's grades. */
function vetoGrades(scheme: SchemeOutput | undefined, tables: Tables): ImportIssue[] {
  const table = tables.indicators;
  if (!scheme || !table) return [];
  const grades = scheme.grades.map((g) => g.grade);
  return table.rows.values.flatMap((indicator, i) => {
    const veto = splitParams(indicator.params).named.get('veto');
    if (veto === undefined || veto === '' || grades.includes(veto)) return [];
    return [
      issueAt(
        {
          file: 'indicators.csv',
          row: table.rows.records[i]!.row,
          column: 'params',
          value: indicator.params,
        },
        new Problem(
          'ref.unknown',
          `veto 的等级 "${veto}" 不在 scheme.json 的 grades 中（${grades.join(', ')}）`,
          `veto grade "${veto}" is not one of scheme.json's grades (${grades.join(', ')})`,
        ),
      ),
    ];
  });
}

/**
 * §9.3: indicator-values.csv rows of indicators that name `community` may carry the community id as
 * institutionId. The v1 reference rule does not know that id, so its "unknown institution" for exactly
 * those rows is taken back here; a community row of an indicator that does not name `community` is
 * refused instead, naming the rule.
 */
export function withCommunityRows(
  scheme: SchemeOutput | undefined,
  tables: Tables,
  issues: ImportIssue[],
): ImportIssue[] {
  const values = tables.indicatorValues;
  if (!scheme || !values) return issues;
  const communityId = scheme.community.id;
  const isCommunityRef = (issue: ImportIssue) =>
    issue.rule === 'ref.unknown' &&
    issue.file === 'indicator-values.csv' &&
    issue.column === 'institutionId' &&
    issue.value?.trim() === communityId;
  if (!issues.some(isCommunityRef)) return issues;
  const forCommunity = new Set(
    (tables.indicators?.rows.values ?? [])
      .filter((i) => i.appliesTo !== '*' && i.appliesTo.includes('community'))
      .map((i) => i.id),
  );
  const indicatorAt = values.index.get('indicatorId');
  const rowIndicator = new Map(
    values.records.map((r) => [r.row, indicatorAt === undefined ? '' : r.fields[indicatorAt]!.trim()]),
  );
  return issues.flatMap((issue) => {
    if (!isCommunityRef(issue)) return [issue];
    const indicatorId = rowIndicator.get(issue.row!) ?? '';
    if (forCommunity.has(indicatorId)) return [];
    return [
      issueAt(
        { file: issue.file, row: issue.row, column: issue.column, value: issue.value },
        new Problem(
          'ref.unknown',
          `总院（${communityId}）的数据只能填 appliesTo 含 community 的指标，${indicatorId} 不是`,
          `rows carrying the community id ${communityId} are only for indicators whose appliesTo names community; ${indicatorId} does not`,
        ),
      ),
    ];
  });
}

export function v2CrossIssues(scheme: SchemeOutput | undefined, tables: Tables): ImportIssue[] {
  return [...vetoGrades(scheme, tables)];
}
