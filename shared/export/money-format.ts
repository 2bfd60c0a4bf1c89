/**
 * Fen → yuan for files. Text is produced with integer arithmetic only, so no amount is ever rounded by a
 * float on its way to a CSV or JSON file.
 */
import { ExportError } from './errors.js';

/** What an amount is, for the message when it is refused; a function is called only then. */
export type AmountName = string | (() => string);

function assertFen(fen: number, what: AmountName): void {
  if (!Number.isSafeInteger(fen)) {
    throw new ExportError(
      'INVALID_AMOUNT',
      `${typeof what === 'function' ? what() : what} must be a whole number of fen (a safe integer), got ${String(fen)}; amounts reach the writers already in fen.`,
    );
  }
}

/** 123456 → "1234.56", -12050 → "-120.50", 5 → "0.05". */
export function fenToYuanString(fen: number, what: AmountName = 'amount'): string {
  assertFen(fen, what);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const cents = abs % 100;
  // (abs - cents) is a multiple of 100, so the division is exact for every safe integer.
  const yuan = (abs - cents) / 100;
  return `${sign}${yuan}.${String(cents).padStart(2, '0')}`;
}

/**
 * Fen → yuan as a number for spreadsheet cells. IEEE division is correctly rounded, so the result is the
 * double nearest to the exact decimal — the same double a spreadsheet gets when it parses "1234.56" —
 * and the cell format shows two decimals. Totals are summed in fen first and converted once, never
 * summed from these numbers.
 */
export function fenToYuanNumber(fen: number, what: AmountName = 'amount'): number {
  assertFen(fen, what);
  return fen / 100;
}

/** Exact sum of fen amounts; throws if it would leave the safe-integer range. */
export function sumFen(amounts: Iterable<number>, what = 'total'): number {
  let total = 0;
  for (const amount of amounts) {
    assertFen(amount, what);
    total += amount;
    assertFen(total, what);
  }
  return total;
}
