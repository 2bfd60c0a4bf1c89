/**
 * Departments and secondary distribution (科室/团队二次分配, DOMAIN.md §9.1). Every pool X of an institution
 * with departments is split in two levels: across departments by P_d = coefficient_d × Σ pts of d's members
 * (LR, ties by departmentId), then each department pool across its members by pts (LR, ties by staffId).
 * The manual second level (monthly pools) is checked here too: amounts to the fen, none negative, within the
 * cap round(capMultiple × X_d ÷ n_d).
 */
import type { Department } from '../schemas/dataset.js';
import type { PointsAllocation } from './allocation.js';
import { applyRate, type Fen, formatYuan, largestRemainderSplit } from './money.js';
import { type Fraction, rational, sum } from './rational.js';

export interface DepartmentPool {
  departmentId: string;
  /** P_d = coefficient × Σ pts of the department's members over the window (fraction string). */
  points: string;
  /** X_d, the department's part of the pool. */
  pool: Fen;
  /** How X_d reached persons: the rule split, or an approved manual submission. */
  mode: 'rule' | 'manual';
}

export interface TwoLevelAllocation extends PointsAllocation {
  departments: DepartmentPool[];
}

/**
 * Splits `pool` in two levels. `points` are the persons' pts over the window; `departmentOf` gives each
 * person's department (the roster's). Σ P_d = 0 → the whole pool is undistributed, as in v1.
 */
export function allocateByDepartments(
  pool: Fen,
  points: ReadonlyMap<string, Fraction>,
  departmentOf: ReadonlyMap<string, string>,
  departments: readonly Pick<Department, 'departmentId' | 'coefficient'>[],
  manual: ReadonlyMap<string, ReadonlyMap<string, Fen>> = new Map(),
): TwoLevelAllocation {
  const members = new Map<string, [string, Fraction][]>(departments.map((d) => [d.departmentId, []]));
  for (const [staffId, pts] of points) members.get(departmentOf.get(staffId) ?? '')?.push([staffId, pts]);
  const weights = departments.map((d) => ({
    id: d.departmentId,
    weight: rational(d.coefficient).mul(sum(members.get(d.departmentId)!.map(([, p]) => p))),
  }));
  const byDepartment =
    pool === 0 ? new Map(weights.map((w) => [w.id, 0])) : largestRemainderSplit(pool, weights);
  if (byDepartment === null) {
    return {
      shares: new Map(),
      undistributed: pool,
      departments: weights.map((w) => ({
        departmentId: w.id,
        points: w.weight.toFraction(),
        pool: 0,
        mode: 'rule',
      })),
    };
  }
  const shares = new Map<string, Fen>();
  const out: DepartmentPool[] = [];
  for (const w of weights) {
    const x = byDepartment.get(w.id) ?? 0;
    const submitted = manual.get(w.id);
    if (submitted !== undefined) {
      for (const [staffId] of members.get(w.id)!) shares.set(staffId, submitted.get(staffId) ?? 0);
    } else {
      const people = members.get(w.id)!.map(([id, weight]) => ({ id, weight }));
      const split = x === 0 ? new Map(people.map((p) => [p.id, 0])) : largestRemainderSplit(x, people);
      for (const [staffId, fen] of split ?? []) shares.set(staffId, fen);
    }
    out.push({
      departmentId: w.id,
      points: w.weight.toFraction(),
      pool: x,
      mode: submitted ? 'manual' : 'rule',
    });
  }
  return { shares, undistributed: 0, departments: out };
}

export interface SubmissionProblem {
  code: 'negative' | 'sum' | 'cap' | 'notMember';
  staffId?: string;
  zh: string;
  en: string;
}

/**
 * A department head's manual split of X_d over the department's members on the month's payroll (n_d of
 * them): every a_s ≥ 0, Σ a_s = X_d exactly, and with capMultiple a_s ≤ round(capMultiple × X_d ÷ n_d).
 * Returns every problem, each naming the person and the amount over (the excess) where there is one.
 */
export function checkSubmission(
  departmentPool: Fen,
  payroll: readonly string[],
  amounts: ReadonlyMap<string, Fen>,
  capMultiple: string | undefined,
): SubmissionProblem[] {
  const problems: SubmissionProblem[] = [];
  const members = new Set(payroll);
  for (const [staffId, a] of amounts) {
    if (!members.has(staffId)) {
      problems.push({
        code: 'notMember',
        staffId,
        zh: `${staffId} 不是本科室本月在册人员`,
        en: `${staffId} is not a member of the department on this month's payroll`,
      });
    }
    if (!Number.isSafeInteger(a) || a < 0) {
      problems.push({
        code: 'negative',
        staffId,
        zh: `${staffId} 的金额不能为负`,
        en: `${staffId}: the amount must not be negative`,
      });
    }
  }
  const total = [...amounts.values()].reduce((acc, a) => acc + a, 0);
  if (total !== departmentPool) {
    const diff = departmentPool - total;
    problems.push({
      code: 'sum',
      zh: `合计 ${fen(total)} 元，应等于科室奖励池 ${fen(departmentPool)} 元（${diff > 0 ? `还差 ${fen(diff)}` : `多出 ${fen(-diff)}`} 元）`,
      en: `the amounts sum to ${fen(total)} yuan, not the department pool of ${fen(departmentPool)} yuan (${diff > 0 ? `${fen(diff)} left to assign` : `${fen(-diff)} too much`})`,
    });
  }
  if (capMultiple !== undefined && payroll.length > 0) {
    const cap = applyRate(departmentPool, rational(capMultiple).div(payroll.length));
    for (const [staffId, a] of amounts) {
      if (a > cap) {
        problems.push({
          code: 'cap',
          staffId,
          zh: `${staffId} 的 ${fen(a)} 元超过个人上限 ${fen(cap)} 元（超出 ${fen(a - cap)} 元）`,
          en: `${staffId}: ${fen(a)} yuan is over the cap of ${fen(cap)} yuan by ${fen(a - cap)} yuan`,
        });
      }
    }
  }
  return problems;
}

const fen = formatYuan;
