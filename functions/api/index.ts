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
};

export async function loadApiHandler(group: RouteGroup): Promise<ApiLambda> {
  const module = (await import(`./${API_ENTRIES[group].replace(/\.ts$/, '.js')}`)) as { handler: ApiLambda };
  return module.handler;
}
