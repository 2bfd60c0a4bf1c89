/**
 * The demo county's DOMAIN.md §9 additions, made from the generated county without drawing from its
 * random streams (every v1 figure of the demo stays as it was): departments in the county hospitals, the
 * funding-1 floor for the township centres, the community's own indicator, a veto indicator, an `improve`
 * indicator, secondments from the county hospital to three townships and their secondment_count indicator.
 */
import type { InstitutionKind } from '../schemas/dataset.js';
import { csv, field } from './format.js';

interface V2Member {
  id: string;
  kind: InstitutionKind;
  staff: readonly { id: string; department: string; post: string }[];
}

/** A small deterministic number in [0, n) from a text (no random stream is touched). */
function hashOf(text: string, n: number): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619) >>> 0;
  return h % n;
}

const period = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

/** The scheme keys of §9.2 and §9.3, and §9.1's manual mode when asked for (else the rule split applies). */
export function v2Scheme(
  scheme: Record<string, unknown>,
  secondary: 'rule' | 'manual' = 'rule',
): Record<string, unknown> {
  const pay = scheme.pay as Record<string, unknown>;
  return {
    ...scheme,
    pay: {
      ...pay,
      funding1Floor: '3600.00',
      ...(secondary === 'manual' ? { secondary: { mode: 'manual' } } : {}),
    },
    communityScore: { ownWeight: 0.3 },
  };
}

export const V2_INDICATOR_ROWS: readonly string[] = [
  // §9.3 the community's own appraisal (总院)
  'community_governance,总院管理效能,Community governance,development,community,monthly,higher,mean,actual,10,,,',
  // §9.4 a veto (一票否决): a serious medical-safety event caps the grade at 不合格
  'medical_safety,医疗安全无重大事故,No serious medical-safety incident,medical,*,monthly,higher,min,yes_no,2,,,veto=不合格',
  // §9.4 improve on last year's level (no previous year in the demo store: base=)
  'contract_rate_growth,家庭医生签约率提升,Family-doctor contract rate improvement,public_benefit,township,monthly,higher,mean,improve,3,0.05,,base=0.60',
  // §9.5 seed 003's secondments counted from secondments.csv (the typed seconded_staff count stays as in v1)
  'seconded_in,派驻本院人员数（≥6个月）,Staff seconded in for 6+ months,development,township,monthly,higher,secondment_count,ge_target,3,2,,direction=in;minMonths=6',
  'seconded_leader,院领导派驻（≥6个月）,A leader seconded out for 6+ months,development,county_hospital,monthly,higher,secondment_count,yes_no,1,,,direction=out;minMonths=6;leaderOnly=yes',
];

/** Indicator-value rows of the §9 indicators for `months` months. */
export function v2ValueRows(
  communityId: string,
  members: readonly V2Member[],
  year: number,
  months: number,
): string[] {
  const rows: string[] = [];
  const townships = members.filter((m) => m.kind === 'township');
  const unsafe = townships[0]?.id;
  for (let month = 1; month <= months; month++) {
    const p = period(year, month);
    rows.push(`${p},${communityId},community_governance,${85 + hashOf(`${p}`, 8)},,`);
    for (const m of members) {
      rows.push(`${p},${m.id},medical_safety,${m.id === unsafe && month === 5 ? 0 : 1},,`);
      if (m.kind === 'township')
        rows.push(
          `${p},${m.id},contract_rate_growth,${(0.58 + hashOf(`${m.id}${p}`, 8) / 100).toFixed(2)},,`,
        );
    }
  }
  return rows;
}

/** departments.csv: every department of each county hospital, surgery-like ones weighted 1.2, cap 3×. */
export function v2Departments(members: readonly V2Member[]): string {
  const rows: string[] = [];
  for (const m of members.filter((x) => x.kind === 'county_hospital')) {
    const heads = new Map<string, string>();
    for (const s of m.staff) if (!heads.has(s.department)) heads.set(s.department, s.id);
    for (const [department, head] of [...heads].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const coefficient = /外|急|麻醉|重症|ICU/.test(department) ? '1.2' : '1.0';
      rows.push(`${m.id},${field(department)},${field(department)},${coefficient},3,${head}`);
    }
  }
  return csv('institutionId,departmentId,name,coefficient,capMultiple,headStaffId', rows);
}

/** secondments.csv: doctors of the county hospital to three townships (one of them a leader, one from last year). */
export function v2Secondments(members: readonly V2Member[], year: number): string {
  const hospital = members.find((m) => m.kind === 'county_hospital');
  const townships = members.filter((m) => m.kind === 'township').slice(0, 3);
  const doctors = hospital?.staff.filter((s) => s.post === 'doctor').slice(0, 7) ?? [];
  const rows: string[] = [];
  doctors.forEach((d, i) => {
    const host = townships[i % Math.max(1, townships.length)];
    if (!host) return;
    const from = i === 0 ? `${year - 1}-10` : period(year, 1 + (i % 3));
    const to = i === 6 ? period(year, 4) : period(year, 12);
    rows.push(
      `${d.id},${host.id},${i === 0 ? 'dispatch' : 'down'},${from},${to},${i === 0 ? '1200.00' : '800.00'},${i === 0 ? 'yes' : 'no'}`,
    );
  });
  return csv('staffId,hostInstitutionId,kind,from,to,monthlyAllowance,leaderRole', rows);
}
