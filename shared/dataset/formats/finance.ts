/** finance.csv — monthly revenue and cost by category (DOMAIN.md §5.2). */
import { FINANCE_CATEGORIES } from '../../schemas/dataset.js';
import { id, month, oneOf, required, yuan } from '../cells.js';
import { csvFormat } from '../table.js';

const cells = {
  period: required(month),
  institutionId: required(id),
  category: required(oneOf(FINANCE_CATEGORIES)),
  amount: required(yuan({ signed: false })),
};

export const financeCsv = csvFormat('finance.csv', true, cells);
