/** Lookups over an in-memory dataset by institution and period (rows grouped once, read many times). */
import type {
  Adjustment,
  Dataset,
  FinanceRow,
  IndicatorValue,
  Staff,
  WorkloadRow,
} from '../schemas/dataset.js';

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

export class DatasetIndex {
  private readonly staffByInstitution: Map<string, Staff[]>;
  private readonly institutionOfStaff: Map<string, string>;
  private readonly valuesByInstitution: Map<string, IndicatorValue[]>;
  private readonly financeByInstitutionMonth: Map<string, FinanceRow[]>;
  private readonly workloadByInstitutionMonth: Map<string, WorkloadRow[]>;
  private readonly adjustmentsByInstitutionMonth: Map<string, Adjustment[]>;

  constructor(readonly dataset: Dataset) {
    this.staffByInstitution = groupBy(dataset.staff, (s) => s.institutionId);
    this.institutionOfStaff = new Map(dataset.staff.map((s) => [s.staffId, s.institutionId]));
    this.valuesByInstitution = groupBy(dataset.indicatorValues, (v) => v.institutionId);
    this.financeByInstitutionMonth = groupBy(dataset.finance, (f) => `${f.institutionId}|${f.period}`);
    this.workloadByInstitutionMonth = groupBy(
      dataset.workload,
      (w) => `${this.institutionOfStaff.get(w.staffId)}|${w.period}`,
    );
    this.adjustmentsByInstitutionMonth = groupBy(
      dataset.adjustments,
      (a) => `${this.institutionOfStaff.get(a.staffId)}|${a.period}`,
    );
  }

  roster(institutionId: string): Staff[] {
    return this.staffByInstitution.get(institutionId) ?? [];
  }

  headcounts(): Map<string, number> {
    return new Map(this.dataset.institutions.map((i) => [i.id, this.roster(i.id).length]));
  }

  staffInstitution(): Map<string, string> {
    return this.institutionOfStaff;
  }

  values(institutionId: string): IndicatorValue[] {
    return this.valuesByInstitution.get(institutionId) ?? [];
  }

  finance(institutionId: string, months: readonly string[]): FinanceRow[] {
    return months.flatMap((m) => this.financeByInstitutionMonth.get(`${institutionId}|${m}`) ?? []);
  }

  workload(institutionId: string, months: readonly string[]): WorkloadRow[] {
    return months.flatMap((m) => this.workloadByInstitutionMonth.get(`${institutionId}|${m}`) ?? []);
  }

  adjustments(institutionId: string, period: string): Adjustment[] {
    return this.adjustmentsByInstitutionMonth.get(`${institutionId}|${period}`) ?? [];
  }
}
