/**
 * secondments.csv (optional, DOMAIN.md §9.5) — 派驻、上派下挂、对口帮扶、抽调: who is seconded where, when,
 * with what monthly allowance. to empty = open; a person's periods must not overlap (v2-rules.ts).
 */
import { SECONDMENT_KINDS } from '../../schemas/dataset.js';
import { id, month, oneOf, optional, required, yuan } from '../cells.js';
import { Problem } from '../errors.js';
import { csvFormat } from '../table.js';

const cells = {
  staffId: required(id),
  hostInstitutionId: required(id),
  kind: required(oneOf(SECONDMENT_KINDS)),
  from: required(month),
  to: optional(month),
  monthlyAllowance: required(yuan({ signed: false })),
  leaderRole: required(oneOf(['yes', 'no'] as const)),
};

export const secondmentsCsv = csvFormat('secondments.csv', false, cells, {
  rule: {
    reads: ['from', 'to'],
    check: (row, report) => {
      if (row.to !== undefined && row.to < row.from) {
        report(
          'to',
          new Problem(
            'period.format',
            `结束期间 ${row.to} 早于开始期间 ${row.from}`,
            `the period ends (${row.to}) before it starts (${row.from})`,
          ),
        );
      }
    },
  },
});
