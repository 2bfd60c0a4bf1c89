/** staff.csv — the roster: one row per person, each in exactly one institution (DOMAIN.md §2). */
import { FLAGS, POSTS } from '../../schemas/dataset.js';
import { ACCOUNT_CHECKS, accountRule, bankAccount, personName } from '../accounts.js';
import { decimal, freeText, id, oneOf, optional, required, subsetOf, yuan } from '../cells.js';
import { idNumber } from '../id-number.js';
import { csvFormat } from '../table.js';

const cells = {
  staffId: required(id),
  name: required(personName),
  institutionId: required(id),
  department: freeText(),
  post: required(oneOf(POSTS)),
  postCoefficient: required(decimal({ min: '0', minExclusive: true })),
  /** Tilt flags (关键/紧缺/高风险/高层次/骨干); empty = none. */
  flags: subsetOf(FLAGS),
  basicMonthly: required(yuan({ signed: false })),
  bankAccount: optional(bankAccount),
  /** `nonCard`: a real account that is not a card number (passbook, corporate), so no Luhn check. */
  accountCheck: optional(oneOf(ACCOUNT_CHECKS)),
  /** Why this account is on more than one staff id; without it a shared account is refused. */
  sharedAccountReason: optional((text) => text.trim()),
  /** 身份证号, for bank formats that ask for it (issue 16); checked, and quoted only masked. */
  idNumber: optional(idNumber),
  /** 开户行 (the account's bank branch), for bank formats that ask for it; free text. */
  branch: optional((text) => text.trim()),
};

export const staffCsv = csvFormat('staff.csv', true, cells, { rule: accountRule });
