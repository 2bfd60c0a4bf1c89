/**
 * The period lifecycle's answers (issue 11): the board of a year with its corrections, what starting a
 * month would pay (the confirmation), and corrections with their per-person differences. Written out as
 * api/types.ts does (shared/api/cycle-views.ts, shared/store/corrections.ts, shared/app/cycle-service.ts),
 * so the browser bundle never reaches into server modules; the e2e test drives the real API.
 */
import type { CycleView, YearOverview } from './types';

export type CorrectionKind = 'monthly' | 'quarterly';
export type CorrectionStatus = 'awaiting_review' | 'completed' | 'rejected';

/** One correction of a completed period; amounts in integer fen. */
export interface CorrectionRecord {
  communityId: string;
  kind: CorrectionKind;
  period: string;
  revision: number;
  status: CorrectionStatus;
  baseRevision: number;
  datasetVersion: number;
  startedBy: string;
  startedAt: string;
  reason?: string;
  totals: { old: number; new: number; difference: number; people: number; lines: number };
  decision?: { approved: boolean; by: string; at: string; reason?: string };
  /** The month whose sheet carries the differences (set on approval). */
  postedTo?: string;
}

/** A cycle on the board: what the API's view adds for the lifecycle. */
export interface BoardCycle extends CycleView {
  /** Institutions without rows that the starter acknowledged (paid nothing that month). */
  acknowledgedMissing?: string[];
  /** The scheduler found the period's data incomplete and tries again daily (等待数据). */
  waitingForData?: { since: string; lastTriedAt: string; attempts: number; message: string };
}

/** GET /api/cycles?year=: the board of one year. */
export interface BoardOverview extends Omit<YearOverview, 'cycles'> {
  cycles: BoardCycle[];
  years?: number[];
  importedBy?: string;
  importedAt?: string;
  corrections?: CorrectionRecord[];
}

/** GET /api/cycles/monthly/{period}/preview: what starting the month would lock and pay (fen). */
export interface MonthPreview {
  period: string;
  datasetVersion: number;
  withRows: string[];
  missing: { id: string; name: string; staff: number }[];
  headcount: number;
  totals: { basic: number; reward: number; adjustment: number; gross: number; people: number };
  /** The month's cycle record if it ran before (a failed one restarts). */
  cycle: { status: string; revision: number } | null;
}

/** One person's difference in one pay component (fen), new − old. */
export interface CorrectionLine {
  staffId: string;
  component: string;
  old: number;
  new: number;
  difference: number;
}

/** GET /api/reviews → corrections: what finance decides on. */
export interface CorrectionReview {
  correction: CorrectionRecord;
  youMayDecide: boolean;
  /** The lines of the first institutions (id order) within the answer's budget (issue 12). */
  differences: { institutionId: string; lines: CorrectionLine[] }[];
  /** Every institution's share of the correction (fen). */
  summary?: CorrectionInstitutionSummary[];
  /** False when `differences` leaves institutions out: load them through CorrectionDifferences. */
  differencesComplete?: boolean;
  counts?: { institutions: number; institutionsIncluded: number; lines: number; linesIncluded: number };
}

export interface CorrectionInstitutionSummary {
  institutionId: string;
  people: number;
  lines: number;
  difference: number;
}

/** GET /api/corrections/{kind}/{period}/differences?institution=: one institution's lines. */
export interface CorrectionDifferences {
  kind: CorrectionKind;
  period: string;
  revision: number;
  institutionId: string;
  lines: CorrectionLine[];
}
