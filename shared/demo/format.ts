/** Text formatting for the generated CSV: exact decimals from integers, RFC 4180 quoting, CRLF rows. */

/** Integer fen → yuan with exactly 2 decimals ("-120.50"). */
export function yuan(fen: number): string {
  const abs = Math.abs(fen);
  const cents = abs % 100;
  return `${fen < 0 ? '-' : ''}${(abs - cents) / 100}.${cents < 10 ? '0' : ''}${cents}`;
}

/** An integer count of 10^-decimals units → decimal string with exactly that many decimals. */
export function scaled(units: number, decimals: number): string {
  if (decimals === 0) return String(units);
  const abs = Math.abs(units);
  const base = 10 ** decimals;
  const frac = String(abs % base).padStart(decimals, '0');
  return `${units < 0 ? '-' : ''}${Math.floor(abs / base)}.${frac}`;
}

/** x rounded half-up to `decimals` places, as a decimal string. */
export function fixed(x: number, decimals: number): string {
  return scaled(Math.round(x * 10 ** decimals), decimals);
}

/** A coefficient in hundredths, written with 1 or 2 decimals as people do ("1.3", "1.25", "1.0"). */
export function coefficient(hundredths: number): string {
  return hundredths % 10 === 0 ? scaled(hundredths / 10, 1) : scaled(hundredths, 2);
}

/** RFC 4180: quote a field only when it holds a comma, quote or line break. */
export function field(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows (already joined with commas) → CSV text with a header, CRLF line ends and a final CRLF. */
export function csv(header: string, rows: string[]): string {
  return rows.length === 0 ? `${header}\r\n` : `${header}\r\n${rows.join('\r\n')}\r\n`;
}
