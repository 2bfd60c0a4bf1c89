/**
 * The parts of the API's answers the console reads (functions/api, shared/api/cycle-views.ts). Written
 * out here rather than imported so the browser bundle never reaches into server modules; the e2e test
 * drives the real API, so a drift shows up there.
 */

/** The API's groups, from its route table (a type-only import, erased from the bundle like the reports'). */
import type { Group } from '../../../shared/api/roles';

export type { Group };
export type CycleKind = 'monthly' | 'quarterly' | 'annual';
export type SheetKind = CycleKind | 'leaders';
export type CycleStatus = 'not_started' | 'running' | 'awaiting_review' | 'completed' | 'rejected' | 'failed';

/** A community the caller holds groups in (GET /api/me, tenancy). */
export interface MyCommunity {
  communityId: string;
  name: string | null;
  /** False until its first dataset is imported (its office's first import creates it). */
  imported: boolean;
  groups: Group[];
}

export interface Me {
  user: string;
  /** Deployment-wide groups (the commission); a community's groups are in `communities`. */
  groups: Group[];
  communities: MyCommunity[];
  /** The local server's sample users: their role in every community, even one not imported yet. */
  anyCommunity?: Group[];
  /** A member's institution, a staff member's own id (their scope). */
  institutionId?: string;
  staffId?: string;
  /** §9.1 a department head's department. */
  departmentId?: string;
}

export interface WaitsFor {
  what: 'prerequisites' | 'start' | 'running' | 'finance_review' | 'restart' | 'nothing';
  message: string;
  notBy?: string;
  cycles?: { kind: CycleKind; period: string }[];
}

export interface Decision {
  approved: boolean;
  by: string;
  at: string;
  reason?: string;
}

export interface CycleView {
  kind: CycleKind;
  period: string;
  status: CycleStatus;
  revision?: number;
  datasetVersion?: number;
  startedBy?: string;
  startedAt?: string;
  updatedAt?: string;
  reviewRequestedAt?: string;
  decision?: Decision;
  error?: { name?: string; message?: string };
  waitsFor: WaitsFor;
}

export interface YearOverview {
  communityId: string | null;
  year: number | null;
  datasetVersion: number | null;
  cycles: CycleView[];
  message?: string;
}

/** One broken rule of a rejected import (shared/dataset/errors.ts). */
export interface ImportIssue {
  file: string;
  row?: number;
  column?: string;
  value?: string;
  rule: string;
  zh: string;
  en: string;
  /** For a file read from an Excel sheet: workbook and sheet, and the column's letter. */
  sheet?: string;
  columnLetter?: string;
}

/** POST /api/datasets/upload-url (on AWS): presigned PUTs into the import bucket. */
export interface UploadTicket {
  prefix: string;
  importId: string;
  expiresIn: number;
  files: { name: string; url: string; method: 'PUT'; headers: Record<string, string> }[];
}

/** GET /api/datasets/imports/{importId}: an import the workflow runs (issue 12). */
export interface ImportJobState {
  importId: string;
  status: 'parsing' | 'writing' | 'imported' | 'refused' | 'failed';
  by: string;
  startedAt: string;
  updatedAt: string;
  communityId?: string;
  year?: number;
  version?: number;
  summary?: { file: string; rows: number; encoding?: string }[];
  error?: string;
  issues?: ImportIssue[];
  issueCount?: number;
}

export interface ImportResult {
  communityId: string;
  year: number;
  version: number;
  importedBy: string;
  importedAt: string;
  summary: { file: string; rows: number; encoding?: string }[];
}

export type PeerGroup = 'county' | 'primary' | 'centre';

export interface BulletinRow {
  institutionId: string;
  /** The institution's name (review details carry it). */
  name?: string;
  score: string;
  grade: string;
  rank: number;
  change: string | null;
  surplus: string;
  fundExtraction: string;
  pool: string;
  peerGroup?: PeerGroup;
}

/**
 * The report documents (GET /api/reports/…) are typed by the API's own zod schemas — type-only imports,
 * erased from the bundle, so the console's build fails when the documents change shape.
 */
export type {
  AnnualAppraisalReport,
  IndicatorInfo,
  MonthlyDispatchReport,
  QuarterlyBulletinReport,
  Status as IndicatorStatus,
  Trend,
} from '../../../shared/reports/schemas';

export type InsuranceSettlement =
  | {
      budget: string;
      actual: string;
      surplus: string;
      retained: string;
      returned: string;
      payPart: string;
      developmentPart: string;
      payPartByInstitution: Record<string, string>;
    }
  | {
      budget: string;
      actual: string;
      overspend: string;
      reasonable: string;
      fundBears: string;
      communityBears: string;
    }
  | { budget: string; actual: string };

export interface Appraisal {
  communityScore: string;
  communityGrade: string;
  institutions: {
    institutionId: string;
    /** The institution's name (review details carry it). */
    name?: string;
    score: string;
    grade: string;
    coefficient: string;
    reserve: string;
    reserveReleased: string;
    annualBonusPool: string;
    nextApprovedTotal: string;
  }[];
  insurance: InsuranceSettlement;
  publicHealth: {
    total: string;
    retainedByCommunity: string;
    rows: {
      institutionId: string;
      base: string;
      preAllocated: string;
      entitlement: string;
      settlement: string;
    }[];
  };
  leaders: { staffId: string; salary: string }[];
}

/** GET /api/reports/{kind}/{period}: a completed cycle's report document. */
export interface ReportAnswer<R> {
  kind: CycleKind;
  period: string;
  revision: number;
  datasetVersion: number;
  report: R;
}

export type ReviewDetails =
  | { institutions: BulletinRow[]; totals: { surplus: string; fundExtraction: string; pool: string } }
  | { settlement: Appraisal; totals: { annualBonusPools: string; leaderSalaries: string } }
  | null;

export interface Review {
  cycle: CycleView;
  youMayDecide: boolean;
  details: ReviewDetails;
}

/** A pay-sheet line as `?format=json` gives it (DOMAIN.md §8): amounts are yuan strings. */
export interface SheetLine {
  period: string;
  institutionId: string;
  institutionName: string;
  department: string;
  staffId: string;
  name: string;
  post: string;
  basic: string;
  reward: string;
  quarterlySurplus: string;
  annualBonus: string;
  adjustment: string;
  gross: string;
}
