/** The columns a pay sheet page can be sorted by (kept apart so request schemas need not load the search). */
export const SORT_KEYS = [
  'institutionId',
  'staffId',
  'name',
  'department',
  'post',
  'basic',
  'reward',
  'quarterlySurplus',
  'annualBonus',
  'adjustment',
  'gross',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
