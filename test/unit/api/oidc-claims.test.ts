/**
 * Any OIDC issuer (infra/targets.ts): the deployment names the claims that hold the user and the groups
 * (USER_CLAIM, GROUP_CLAIM on every API function); without them the Cognito claims are read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { callerOf } from '../../../shared/api/auth.js';
import { gatewayEvent } from '../../../shared/api/local-gateway.js';

const event = (claims: Record<string, string>) =>
  gatewayEvent(
    { method: 'GET', url: '/api/me', headers: {}, body: Buffer.alloc(0) },
    { routeKey: 'GET /api/me', pathParameters: {} },
    claims,
  );

describe('claims of an OIDC issuer other than Cognito', () => {
  afterEach(() => {
    delete process.env.GROUP_CLAIM;
    delete process.env.USER_CLAIM;
  });

  it('reads the groups and the user from the claims the deployment names', () => {
    process.env.GROUP_CLAIM = 'groups';
    process.env.USER_CLAIM = 'preferred_username';
    const claims = {
      preferred_username: '张三',
      sub: 'u-1',
      groups: '[兴国:finance 兴国:hr]',
      'cognito:groups': '[兴国:auditor]',
    };
    expect(callerOf(event(claims))).toEqual({
      user: '张三',
      groups: [],
      communities: { 兴国: ['hr', 'finance'] },
    });
  });

  it('falls back to sub when the named user claim is missing', () => {
    process.env.USER_CLAIM = 'preferred_username';
    expect(callerOf(event({ sub: 'u-1' }))?.user).toBe('u-1');
  });

  it('reads cognito:groups when no group claim is configured', () => {
    expect(
      callerOf(event({ username: 'a', groups: '[x:hr]', 'cognito:groups': '[x:auditor]' }), 'x'),
    ).toEqual({
      user: 'a',
      groups: ['auditor'],
      community: 'x',
      communities: { x: ['auditor'] },
    });
  });
});
