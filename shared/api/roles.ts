/**
 * The route table of the HTTP API and who may call each route — the one place the role matrix lives.
 * The handlers' authorization middleware enforces it (the gateway only checks that a token is valid),
 * CDK creates one gateway route per entry, and the local server routes with it.
 */

export const GROUPS = [
  'office',
  'hr',
  'finance',
  'auditor',
  'member',
  'staff',
  'committee',
  'commission',
  'dept_head',
  'institution',
] as const;
export type Group = (typeof GROUPS)[number];

export const GROUP_NAMES: Record<Group, string> = {
  office: '医共体办公室 community office',
  hr: '人事 HR',
  finance: '财务 finance',
  auditor: '审计 auditor',
  member: '成员单位 member institution',
  staff: '职工本人 staff member',
  committee: '医管会 management committee (approves schemes)',
  commission: '卫健委/医保局 health and insurance commission (compares communities, read only)',
  dept_head: '科室主任 department head (splits the department pool, §9.1)',
  institution: '机构用户 institution user (approves the departments’ splits, §9.1)',
};

/**
 * Tenancy (issue 12): a token names its groups per community, `{community}:{group}` (`xingguo:finance`),
 * and a group holds only on that community's routes. The groups listed here hold across the deployment
 * instead and are named bare (`commission`). A bare community group (`finance`) is valid for no community.
 */
export const DEPLOYMENT_GROUPS = ['commission'] as const satisfies readonly Group[];

/**
 * `member` (scoped to its institution by the token's `custom:institutionId`) and `staff` (scoped to
 * themselves by `custom:staffId`) see only their own: the handlers of the routes open to them check the
 * scope (shared/api/scope.ts).
 */
export const SCOPED_GROUPS = [
  'member',
  'staff',
  // §9.1: a head's token names `custom:institutionId` and `custom:departmentId`; an institution user's the first.
  'dept_head',
  'institution',
] as const satisfies readonly Group[];

/** Route groups: one handler module `functions/api/<group>.ts` and one Lambda function each. */
export const ROUTE_GROUPS = [
  'me',
  'datasets',
  'cycles',
  'reviews',
  'reports',
  'sheets',
  'bank',
  'audit',
  'explain',
  'publications',
  'schemes',
  'appeals',
  'commission',
  'secondary',
  'jobs',
] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

/** `signed-in`: any valid token, whatever its groups; otherwise members of at least one listed group. */
export type Audience = 'signed-in' | readonly Group[];

export interface RouteRule {
  group: RouteGroup;
  allow: Audience;
  /**
   * `deployment`: the route is outside every community (`GET /api/me`, the commission's). Every other
   * route addresses one community: its path is served under `/api/communities/{community}` (routeParts).
   */
  scope?: 'deployment';
}

const ANY_ROLE = ['office', 'hr', 'finance', 'auditor'] as const satisfies readonly Group[];

