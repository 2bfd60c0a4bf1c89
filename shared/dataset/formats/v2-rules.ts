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

export function v2CrossIssues(scheme: SchemeOutput | undefined, tables: Tables): ImportIssue[] {
  return [...vetoGrades(scheme, tables)];
}
