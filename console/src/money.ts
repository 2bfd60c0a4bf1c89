/**
 * Amounts as the API gives them (yuan strings with two decimals, or integer fen) to what people read,
 * and sums in integer fen — never floats near money, also in the browser.
 */

/** "1234.5" / "-0.07" → integer fen; throws on anything that is not a yuan amount with ≤ 2 decimals. */
export function toFen(yuan: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(yuan.trim());
  if (!m) throw new Error(`not a yuan amount: ${yuan}`);
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

const grouped = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Integer fen → "1,234.56" (negative with a leading minus). */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}${grouped(String(yuan))}.${cents}`;
}

/** A yuan string from the API, grouped for reading. */
export const formatYuan = (yuan: string): string => formatFen(toFen(yuan));

export const sumFen = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** Integer fen → "¥1,234.56" ("-¥120.50" when negative): what people read as an amount of money. */
export const formatMoney = (fen: number): string => `${fen < 0 ? '-' : ''}¥${formatFen(Math.abs(fen))}`;

/** A yuan string from the API → "¥1,234.56". */
export const formatMoneyYuan = (yuan: string): string => formatMoney(toFen(yuan));
