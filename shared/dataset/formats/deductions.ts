/**
 * deductions.csv (optional, issue 16) — what the employer withholds from a person's pay of a month
 * (个税, 养老, 医疗, 失业, 公积金, 其他), imported by HR. Withholding never changes pay: the sheets show
 * 代扣合计 and 实发合计 beside 应发合计 and the bank file pays 实发 (shared/reports/sheets.ts, which also
 * refuses a month whose deductions exceed a person's gross — known only once the month has run).
 */
import { DEDUCTION_KINDS } from '../../schemas/dataset.js';
import { id, month, oneOf, required, yuan } from '../cells.js';
import { csvFormat } from '../table.js';

const cells = {
  period: required(month),
  staffId: required(id),
  kind: required(oneOf(DEDUCTION_KINDS)),
  amount: required(yuan({ signed: false })),
};

export const deductionsCsv = csvFormat('deductions.csv', false, cells);
