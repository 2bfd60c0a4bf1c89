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
  return [...vetoGrades(scheme, tables), ...departmentRules(tables), ...secondmentRules(tables)];
}

const issue = (
  file: string,
  row: number,
  column: string,
  value: string | undefined,
  zh: string,
  en: string,
) => issueAt({ file, row, column, value }, new Problem('ref.unknown', zh, en));

/** §9.1: departments resolve, are unique per institution, heads belong there, staff name a department. */
function departmentRules(tables: Tables): ImportIssue[] {
  const table = tables.departments;
  const staffTable = tables.staff;
  if (!table || !staffTable) return [];
  const file = 'departments.csv';
  const issues: ImportIssue[] = [];
  const institutions = new Set((tables.institutions?.rows.values ?? []).map((i) => i.id));
  const staffInstitution = new Map(staffTable.rows.values.map((s) => [s.staffId, s.institutionId]));
  const departmentsOf = new Map<string, Set<string>>();
  table.rows.values.forEach((d, i) => {
    const row = table.rows.records[i]!.row;
    if (!institutions.has(d.institutionId)) {
      issues.push(
        issue(
          file,
          row,
          'institutionId',
          d.institutionId,
          '在 institutions.csv 中找不到此机构',
          'no row of institutions.csv has this id',
        ),
      );
    }
    const set = departmentsOf.get(d.institutionId) ?? new Set<string>();
    if (set.has(d.departmentId)) {
      issues.push(
        issueAt(
          { file, row, column: 'departmentId', value: d.departmentId },
          new Problem(
            'id.duplicate',
            '同一机构的科室编码重复',
            'this department id appears twice in the institution',
          ),
        ),
      );
    }
    set.add(d.departmentId);
    departmentsOf.set(d.institutionId, set);
    if (d.headStaffId !== undefined && staffInstitution.get(d.headStaffId) !== d.institutionId) {
      issues.push(
        issue(
          file,
          row,
          'headStaffId',
          d.headStaffId,
          `科室负责人须是 ${d.institutionId} 的职工`,
          `the department head must be a staff member of ${d.institutionId}`,
        ),
      );
    }
  });
  staffTable.rows.values.forEach((s, i) => {
    const departments = departmentsOf.get(s.institutionId);
    if (departments === undefined || departments.has(s.department)) return;
    issues.push(
      issue(
        'staff.csv',
        staffTable.rows.records[i]!.row,
        'department',
        s.department,
        `${s.institutionId} 在 departments.csv 中有科室，职工的科室须为其中之一（${[...departments].join(', ')}）`,
        `${s.institutionId} has departments in departments.csv; the staff member's department must be one of them (${[...departments].join(', ')})`,
      ),
    );
  });
  return issues;
}

/** §9.5: secondments name a staff member and a host institution; a person's periods never overlap. */
function secondmentRules(tables: Tables): ImportIssue[] {
  const table = tables.secondments;
  if (!table) return [];
  const file = 'secondments.csv';
  const issues: ImportIssue[] = [];
  const institutions = new Set((tables.institutions?.rows.values ?? []).map((i) => i.id));
  const staff = new Set((tables.staff?.rows.values ?? []).map((s) => s.staffId));
  const periods = new Map<string, { from: string; to: string; row: number }[]>();
  table.rows.values.forEach((s, i) => {
    const row = table.rows.records[i]!.row;
    if (!staff.has(s.staffId)) {
      issues.push(
        issue(
          file,
          row,
          'staffId',
          s.staffId,
          '在 staff.csv 中找不到此工号',
          'no row of staff.csv has this staffId',
        ),
      );
    }
    if (!institutions.has(s.hostInstitutionId)) {
      issues.push(
        issue(
          file,
          row,
          'hostInstitutionId',
          s.hostInstitutionId,
          '在 institutions.csv 中找不到此机构',
          'no row of institutions.csv has this id',
        ),
      );
    }
    const to = s.to ?? '9999-12';
    const mine = periods.get(s.staffId) ?? [];
    const clash = mine.find((p) => p.from <= to && s.from <= p.to);
    if (clash) {
      issues.push(
        issueAt(
          { file, row, column: 'from', value: s.from },
          new Problem(
            'id.duplicate',
            `与第 ${clash.row} 行的派驻期间重叠（同一人的期间不能重叠）`,
            `overlaps the period of row ${clash.row} (one person's periods must not overlap)`,
          ),
        ),
      );
    }
    mine.push({ from: s.from, to, row });
    periods.set(s.staffId, mine);
  });
  return issues;
}