export const ROUTES = {
  'GET /api/me': { group: 'me', allow: 'signed-in', scope: 'deployment' },
  // The commission (卫健委/医保局) compares communities from completed cycles: no write, no personal data.
  'GET /api/commission/communities': { group: 'commission', allow: ['commission'], scope: 'deployment' },
  'GET /api/commission/compare': { group: 'commission', allow: ['commission'], scope: 'deployment' },
  'POST /api/datasets': { group: 'datasets', allow: ['office'] },
  'POST /api/datasets/upload-url': { group: 'datasets', allow: ['office'] },
  'POST /api/datasets/import-from-upload': { group: 'datasets', allow: ['office'] },
  // An import started from an upload: its state, and a refusal's issues (issue 12).
  'GET /api/datasets/imports/{importId}': { group: 'datasets', allow: ['office'] },
  // The empty Excel template to fill in (no data in it).
  'GET /api/datasets/template': { group: 'datasets', allow: ['office'] },
  'GET /api/cycles': { group: 'cycles', allow: ANY_ROLE },
  'POST /api/cycles': { group: 'cycles', allow: ['office'] },
  'GET /api/cycles/monthly/{period}/preview': { group: 'cycles', allow: ['office'] },
  'GET /api/cycles/{kind}/{period}': { group: 'cycles', allow: ANY_ROLE },
  // Corrections of completed periods (DOMAIN.md §7.1): the office starts one, finance decides (four eyes).
  'GET /api/corrections': { group: 'cycles', allow: ['office', 'finance', 'auditor'] },
  'POST /api/corrections': { group: 'cycles', allow: ['office'] },
  'GET /api/corrections/{kind}/{period}/differences': {
    group: 'reviews',
    allow: ['finance', 'office', 'auditor'],
  },
  'POST /api/corrections/{kind}/{period}/approve': { group: 'reviews', allow: ['finance'] },
  'POST /api/corrections/{kind}/{period}/reject': { group: 'reviews', allow: ['finance'] },
  'POST /api/cycles/{kind}/{period}/approve': { group: 'reviews', allow: ['finance'] },
  'POST /api/cycles/{kind}/{period}/reject': { group: 'reviews', allow: ['finance'] },
  'GET /api/reviews': { group: 'reviews', allow: ['finance'] },
  'GET /api/reports/{kind}/{period}': { group: 'reports', allow: ['office', 'finance', 'auditor'] },
  'GET /api/sheets/{kind}/{period}': { group: 'sheets', allow: ['office', 'hr', 'finance'] },
  // Bank accounts leave the system through this route only.
  'GET /api/bank/{kind}/{period}': { group: 'bank', allow: ['hr'] },
  // The bank-file format export bank writes by default, chosen per community by HR (issue 16; audited);
  // each institution's payer account, set by HR or finance. The office and finance see them.
  'GET /api/settings': { group: 'bank', allow: ['office', 'hr', 'finance'] },
  'POST /api/settings/bank-format': { group: 'bank', allow: ['hr'] },
  'POST /api/settings/payer-account': { group: 'bank', allow: ['hr', 'finance'] },
  'GET /api/audit': { group: 'audit', allow: ['auditor'] },
  'GET /api/audit/verify': { group: 'audit', allow: ['auditor'] },
  // The API's long work (issue 12): whole sheets, bank files, audit verify and simulations answer 202 with a job;
  // its asker follows it here (the handler lets the asker, or whoever may start its kind, read it).
  'GET /api/jobs/{id}': { group: 'jobs', allow: [...ANY_ROLE, 'committee'] },
  // Why this amount, pay slips and the year's history: member and staff only within their scope.
  'GET /api/explain/{period}/staff/{staffId}': { group: 'explain', allow: [...ANY_ROLE, 'member', 'staff'] },
  'GET /api/explain/{period}/institutions/{institutionId}': {
    group: 'explain',
    allow: [...ANY_ROLE, 'member'],
  },
  'GET /api/slips/{staffId}/{period}': { group: 'explain', allow: ['office', 'hr', 'finance', 'staff'] },
  'GET /api/slips/{staffId}/history/{year}': {
    group: 'explain',
    allow: ['office', 'hr', 'finance', 'staff'],
  },
  'GET /api/publications': { group: 'publications', allow: 'signed-in' },
  'POST /api/publications': { group: 'publications', allow: ['office'] },
  // Schemes (issue 15): the office drafts and simulates; the committee (医管会) approves; never the drafter.
  'GET /api/schemes': { group: 'schemes', allow: ['office', 'committee', 'finance', 'auditor'] },
  'POST /api/schemes': { group: 'schemes', allow: ['office'] },
  'GET /api/schemes/{year}/{version}': {
    group: 'schemes',
    allow: ['office', 'committee', 'finance', 'auditor'],
  },
  'POST /api/schemes/{year}/{version}': { group: 'schemes', allow: ['office'] },
  'GET /api/schemes/{year}/{version}/diff': {
    group: 'schemes',
    allow: ['office', 'committee', 'finance', 'auditor'],
  },
  'POST /api/schemes/{year}/{version}/submit': { group: 'schemes', allow: ['office'] },
  'POST /api/schemes/{year}/{version}/approve': { group: 'schemes', allow: ['committee'] },
  'POST /api/schemes/{year}/{version}/reject': { group: 'schemes', allow: ['committee'] },
  'POST /api/schemes/{year}/{version}/publish': { group: 'schemes', allow: ['office', 'committee'] },
  'POST /api/simulations': { group: 'schemes', allow: ['office', 'committee'] },
  // Appeals (申诉/复核, issue 14): a member files for its own institution during a publication window; the
  // office accepts (opening a correction) or rejects; finance and the auditor read.
  'GET /api/appeals': { group: 'appeals', allow: ['office', 'finance', 'auditor', 'member'] },
  'POST /api/appeals': { group: 'appeals', allow: ['member'] },
  'POST /api/appeals/{id}/accept': { group: 'appeals', allow: ['office'] },
  'POST /api/appeals/{id}/reject': { group: 'appeals', allow: ['office'] },
  // §9.1 manual mode: heads split their department's pool, another user of the institution approves,
  // the office closes the window; each handler checks the caller's institution and department.
  'GET /api/secondary/{period}': {
    group: 'secondary',
    allow: ['office', 'finance', 'auditor', 'institution', 'dept_head'],
  },
  'GET /api/secondary/{period}/departments/{institutionId}/{departmentId}': {
    group: 'secondary',
    allow: ['office', 'institution', 'dept_head'],
  },
  'POST /api/secondary/{period}/departments/{institutionId}/{departmentId}': {
    group: 'secondary',
    allow: ['dept_head'],
  },
  'POST /api/secondary/{period}/departments/{institutionId}/{departmentId}/approve': {
    group: 'secondary',
    allow: ['institution'],
  },
  'POST /api/secondary/{period}/departments/{institutionId}/{departmentId}/reject': {
    group: 'secondary',
    allow: ['institution'],
  },
  'POST /api/secondary/{period}/close': { group: 'secondary', allow: ['office'] },
} as const satisfies Record<string, RouteRule>;

