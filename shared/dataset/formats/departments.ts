/**
 * departments.csv (optional, DOMAIN.md §9.1) — an institution's departments (科室/团队) for the two-level
 * split of every pool: coefficient > 0, capMultiple empty or > 1, headStaffId empty or a staff member of
 * that institution (checked across files in v2-rules.ts).
 */
import { decimal, id, name, optional, required } from '../cells.js';
import { csvFormat } from '../table.js';

const cells = {
  institutionId: required(id),
  departmentId: required(id),
  name: required(name),
  coefficient: required(decimal({ min: '0', minExclusive: true })),
  capMultiple: optional(decimal({ min: '1', minExclusive: true })),
  headStaffId: optional(id),
};

export const departmentsCsv = csvFormat('departments.csv', false, cells);
