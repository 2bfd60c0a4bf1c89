/** staff.csv — the roster: one row per person, each in exactly one institution (DOMAIN.md §2). */
import { FLAGS, POSTS } from '../../schemas/dataset.js';
import {
  decimal,
  digitsOnly,
  freeText,
  id,
  name,
  oneOf,
  optional,
  required,
  subsetOf,
  yuan,
} from '../cells.js';
import { csvFormat } from '../table.js';

const cells = {
  staffId: required(id),
  name: required(name),
  institutionId: required(id),
  department: freeText(),
  post: required(oneOf(POSTS)),
  postCoefficient: required(decimal({ min: '0', minExclusive: true })),
  /** Tilt flags (关键/紧缺/高风险/高层次/骨干); empty = none. */
  flags: subsetOf(FLAGS),
  basicMonthly: required(yuan({ signed: false })),
  bankAccount: optional(digitsOnly),
};

export const staffCsv = csvFormat('staff.csv', true, cells);
