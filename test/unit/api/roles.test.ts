/**
 * The role matrix, pinned by a table written out here independently of shared/api/roles.ts, and
 * enforced by the handlers themselves: every route is called as every role (and as a signed-in user
 * with no group, and with no token at all).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DEPLOYMENT_GROUPS,
  GROUPS,
  isCommunityRoute,
  ROUTE_KEYS,
  ROUTES,
  type RouteKey,
} from '../../../shared/api/roles.js';
import { as, call, fakeWorld, useWorld, type Who } from './helpers.js';

type Role = (typeof GROUPS)[number] | 'no-group';

/** Who may call what — the product decision, written out in full. */
const EXPECTED: Record<RouteKey, readonly Role[]> = {
  'GET /api/me': [
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
    'no-group',
  ],
  // The commission (卫健委/医保局) compares communities, and nobody else does.
  'GET /api/commission/communities': ['commission'],
  'GET /api/commission/compare': ['commission'],
  'POST /api/datasets': ['office'],
  'POST /api/datasets/upload-url': ['office'],
  'POST /api/datasets/import-from-upload': ['office'],
  'GET /api/datasets/imports/{importId}': ['office'],
  'GET /api/datasets/template': ['office'],
  'GET /api/cycles': ['office', 'hr', 'finance', 'auditor'],
  'POST /api/cycles': ['office'],
  'GET /api/cycles/monthly/{period}/preview': ['office'],
  'GET /api/cycles/{kind}/{period}': ['office', 'hr', 'finance', 'auditor'],
  'GET /api/corrections': ['office', 'finance', 'auditor'],
  'POST /api/corrections': ['office'],
  'GET /api/corrections/{kind}/{period}/differences': ['finance', 'office', 'auditor'],
  'POST /api/corrections/{kind}/{period}/approve': ['finance'],
  'POST /api/corrections/{kind}/{period}/reject': ['finance'],
  'POST /api/cycles/{kind}/{period}/approve': ['finance'],
  'POST /api/cycles/{kind}/{period}/reject': ['finance'],
  'GET /api/reviews': ['finance'],
  'GET /api/reports/{kind}/{period}': ['office', 'finance', 'auditor'],
  'GET /api/sheets/{kind}/{period}': ['office', 'hr', 'finance'],
  'GET /api/bank/{kind}/{period}': ['hr'],
  'GET /api/settings': ['office', 'hr', 'finance'],
  'POST /api/settings/bank-format': ['hr'],
  'POST /api/settings/payer-account': ['hr', 'finance'],
  'GET /api/audit': ['auditor'],
  'GET /api/audit/verify': ['auditor'],
  // A job of the long work (issue 12): the roles that start jobs; the handler narrows it to the asker or a role of its kind.
  'GET /api/jobs/{id}': ['office', 'hr', 'finance', 'auditor', 'committee'],
  'GET /api/explain/{period}/staff/{staffId}': ['office', 'hr', 'finance', 'auditor', 'member', 'staff'],
  'GET /api/explain/{period}/institutions/{institutionId}': ['office', 'hr', 'finance', 'auditor', 'member'],
  'GET /api/slips/{staffId}/{period}': ['office', 'hr', 'finance', 'staff'],
  'GET /api/slips/{staffId}/history/{year}': ['office', 'hr', 'finance', 'staff'],
  // Any group of the community: neither a signed-in user without one nor the commission.
  'GET /api/publications': [
    'office',
    'hr',
    'finance',
    'auditor',
    'member',
    'staff',
    'committee',
    'dept_head',
    'institution',
  ],
  'POST /api/publications': ['office'],
  // Schemes: the office drafts, the committee (医管会) decides; finance and audit read.
  'GET /api/schemes': ['office', 'committee', 'finance', 'auditor'],
  'POST /api/schemes': ['office'],
  'GET /api/schemes/{year}/{version}': ['office', 'committee', 'finance', 'auditor'],
  'POST /api/schemes/{year}/{version}': ['office'],
  'GET /api/schemes/{year}/{version}/diff': ['office', 'committee', 'finance', 'auditor'],
  'POST /api/schemes/{year}/{version}/submit': ['office'],
  'POST /api/schemes/{year}/{version}/approve': ['committee'],
  'POST /api/schemes/{year}/{version}/reject': ['committee'],
  'POST /api/schemes/{year}/{version}/publish': ['office', 'committee'],
  'POST /api/simulations': ['office', 'committee'],
  // Appeals: a member files for its own institution; the office decides; finance and audit read.
  'GET /api/appeals': ['office', 'finance', 'auditor', 'member'],
  'POST /api/appeals': ['member'],
  'POST /api/appeals/{id}/accept': ['office'],
  'POST /api/appeals/{id}/reject': ['office'],
  // §9.1 manual mode: a head submits for their department, another user of the institution decides, the
  // office closes the window; finance and audit follow the window's state.
  'GET /api/secondary/{period}': ['office', 'finance', 'auditor', 'institution', 'dept_head'],
  'GET /api/secondary/{period}/departments/{institutionId}/{departmentId}': [
    'office',
    'institution',
    'dept_head',
  ],
  'POST /api/secondary/{period}/departments/{institutionId}/{departmentId}': ['dept_head'],
  'POST /api/secondary/{period}/departments/{institutionId}/{departmentId}/approve': ['institution'],
  'POST /api/secondary/{period}/departments/{institutionId}/{departmentId}/reject': ['institution'],
  'POST /api/secondary/{period}/close': ['office'],
};

