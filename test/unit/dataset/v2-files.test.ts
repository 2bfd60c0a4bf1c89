/** DOMAIN.md §9.1/§9.5 files at import: departments.csv and secondments.csv, each checked across files. */
import { describe, expect, it } from 'vitest';
import { expectIssues, parseWith, tinyFiles } from './helpers.js';

const staff = tinyFiles()['staff.csv']!;
const firstStaff = staff.split('\n')[1]!.split(',');
const [staffId, , institutionId, department] = [
  firstStaff[0]!,
  firstStaff[1],
  firstStaff[2]!,
  firstStaff[3]!,
];
const departmentsOfTiny = () => {
  // every staff member's department, as a department of their institution
  const seen = new Set<string>();
  const rows = ['institutionId,departmentId,name,coefficient,capMultiple,headStaffId'];
  for (const line of staff.trim().split('\n').slice(1)) {
    const cells = line.split(',');
    const key = `${cells[2]},${cells[3]}`;
    if (seen.has(key) || cells[3] === '') continue;
    seen.add(key);
    rows.push(`${cells[2]},${cells[3]},${cells[3]},1.0,,`);
  }
  return `${rows.join('\n')}\n`;
};

describe('§9 files at import', () => {
  it('reads secondments.csv (open periods, allowances in fen)', () => {
    const result = parseWith({
      'secondments.csv': `staffId,hostInstitutionId,kind,from,to,monthlyAllowance,leaderRole\n${staffId},${institutionId},dispatch,2025-10,,800.00,yes\n`,
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.dataset.secondments).toEqual([
      {
        staffId,
        hostInstitutionId: institutionId,
        kind: 'dispatch',
        from: '2025-10',
        monthlyAllowance: 80_000,
        leaderRole: 'yes',
      },
    ]);
    expect(result.dataset.departments).toBeUndefined();
  });

  it('refuses overlapping periods of one person and an unknown host, naming row and column', () => {
    expectIssues(
      parseWith({
        'secondments.csv': [
          'staffId,hostInstitutionId,kind,from,to,monthlyAllowance,leaderRole',
          `${staffId},${institutionId},up,2026-01,2026-06,0,no`,
          `${staffId},${institutionId},down,2026-06,2026-08,0,no`,
          `${staffId},NOPE,pairing,2026-09,,0,no`,
        ].join('\n'),
      }),
      [
        { file: 'secondments.csv', row: 3, column: 'from', rule: 'id.duplicate' },
        { file: 'secondments.csv', row: 4, column: 'hostInstitutionId', rule: 'ref.unknown' },
      ],
    );
  });

  it('reads departments.csv when every staff member of the institution names one of its departments', () => {
    const result = parseWith({ 'departments.csv': departmentsOfTiny() });
    if (!result.ok) throw new Error(JSON.stringify(result.issues.slice(0, 3)));
    expect(result.dataset.departments!.length).toBeGreaterThan(0);
  });

  it('refuses a staff department the institution does not have, and a head from another institution', () => {
    const departments = departmentsOfTiny()
      .split('\n')
      .filter((line) => !line.startsWith(`${institutionId},${department},`))
      .join('\n');
    const issues = parseWith({
      'departments.csv': `${departments.trimEnd()}\n${institutionId},X,X,1,2,NOBODY\n`,
    });
    expect(issues.ok).toBe(false);
    if (issues.ok) return;
    const rules = issues.issues.map((i) => `${i.file}:${i.column}:${i.rule}`);
    expect(rules).toContain('departments.csv:headStaffId:ref.unknown');
    expect(rules).toContain('staff.csv:department:ref.unknown');
  });
});
