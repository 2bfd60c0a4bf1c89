/**
 * Input shapes for the pay-sheet and bank-file writers (DOMAIN.md §8). The writers only format: every
 * amount arrives already computed as integer fen, and nothing here rounds or re-derives money.
 */

/** One person's pay on one sheet. All amounts are integer fen (0.01 yuan). */
export interface PaySheetLine {
  period: string;
  institutionId: string;
  institutionName: string;
  department: string;
  staffId: string;
  name: string;
  /** A dataset post code (doctor, nurse, …); shown in Chinese on the sheet. */
  post: string;
  basic: number;
  reward: number;
  quarterlySurplus: number;
  annualBonus: number;
  adjustment: number;
  /** §9.5 secondment allowance (补贴); only on monthly sheets of datasets with secondments. */
  allowance?: number;
  /** §9.2 county finance's top-up to the funding-1 floor (财政保底补足); only with the floor on. */
  fiscalTopUp?: number;
  gross: number;
  /** Issue 16: what deductions.csv withholds (代扣合计); only on sheets of a month with deductions. */
  deductions?: number;
  /** gross − deductions (实发合计): what the bank file pays; present exactly when `deductions` is. */
  net?: number;
}

export type PaySheetKind = 'monthly' | 'quarterly' | 'annual' | 'leaders';

export interface PaySheet {
  kind: PaySheetKind;
  period: string;
  communityName: string;
  lines: PaySheetLine[];
  /** Where the numbers came from, e.g. cycle id, dataset version, scheme hash. */
  lineage?: string;
}

/** One row of the bank-transfer file for HR. The only output in which bank accounts appear. */
export interface BankTransferLine {
  staffId: string;
  name: string;
  /** Digits only, as on file for the staff member. */
  bankAccount: string;
  /** Integer fen, never negative. */
  amount: number;
}

/** The amount columns of a pay sheet, in sheet order. */
export type AmountKey =
  | 'basic'
  | 'reward'
  | 'quarterlySurplus'
  | 'annualBonus'
  | 'adjustment'
  | 'allowance'
  | 'fiscalTopUp'
  | 'gross'
  | 'deductions'
  | 'net';