const CALLERS: Record<Role, Who> = {
  office: as('office1', 'office'),
  hr: as('hr1', 'hr'),
  finance: as('finance1', 'finance'),
  auditor: as('auditor1', 'auditor'),
  committee: as('committee1', 'committee'),
  commission: as('commission1', 'commission'),
  // Scoped to what PARAMS names, so the handler's own scope check lets them through.
  member: { ...as('member1', 'member'), claims: { 'custom:institutionId': 'C01' } },
  staff: { ...as('staff1', 'staff'), claims: { 'custom:staffId': 'C01-001' } },
  dept_head: {
    ...as('head1', 'dept_head'),
    claims: { 'custom:institutionId': 'C01', 'custom:departmentId': '内科' },
  },
  institution: { ...as('inst1', 'institution'), claims: { 'custom:institutionId': 'C01' } },
  'no-group': as('visitor'),
};

const PARAMS = {
  kind: 'monthly',
  period: '2026-01',
  staffId: 'C01-001',
  institutionId: 'C01',
  departmentId: '内科',
  year: '2026',
  version: '1',
  importId: '0b7c9e2e-1111-4a4a-8b8b-123456789abc',
};

beforeEach(() => {
  useWorld(fakeWorld());
});

describe('the route table', () => {
  it('lists exactly the routes of the product decision', () => {
    expect([...ROUTE_KEYS].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(ROUTE_KEYS)('%s allows exactly the expected roles', (key) => {
    const allow = ROUTES[key].allow;
    const community = GROUPS.filter((g) => !(DEPLOYMENT_GROUPS as readonly string[]).includes(g));
    const roles =
      allow === 'signed-in' ? (isCommunityRoute(key) ? community : [...GROUPS, 'no-group']) : [...allow];
    expect(roles.sort()).toEqual([...EXPECTED[key]].sort());
  });
});

describe('every route × every role, enforced in the handler', () => {
  const cases = ROUTE_KEYS.flatMap((key) =>
    (Object.keys(CALLERS) as Role[]).map((role) => [key, role] as const),
  );

  it.each(cases)('%s as %s', async (key, role) => {
    const answer = await call(key, { as: CALLERS[role], params: PARAMS });
    if (EXPECTED[key].includes(role)) {
      // Allowed: whatever the route answers (404 for a cycle that does not exist, 400 for a missing body),
      // it is not the authorization layer's refusal.
      expect([401, 403]).not.toContain(answer.status);
    } else {
      expect(answer.status).toBe(403);
      expect(answer.json.error).toContain(key);
    }
  });

  it.each(ROUTE_KEYS)('%s without a token is 401', async (key) => {
    const answer = await call(key, { params: PARAMS });
    expect(answer.status).toBe(401);
    expect(answer.json.error).toMatch(/sign-in required/);
  });
});

describe('groups the API does not know', () => {
  it('grant nothing: a token whose only group is "admin" may not start a cycle', async () => {
    const answer = await call('POST /api/cycles', {
      as: as('mallory', 'admin'),
      body: { kind: 'monthly', period: '2026-01' },
    });
    expect(answer.status).toBe(403);
  });
});

describe('tenancy: groups are per community (issue 12)', () => {
  const communityRoutes = ROUTE_KEYS.filter(isCommunityRoute);

  it.each(communityRoutes)('%s refuses the same role of another community', async (key) => {
    const allowed = ROUTES[key].allow;
    const role = allowed === 'signed-in' ? 'office' : allowed[0]!;
    const answer = await call(key, { as: as('stranger', `other:${role}`), params: PARAMS });
    expect(answer.status).toBe(403);
    expect(answer.json.error).toContain('community xingguo');
  });

  it.each(communityRoutes)('%s refuses a bare group: it holds in no community', async (key) => {
    const allowed = ROUTES[key].allow;
    const role = allowed === 'signed-in' ? 'office' : allowed[0]!;
    const answer = await call(key, { as: { ...as('bare', role), rawGroups: true }, params: PARAMS });
    expect(answer.status).toBe(403);
  });

  it('a commission group named per community grants nothing', async () => {
    const answer = await call('GET /api/commission/compare', {
      as: as('c', 'xingguo:commission'),
      query: { kind: 'annual', year: '2026' },
    });
    expect(answer.status).toBe(403);
  });

  it('a community the deployment does not have is 404 for its own office, 403 for anyone else', async () => {
    const own = await call('GET /api/cycles', {
      as: as('o', 'ghost:office'),
      params: { community: 'ghost' },
    });
    expect(own.status).toBe(404);
    expect(own.json.error).toContain('ghost');
    const other = await call('GET /api/cycles', { as: as('o', 'office'), params: { community: 'ghost' } });
    expect(other.status).toBe(403);
  });

  it('a user of two communities acts in the one the path names with the groups held there', async () => {
    const both = as('dual', 'other:finance', 'xingguo:office');
    const start = await call('POST /api/cycles', { as: both, body: { kind: 'monthly', period: '2026-01' } });
    expect([401, 403]).not.toContain(start.status);
    const review = await call('GET /api/reviews', { as: both });
    expect(review.status).toBe(403);
  });
});

describe('the local sample users’ `*:role` groups', () => {
  it('grant nothing outside the local server', async () => {
    const answer = await call('POST /api/cycles', {
      as: as('office1', '*:office'),
      body: { kind: 'monthly', period: '2026-01' },
    });
    expect(answer.status).toBe(403);
  });
});
