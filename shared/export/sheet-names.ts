/**
 * Worksheet names that Excel accepts: at most 31 characters, none of []:*?/\, no leading or trailing
 * apostrophe, not "History" (reserved by Excel), and unique ignoring case. exceljs throws on most of
 * these and silently truncates long names, which could make two institutions collide, so names are
 * made valid and unique here before they reach it.
 */
const MAX_LENGTH = 31;
// Control characters are not valid in the workbook XML either.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
const FORBIDDEN = /[[\]:*?/\\\u0000-\u001f\u007f]/g;

/** Cut to at most `max` UTF-16 units without splitting a surrogate pair. */
function truncate(value: string, max: number): string {
  let out = '';
  for (const ch of value) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out;
}

function tidy(value: string): string {
  return value.replace(/^[\s']+|[\s']+$/g, '');
}

function sanitise(value: string): string {
  return tidy(truncate(tidy(value.replace(FORBIDDEN, '')), MAX_LENGTH));
}

/**
 * Hands out valid, unique sheet names. `taken` names (e.g. the summary sheet) are never handed out.
 */
export class SheetNamer {
  private readonly used = new Set<string>(['history']);

  constructor(taken: readonly string[] = []) {
    for (const name of taken) this.used.add(name.toLowerCase());
  }

  /** A valid, unused name as close to `desired` as possible; `fallback` if nothing of it survives. */
  next(desired: string, fallback = 'Sheet'): string {
    const base = sanitise(desired) || sanitise(fallback) || 'Sheet';
    let candidate = base;
    for (let n = 2; this.used.has(candidate.toLowerCase()); n++) {
      const suffix = ` (${n})`;
      candidate = tidy(truncate(base, MAX_LENGTH - suffix.length)) + suffix;
    }
    this.used.add(candidate.toLowerCase());
    return candidate;
  }
}
