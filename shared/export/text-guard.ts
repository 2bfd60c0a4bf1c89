/**
 * Formula-injection guard (CSV/spreadsheet injection, OWASP). A text cell that starts with one of these
 * characters can be evaluated as a formula by Excel, WPS or LibreOffice when a person opens the file;
 * a leading apostrophe makes it inert text. Only text cells go through here: amounts are numbers
 * (negative amounts legitimately start with "-") and are written by the money formatter instead.
 */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

export function guardText(value: string): string {
  return FORMULA_TRIGGER.test(value) ? `'${value}` : value;
}
