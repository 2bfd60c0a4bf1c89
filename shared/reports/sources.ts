/**
 * What the reports and sheets are built from: a completed cycle's stored results plus the dataset version
 * and scheme the cycle recorded. Plain data — the builders that take it are pure, and load.ts is the only
 * code here that reads the store.
 */
import type { MonthlyReport } from '../app/reports.js';
import type { Indicator, Institution, Scheme, Staff } from '../schemas/dataset.js';
import type {
  AnnualInstitutionResult,
  AnnualSettlementResult,
  BulletinRow,
  CommunityOwnResult,
  MonthlyInstitutionResult,
  PoolAllocation,
  QuarterlyInstitutionResult,
} from '../schemas/results.js';
import type { CycleRecord, MonthLock } from '../store/cycles.js';
import type { LeaderWithInstitution } from '../store/datasets.js';

/** One dataset version as the outputs need it (names, kinds, T, leaders, bank accounts for HR). */
export interface DatasetContext {
  communityId: string;
  version: number;
  scheme: Scheme;
  /** Short content hash of the scheme (lineage). */
  schemeHash: string;
  institutions: Institution[];
  indicators: Indicator[];
  leaders: LeaderWithInstitution[];
  staff: Staff[];
}

export interface MonthlyCycleData {
  cycle: CycleRecord;
  dataset: DatasetContext;
  /** The stored monthly report document (REPORT). */
  report: MonthlyReport;
  /** Pay lines per institution. */
  results: MonthlyInstitutionResult[];
}

export interface QuarterlyCycleData {
  cycle: CycleRecord;
  dataset: DatasetContext;
  scores: QuarterlyInstitutionResult[];
  bulletin: BulletinRow[];
  allocations: PoolAllocation[];
  /** §9.3 the community's own appraisal over the quarter (when the scheme weighs it). */
  community?: CommunityOwnResult;
}

export interface AnnualCycleData {
  cycle: CycleRecord;
  dataset: DatasetContext;
  scores: AnnualInstitutionResult[];
  settlement: AnnualSettlementResult;
  allocations: PoolAllocation[];
  /** The month locks of the year: what each month put into each institution's reserve, and from which run. */
  locks: MonthLock[];
}

/** Every completed cycle of a year, in period order. */
export interface YearData {
  communityId: string;
  year: number;
  monthly: MonthlyCycleData[];
  quarterly: QuarterlyCycleData[];
  annual: AnnualCycleData | null;
}
