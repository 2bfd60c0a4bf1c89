/** leaders.csv (optional) — heads paid an annual salary by county finance (院长年薪). */
import { id, required, yuan } from '../cells.js';
import { csvFormat } from '../table.js';

const cells = {
  staffId: required(id),
  targetAnnualSalary: required(yuan({ signed: false })),
};

export const leadersCsv = csvFormat('leaders.csv', false, cells);
