/** insurance.csv — the community's medical-insurance global budget for the year (DOMAIN.md §6.2). */
import { nonNegativeInteger, optional, required, yuan } from '../cells.js';
import { csvFormat } from '../table.js';

const cells = {
  year: required(nonNegativeInteger),
  budget: required(yuan({ signed: false })),
  /** Empty until the year's figures are in. */
  actual: optional(yuan({ signed: false })),
  /** Empty = all overspend is reasonable. */
  reasonableOverspend: optional(yuan({ signed: false })),
};

export const insuranceCsv = csvFormat('insurance.csv', true, cells);
