/**
 * What a cell a spreadsheet or an input method changed looks like, named for what it is: 全角 digits,
 * thousands separators, a month Excel turned into a date. Asked only after a value failed to parse, so
 * the cells that parse pay nothing for it.
 */
import { fullWidthDigitsProblem } from './accounts.js';
import { Problem } from './errors.js';

const FULL_WIDTH = /[\uFF01-\uFF5E\u3000]/;
const THOUSANDS = /^[+-]?\d{1,3}([,，]\d{3})+(\.\d*)?$/;

/** A number cell's mistake when it is one of these, else undefined. */
export function numberHint(text: string): Problem | undefined {
  const trimmed = text.trim();
  if (FULL_WIDTH.test(trimmed)) {
    return /[\uFF10-\uFF19]/.test(trimmed)
      ? fullWidthDigitsProblem('value.fullWidth')
      : new Problem(
          'value.fullWidth',
          '含全角字符（如 ．－，或全角空格）：请改为半角字符，可在输入法中切换到半角',
          'contains full-width characters (like ．－， or a full-width space): use half-width ones; switch the input method to half-width',
        );
  }
  if (THOUSANDS.test(trimmed)) {
    return new Problem(
      'number.thousandsSeparator',
      '数字带了千位分隔符（如 1,234.56）：请去掉逗号，写成 1234.56（在表格中把数字格式改为不带千位分隔符的“数值”或“常规”）',
      'the number has thousands separators (like 1,234.56): write it without them, as 1234.56 (format the column as a number without separators, or General)',
    );
  }
  return undefined;
}

const MONTH_NAMES = 'jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec';
const EXCEL_DATES = [
  /^\d{4}[/.-]\d{1,2}[/.-]\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$/, // 2026/1/1, 2026-01-01 00:00
  /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/, // 1/1/2026, 01.01.26
  /^\d{4}\/\d{1,2}$/, // 2026/1
  new RegExp(`^(${MONTH_NAMES})[a-z]*[- ]\\d{2,4}$`, 'i'), // Jan-26
  new RegExp(`^\\d{1,2}[- ](${MONTH_NAMES})[a-z]*$`, 'i'), // 26-Jan
  /^\d{4}年\d{1,2}月(\d{1,2}日)?$/, // 2026年1月
  /^4\d{4}$/, // a date serial: 46023 is 2026-01-01
];

/** A period cell Excel or WPS turned into a date, else undefined. */
export function periodHint(text: string): Problem | undefined {
  const trimmed = text.trim();
  if (!EXCEL_DATES.some((pattern) => pattern.test(trimmed))) return numberHint(trimmed);
  return new Problem(
    'period.excelDate',
    '期间被表格软件改成了日期（Excel/WPS 会把 2026-01 识别为日期并改写）：请把该列设置为“文本”格式，再写成 YYYY-MM，如 2026-01',
    'a spreadsheet turned the period into a date (Excel and WPS read 2026-01 as a date and rewrite it): format the column as Text and write YYYY-MM, e.g. 2026-01',
  );
}
