/** institutions.csv — the community's members (DOMAIN.md §2). */
import { INSTITUTION_KINDS } from '../../schemas/dataset.js';
import { decimal, id, name, nonNegativeInteger, oneOf, required, yuan } from '../cells.js';
import { csvFormat } from '../table.js';

const fundingCode = oneOf(['1', '2'] as const);
const funding = (text: string) => {
  const value = fundingCode(text);
  return typeof value === 'string' ? (Number(value) as 1 | 2) : value;
};

const cells = {
  id: required(id),
  name: required(name),
  kind: required(oneOf(INSTITUTION_KINDS)),
  /** 1 = 公益一类, 2 = 公益二类. */
  funding: required(funding),
  /** Weight in the insurance-surplus split (§6.2); a zero would silently drop the member from it. */
  tier: required(decimal({ min: '0', minExclusive: true })),
  servedPopulation: required(nonNegativeInteger),
  approvedTotal: required(yuan({ signed: false })),
};

export const institutionsCsv = csvFormat('institutions.csv', true, cells);
