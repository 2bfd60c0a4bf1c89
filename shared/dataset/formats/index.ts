/** Every file of dataset format v1, keyed by the Dataset property it fills (DOMAIN.md §2). */
import type { CsvFormat } from '../table.js';
import { adjustmentsCsv } from './adjustments.js';
import { deductionsCsv } from './deductions.js';
import { departmentsCsv } from './departments.js';
import { financeCsv } from './finance.js';
import { indicatorValuesCsv } from './indicator-values.js';
import { indicatorsCsv } from './indicators.js';
import { institutionsCsv } from './institutions.js';
import { insuranceCsv } from './insurance.js';
import { leadersCsv } from './leaders.js';
import { SCHEME_FILE } from './scheme.js';
import { secondmentsCsv } from './secondments.js';
import { staffCsv } from './staff.js';
import { workloadCsv } from './workload.js';

export const CSV_FORMATS = {
  institutions: institutionsCsv,
  staff: staffCsv,
  leaders: leadersCsv,
  indicators: indicatorsCsv,
  indicatorValues: indicatorValuesCsv,
  finance: financeCsv,
  workload: workloadCsv,
  insurance: insuranceCsv,
  adjustments: adjustmentsCsv,
  deductions: deductionsCsv,
  departments: departmentsCsv,
  secondments: secondmentsCsv,
} as const;

export type CsvKey = keyof typeof CSV_FORMATS;
export type RowOf<K extends CsvKey> = (typeof CSV_FORMATS)[K] extends CsvFormat<infer R> ? R : never;

export const CSV_KEYS = Object.keys(CSV_FORMATS) as CsvKey[];

/** All file names in the order issues are listed. */
export const DATASET_FILES: readonly string[] = [
  SCHEME_FILE,
  ...CSV_KEYS.map((key) => CSV_FORMATS[key].file),
];

export { SCHEME_FILE };
