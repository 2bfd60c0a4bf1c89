/**
 * indicator-values.csv — an institution's monthly figure per indicator. Whether a row needs `value` or
 * `numerator`+`denominator` depends on the indicator's aggregation, so that is a cross-file rule.
 */
import { decimal, id, month, optional, required } from '../cells.js';
import { csvFormat } from '../table.js';

const cells = {
  period: required(month),
  institutionId: required(id),
  indicatorId: required(id),
  value: optional(decimal()),
  numerator: optional(decimal()),
  /** Zero is allowed: the window's ratio is then missing (DOMAIN.md §3). */
  denominator: optional(decimal({ min: '0' })),
};

export const indicatorValuesCsv = csvFormat('indicator-values.csv', true, cells);
