/**
 * Development sign-in for the local server: HS256 JWTs signed with a secret that lives only as long as
 * the server process, for a fixed set of sample users — one or two per role, so four eyes can be tried.
 * Never used on AWS, where Cognito issues the tokens and API Gateway verifies them.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ANY_COMMUNITY } from './auth.js';
import { DEPLOYMENT_GROUPS, type Group } from './roles.js';

export const DEV_USERS: Readonly<Record<string, Group>> = {
  office1: 'office',
  hr1: 'hr',
  finance1: 'finance',
  finance2: 'finance',
  auditor1: 'auditor',
  committee1: 'committee',
  committee2: 'committee',
  member1: 'member',
  staff1: 'staff',
  staff2: 'staff',
  commission1: 'commission',
  head1: 'dept_head',
  inst1: 'institution',
  inst2: 'institution',
};

/**
 * The group names a sample user's token carries (tenancy, issue 12): the role in each community named,
 * or `*:{role}` (every community on this machine) when none is; a deployment-wide role (the commission)
 * bare.
 */
export function devGroups(group: Group, communities: readonly string[] = []): string[] {
  if ((DEPLOYMENT_GROUPS as readonly Group[]).includes(group)) return [group];
  return (communities.length > 0 ? communities : [ANY_COMMUNITY]).map((c) => `${c}:${group}`);
}

/**
 * The scope of the sample member and staff users (issue 14): member1 is institution C01; staff1 is
 * C01-001 of the tiny example (test/fixtures/tiny), staff2 C01-0001 of the demo county (`npm start`).
 */
export const DEV_SCOPES: Readonly<Record<string, Record<string, string>>> = {
  member1: { 'custom:institutionId': 'C01' },
  staff1: { 'custom:staffId': 'C01-001' },
  staff2: { 'custom:staffId': 'C01-0001' },
  // §9.1: the head of 内科 and two institution users of C01, the county hospital of the demo (`npm start`).
  head1: { 'custom:institutionId': 'C01', 'custom:departmentId': '内科' },
  inst1: { 'custom:institutionId': 'C01' },
  inst2: { 'custom:institutionId': 'C01' },
};

export const DEV_TOKEN_HOURS = 12;
const ISSUER = 'medcomm-local';

export type Claims = Record<string, string | number | boolean | string[]>;

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class DevTokens {
  private readonly secret: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    this.secret = secret;
  }

  private sign(data: string): Buffer {
    return createHmac('sha256', this.secret).update(data).digest();
  }

  /** A token for `user` in `group`, in the communities named (every community on this machine if none). */
  issue(
    user: string,
    group: Group,
    now = Date.now(),
    communities: readonly string[] = [],
  ): { token: string; expiresAt: string; claims: Claims } {
    const iat = Math.floor(now / 1000);
    const claims: Claims = {
      iss: ISSUER,
      sub: `local-${user}`,
      username: user,
      'cognito:groups': devGroups(group, communities),
      ...DEV_SCOPES[user],
      token_use: 'access',
      iat,
      exp: iat + DEV_TOKEN_HOURS * 3600,
    };
    const unsigned = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
    return {
      token: `${unsigned}.${b64url(this.sign(unsigned))}`,
      expiresAt: new Date((claims.exp as number) * 1000).toISOString(),
      claims,
    };
  }

  /** The claims of a token this server signed and that has not expired; undefined otherwise. */
  verify(token: string, now = Date.now()): Claims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    try {
      const head = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string };
      // Only the algorithm we sign with: a token cannot talk us into `none` or another key type.
      if (head.alg !== 'HS256') return undefined;
      const expected = this.sign(`${header}.${payload}`);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
      if (claims.iss !== ISSUER || typeof claims.exp !== 'number' || claims.exp * 1000 <= now)
        return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }
}

/**
 * The claims as API Gateway's JWT authorizer hands them to a Lambda: every value a string, array claims
 * flattened to `[a b]` — so the local server exercises the same claim parsing as AWS.
 */
export function asGatewayClaims(claims: Claims): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
  );
}