export type RouteKey = keyof typeof ROUTES;
export const ROUTE_KEYS = Object.keys(ROUTES) as RouteKey[];

export const isRouteKey = (key: string): key is RouteKey => Object.hasOwn(ROUTES, key);

/** Where a community route is served: `GET /api/cycles` is `GET /api/communities/{community}/cycles`. */
export const COMMUNITY_PREFIX = '/api/communities/{community}';

/** Whether the route addresses one community (the path's `{community}`); false for `deployment` routes. */
export const isCommunityRoute = (key: RouteKey): boolean => (ROUTES[key] as RouteRule).scope !== 'deployment';

/**
 * Routes that may address a community the store does not know yet: its office imports its first dataset
 * (the dataset's scheme must name the community of the path). Every other community route answers 404
 * for an unknown community.
 */
export const OPENS_COMMUNITY: readonly string[] = [
  'POST /api/datasets',
  'POST /api/datasets/upload-url',
  'POST /api/datasets/import-from-upload',
  // The first import is followed before its community exists (a refusal never creates it).
  'GET /api/datasets/imports/{importId}',
  'GET /api/datasets/template',
];

/** The route as the gateway serves it: the one place the community prefix is added. */
export function routeParts(key: RouteKey): { method: 'GET' | 'POST'; path: string } {
  const [method, path] = key.split(' ') as ['GET' | 'POST', string];
  return {
    method,
    path: isCommunityRoute(key) ? `${COMMUNITY_PREFIX}${path.slice('/api'.length)}` : path,
  };
}

/** The gateway's route key (`GET /api/communities/{community}/cycles`), as an event's `routeKey` carries it. */
export function gatewayRouteKey(key: RouteKey): string {
  const { method, path } = routeParts(key);
  return `${method} ${path}`;
}

const BY_GATEWAY_KEY = new Map<string, RouteKey>(
  (Object.keys(ROUTES) as RouteKey[]).map((key) => [gatewayRouteKey(key), key]),
);

/** The route of roles.ts an event's gateway route key is; undefined for any other key. */
export const routeKeyOf = (gatewayKey: string): RouteKey | undefined => BY_GATEWAY_KEY.get(gatewayKey);

export function routesOf(group: RouteGroup): RouteKey[] {
  return ROUTE_KEYS.filter((key) => ROUTES[key].group === group);
}

/**
 * Whether a caller in `groups` may call `route`: on a community route, `groups` are the caller's groups
 * in that community (plus the deployment-wide ones), and `signed-in` asks for a group of the community.
 */
export function mayCall(route: RouteKey, groups: readonly string[]): boolean {
  const allow: Audience = ROUTES[route].allow;
  if (allow === 'signed-in')
    return (
      !isCommunityRoute(route) || groups.some((g) => !(DEPLOYMENT_GROUPS as readonly string[]).includes(g))
    );
  return allow.some((g) => groups.includes(g));
}
