/** workload.csv — a person's month: a row puts them on that month's payroll (DOMAIN.md §2, §5.1). */
import { decimal, id, month, required } from '../cells.js';
import { compareDecimal } from '../decimal.js';
import { Problem } from '../errors.js';
import { csvFormat } from '../table.js';

const cells = {
  period: required(month),
  staffId: required(id),
  workPoints: required(decimal({ min: '0' })),
  quality: required(decimal({ min: '0', max: '100' })),
  attendedDays: required(decimal({ min: '0' })),
  /** Divides the attendance factor, so it must be positive. */
  scheduledDays: required(decimal({ min: '0', minExclusive: true })),
};

export const workloadCsv = csvFormat('workload.csv', true, cells, {
  rule: {
    reads: ['attendedDays', 'scheduledDays'],
    check: (row, report) => {
      // Both are canonical decimals (the cells' reading): the same text is the same number, the usual case.
      if (row.attendedDays !== row.scheduledDays && compareDecimal(row.attendedDays, row.scheduledDays) > 0) {
        report(
          'attendedDays',
          new Problem(
            'workload.attendance',
            `出勤天数不能超过应出勤天数 ${row.scheduledDays}`,
            `attended days must not exceed the scheduled days (${row.scheduledDays})`,
          ),
        );
      }
    },
  },
});
