/**
 * The one error the writers throw. Input that reaches a writer should already be valid, so this means a
 * bug upstream or a bad record on file; the message names the record and says what to fix, and never
 * carries a full bank account (errors end up in logs).
 */
export type ExportErrorCode =
  | 'INVALID_AMOUNT'
  | 'INVALID_BANK_ACCOUNT'
  | 'DUPLICATE_STAFF'
  // deductions.csv withholding more than a person's gross of the month (shared/reports/sheets.ts)
  | 'DEDUCTIONS_EXCEED_GROSS'
  // bank-file formats (bank-formats.ts)
  | 'INVALID_BANK_FORMAT'
  | 'UNKNOWN_BANK_FORMAT'
  | 'UNENCODABLE'
  | 'UNWRITABLE_CELL'
  // a format with an idNumber column, and people without 身份证号 in staff.csv
  | 'MISSING_ID_NUMBER'
  // payer accounts (bank-payers.ts): one given badly, or an institution without one in a per-payer format
  | 'INVALID_PAYER_ACCOUNT'
  | 'MISSING_PAYER_ACCOUNT';

export class ExportError extends Error {
  override readonly name = 'ExportError' as const;
  constructor(
    readonly code: ExportErrorCode,
    message: string,
  ) {
    super(message);
  }
}
