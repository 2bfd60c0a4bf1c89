/**
 * Who is calling, from the JWT claims API Gateway's authorizer verified (locally: the dev server), and
 * the middleware that enforces shared/api/roles.ts in every handler — the gateway only proves a token
 * is valid, so a route reached any other way still checks the caller's groups.
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { type ApiEvent, type ApiResponse, problem } from './http.js';
import {
  DEPLOYMENT_GROUPS,
  GROUP_NAMES,
  GROUPS,
  type Group,
  isCommunityRoute,
  mayCall,
  ROUTES,
  routeKeyOf,
} from './roles.js';

export interface Caller {
  user: string;
  /**
   * The caller's groups that hold where the request is, in GROUPS order: on a community route, their
   * groups of that community plus the deployment-wide ones; elsewhere the deployment-wide ones.
   */
  groups: Group[];
  /** The community the route addresses (path `{community}`); absent on deployment-wide routes. */
  community?: string;
  /** Every community the caller holds a group in, with those groups (`xingguo:finance` → xingguo: [finance]). */
  communities: Record<string, Group[]>;
  /** `member`: the institution the caller belongs to (claim `custom:institutionId`). */
  institutionId?: string;
  /** `staff`: the caller's own staff id (claim `custom:staffId`). */
  staffId?: string;
  /** `dept_head`: the department the caller heads (claim `custom:departmentId`, with `custom:institutionId`). */
  departmentId?: string;
}

/**
 * `cognito:groups` as it arrives: an array from a decoded token, but API Gateway's JWT authorizer
 * flattens array claims into one string, `[office finance]`; a JSON array string is accepted too.
 */
export function parseGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[') && text.includes('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // fall through to the flattened form
    }
  }
  return text
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** Which claims name the caller and list the groups: Cognito's unless the deployment says otherwise. */
const claimNames = () => ({
  userClaim: process.env.USER_CLAIM || 'username',
  groupClaim: process.env.GROUP_CLAIM || 'cognito:groups',
});

/**
 * The local server's sample users hold their role in every community on the machine: their tokens name
 * it `*:{group}`, which holds only while the local server has said so (allowAnyCommunity). Deployed, a
 * `*:` group grants nothing, like any name the API does not know.
 */
export const ANY_COMMUNITY = '*';
let anyCommunityAllowed = false;

/** Set by the local server (`medcomm serve`) while it runs; never on AWS. */
export function allowAnyCommunity(on: boolean): void {
  anyCommunityAllowed = on;
}

const COMMUNITY_GROUPS = GROUPS.filter((g) => !(DEPLOYMENT_GROUPS as readonly Group[]).includes(g));

/**
 * Group names as the identity provider lists them → the groups per community (`xingguo:finance`, split
 * at the last colon) and the deployment-wide ones (`commission`, bare). Anything else — a bare community
 * group (`finance`), a qualified deployment group, a name the API does not know — grants nothing.
 */
export function memberships(names: readonly string[]): {
  communities: Record<string, Group[]>;
  deployment: Group[];
} {
  const communities = new Map<string, Set<string>>();
  const bare = new Set<string>();
  for (const name of names) {
    const at = name.lastIndexOf(':');
    if (at < 0) {
      bare.add(name);
      continue;
    }
    const community = name.slice(0, at);
    const group = name.slice(at + 1);
    if (community === '') continue;
    if (!communities.has(community)) communities.set(community, new Set());
    communities.get(community)!.add(group);
  }
  const result: Record<string, Group[]> = {};
  for (const [community, named] of communities) {
    const groups = COMMUNITY_GROUPS.filter((g) => named.has(g));
    if (groups.length > 0) result[community] = groups;
  }
  return { communities: result, deployment: DEPLOYMENT_GROUPS.filter((g) => bare.has(g)) };
}

/**
 * The caller, or undefined when the event carries no verified claims. `community`: the community the
 * route addresses, whose groups (and the deployment-wide ones) become `groups`.
 */
export function callerOf(event: ApiEvent, community?: string): Caller | undefined {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (!claims) return undefined;
  // The identity provider's claims (infra/targets.ts sets USER_CLAIM and GROUP_CLAIM on AWS). Cognito
  // access tokens carry `username`, ID tokens `cognito:username`; `sub` is the last resort.
  const { userClaim, groupClaim } = claimNames();
  const user = [claims[userClaim], claims.username, claims['cognito:username'], claims.sub].find(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  if (!user) return undefined;
  const held = memberships(parseGroups(claims[groupClaim]));
  if (!anyCommunityAllowed) delete held.communities[ANY_COMMUNITY];
  const own = (c: string) => (Object.hasOwn(held.communities, c) ? held.communities[c]! : []);
  const here = new Set<Group>([
    ...(community !== undefined ? [...own(community), ...own(ANY_COMMUNITY)] : []),
    ...held.deployment,
  ]);
  const scope = (claim: unknown) => (typeof claim === 'string' && claim !== '' ? claim : undefined);
  const institutionId = scope(claims['custom:institutionId']);
  const staffId = scope(claims['custom:staffId']);
  const departmentId = scope(claims['custom:departmentId']);
  return {
    user,
    groups: GROUPS.filter((g) => here.has(g)),
    ...(community !== undefined ? { community } : {}),
    communities: held.communities,
    ...(institutionId ? { institutionId } : {}),
    ...(staffId ? { staffId } : {}),
    ...(departmentId ? { departmentId } : {}),
  };
}

export type ApiContext = Context & { caller: Caller };

const rolesText = (allow: readonly Group[]) => allow.map((g) => GROUP_NAMES[g]).join('、');

/**
 * Answers 404 for a route roles.ts does not have (or a community route without its community), 401
 * without a caller, 403 when the caller's groups in the addressed community may not call the route —
 * whether that community exists or not, so a refusal tells nobody which communities there are; sets
 * `context.caller`.
 */
export function authorize(): MiddlewareObj<ApiEvent, ApiResponse, Error, ApiContext> {
  return {
    before: async (request) => {
      const routeKey = routeKeyOf(request.event.routeKey);
      if (!routeKey) throw problem(404, `没有这个接口 / no such route: ${request.event.routeKey}`);
      const community = isCommunityRoute(routeKey) ? request.event.pathParameters?.community : undefined;
      if (isCommunityRoute(routeKey) && !community)
        throw problem(404, `没有指明医共体 / no community in the path: ${request.event.rawPath}`);
      const caller = callerOf(request.event, community);
      if (!caller) throw problem(401, '需要登录 / sign-in required: send a valid bearer token');
      if (!mayCall(routeKey, caller.groups)) {
        const allow = ROUTES[routeKey].allow;
        const qualified = (g: Group) =>
          community === undefined || (DEPLOYMENT_GROUPS as readonly Group[]).includes(g)
            ? g
            : `${community}:${g}`;
        const who = allow === 'signed-in' ? '' : rolesText(allow);
        const where = community === undefined ? '' : `（医共体 ${community}）`;
        const whereEn = community === undefined ? '' : ` in community ${community}`;
        throw problem(
          403,
          `${caller.user} 无权访问${where}：仅限 ${who} / ${caller.user} may not call ${routeKey}${whereEn}; allowed: ${allow === 'signed-in' ? 'any signed-in user' : allow.map(qualified).join(', ')}`,
        );
      }
      request.context.caller = caller;
    },
  };
}
