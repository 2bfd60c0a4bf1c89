/**
 * The API's handler modules by route group (shared/api/roles.ts): CDK bundles `functions/api/<group>.ts`
 * as one Lambda each; the local server loads the same modules in-process.
 */
import type { ApiEvent, ApiResponse } from '../../shared/api/http.js';
import type { RouteGroup } from '../../shared/api/roles.js';

export type ApiLambda = (event: ApiEvent, context: object) => Promise<ApiResponse>;

export const API_ENTRIES: Record<RouteGroup, string> = {
  me: 'me.ts',
  datasets: 'datasets.ts',
  cycles: 'cycles.ts',
  reviews: 'reviews.ts',
  reports: 'reports.ts',
  sheets: 'sheets.ts',
  bank: 'bank.ts',
  audit: 'audit.ts',
  explain: 'explain.ts',
  publications: 'publications.ts',
  schemes: 'schemes.ts',
  appeals: 'appeals.ts',
  commission: 'commission.ts',
  secondary: 'secondary.ts',
  jobs: 'jobs.ts',
};

type Module = Promise<{ handler: unknown }>;

// Static imports (one per module) so every bundler and vite can see them.
const LOADERS: Record<RouteGroup, () => Module> = {
  me: () => import('./me.js'),
  datasets: () => import('./datasets.js'),
  cycles: () => import('./cycles.js'),
  reviews: () => import('./reviews.js'),
  reports: () => import('./reports.js'),
  sheets: () => import('./sheets.js'),
  bank: () => import('./bank.js'),
  audit: () => import('./audit.js'),
  explain: () => import('./explain.js'),
  publications: () => import('./publications.js'),
  schemes: () => import('./schemes.js'),
  appeals: () => import('./appeals.js'),
  commission: () => import('./commission.js'),
  secondary: () => import('./secondary.js'),
  jobs: () => import('./jobs.js'),
};

export async function loadApiHandler(group: RouteGroup): Promise<ApiLambda> {
  return (await LOADERS[group]()).handler as ApiLambda;
}
