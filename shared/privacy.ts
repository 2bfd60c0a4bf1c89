/** Bank accounts appear only in the bank file; everywhere else — logs, reports, error messages — masked. */

const VISIBLE_DIGITS = 4;

/**
 * '6222021234567891234' → '************1234'. Always twelve stars, whatever the length, so a log does
 * not reveal how long the account is; an account too short to spare four digits is masked entirely.
 */
export function maskBankAccount(account: string): string {
  const trimmed = account.trim();
  if (trimmed.length < 2 * VISIBLE_DIGITS) return '*'.repeat(16);
  return '*'.repeat(12) + trimmed.slice(-VISIBLE_DIGITS);
}

/** Columns whose cells are never quoted back in full (import issues, logs). */
export const SENSITIVE_COLUMNS: ReadonlySet<string> = new Set(['bankAccount', 'idNumber']);

export const shownValue = (column: string, value: string | undefined): string | undefined =>
  value !== undefined && value !== '' && SENSITIVE_COLUMNS.has(column) ? maskBankAccount(value) : value;
