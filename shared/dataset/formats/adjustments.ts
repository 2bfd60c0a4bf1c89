/** adjustments.csv (optional) — signed corrections (补发/扣回) paid on an open month's sheet. */
import { freeText, id, month, required, yuan } from '../cells.js';
import { Problem } from '../errors.js';
import { csvFormat } from '../table.js';

const cells = {
  period: required(month),
  staffId: required(id),
  amount: required(yuan({ signed: true })),
  reason: freeText(),
  /** The locked month being corrected. */
  refPeriod: required(month),
};

// A correction is paid in a later, open month for an earlier, locked one; YYYY-MM sorts as text.
export const adjustmentsCsv = csvFormat('adjustments.csv', false, cells, {
  rule: {
    reads: ['period', 'refPeriod'],
    check: (row, report) => {
      if (row.refPeriod >= row.period) {
        report(
          'refPeriod',
          new Problem(
            'adjustment.refPeriod.order',
            `被更正的期间须早于发放期间 ${row.period}`,
            `the corrected period must be before the period it is paid in (${row.period})`,
          ),
        );
      }
    },
  },
});
