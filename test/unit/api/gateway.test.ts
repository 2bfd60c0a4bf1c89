/** What the local server does in API Gateway's place: route matching, v2 events, JWT claims, dev tokens. */
import { describe, expect, it } from 'vitest';
import { callerOf, parseGroups } from '../../../shared/api/auth.js';
import { asGatewayClaims, DEV_TOKEN_HOURS, DevTokens } from '../../../shared/api/dev-tokens.js';
import { contentDisposition } from '../../../shared/api/http.js';
import { gatewayEvent, matchRoute } from '../../../shared/api/local-gateway.js';

describe('matchRoute', () => {
  it('matches parameterised routes under their community and decodes the parameters', () => {
    expect(matchRoute('POST', '/api/communities/xingguo/cycles/quarterly/2026-Q1/approve')).toEqual({
      ok: true,
      routeKey: 'POST /api/cycles/{kind}/{period}/approve',
      pathParameters: { community: 'xingguo', kind: 'quarterly', period: '2026-Q1' },
    });
    expect(
      matchRoute('GET', `/api/communities/${encodeURIComponent('兴国.县')}/sheets/leaders/2026`),
    ).toMatchObject({
      routeKey: 'GET /api/sheets/{kind}/{period}',
      pathParameters: { community: '兴国.县' },
    });
  });

  it('serves community routes only under /api/communities/{community}, and /api/me and the commission outside', () => {
    expect(matchRoute('GET', '/api/cycles')).toEqual({ ok: false, status: 404 });
    expect(matchRoute('GET', '/api/communities/xingguo/me')).toEqual({ ok: false, status: 404 });
    expect(matchRoute('GET', '/api/me')).toMatchObject({ routeKey: 'GET /api/me', pathParameters: {} });
    expect(matchRoute('GET', '/api/commission/compare')).toMatchObject({
      routeKey: 'GET /api/commission/compare',
    });
  });

  it('tells 405 (with Allow) from 404', () => {
    expect(matchRoute('DELETE', '/api/communities/x/cycles')).toEqual({
      ok: false,
      status: 405,
      allow: ['GET', 'POST'],
    });
    expect(matchRoute('GET', '/api/nothing')).toEqual({ ok: false, status: 404 });
  });

  it('prefers the exact path: /api/audit/verify is its own route', () => {
    expect(matchRoute('GET', '/api/communities/x/audit/verify')).toMatchObject({
      routeKey: 'GET /api/audit/verify',
    });
    expect(matchRoute('GET', '/api/communities/x/audit/')).toMatchObject({ routeKey: 'GET /api/audit' });
  });
});

describe('gatewayEvent', () => {
  it('builds a payload-2.0 event with the claims where the JWT authorizer puts them', () => {
    const event = gatewayEvent(
      {
        method: 'GET',
        url: '/api/communities/xingguo/sheets/monthly/2026-01?format=xlsx',
        headers: { Host: 'x', Authorization: 'Bearer t' },
        body: Buffer.alloc(0),
      },
      {
        routeKey: 'GET /api/sheets/{kind}/{period}',
        pathParameters: { community: 'xingguo', kind: 'monthly', period: '2026-01' },
      },
      { username: 'hr1', 'cognito:groups': '[xingguo:hr]' },
    );
    expect(event).toMatchObject({
      version: '2.0',
      // The route key as API Gateway sends it: the route as served.
      routeKey: 'GET /api/communities/{community}/sheets/{kind}/{period}',
      rawPath: '/api/communities/xingguo/sheets/monthly/2026-01',
      queryStringParameters: { format: 'xlsx' },
      pathParameters: { community: 'xingguo', kind: 'monthly', period: '2026-01' },
      headers: { host: 'x', authorization: 'Bearer t' },
      requestContext: { http: { method: 'GET' }, authorizer: { jwt: { claims: { username: 'hr1' } } } },
      isBase64Encoded: false,
    });
    expect(event.body).toBeUndefined();
  });

  it('delivers the path URL-decoded in rawPath, http.path and pathParameters, as HTTP APIs do', () => {
    const url = `/api/communities/${encodeURIComponent('兴国县')}/settings`;
    const match = matchRoute('GET', url);
    expect(match).toMatchObject({ ok: true, pathParameters: { community: '兴国县' } });
    if (!match.ok) return;
    const event = gatewayEvent({ method: 'GET', url, headers: {}, body: Buffer.alloc(0) }, match, undefined);
    expect(event.rawPath).toBe('/api/communities/兴国县/settings');
    expect(event.requestContext.http.path).toBe('/api/communities/兴国县/settings');
    expect(event.pathParameters).toEqual({ community: '兴国县' });
  });

  it('passes JSON as text and anything else as base64', () => {
    const route = { routeKey: 'POST /api/datasets' as const, pathParameters: {} };
    const json = gatewayEvent(
      {
        method: 'POST',
        url: '/api/datasets',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{"a":1}'),
      },
      route,
      undefined,
    );
    expect(json).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const binary = gatewayEvent(
      {
        method: 'POST',
        url: '/api/datasets',
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from([0xff, 0x00]),
      },
      route,
      undefined,
    );
    expect(binary).toMatchObject({ body: '/wA=', isBase64Encoded: true });
  });
});

describe('claims', () => {
  it('reads cognito:groups in every form it arrives in', () => {
    expect(parseGroups('[office finance]')).toEqual(['office', 'finance']);
    expect(parseGroups(['hr'])).toEqual(['hr']);
    expect(parseGroups('["auditor","hr"]')).toEqual(['auditor', 'hr']);
    expect(parseGroups('finance')).toEqual(['finance']);
    expect(parseGroups(undefined)).toEqual([]);
    expect(parseGroups('[]')).toEqual([]);
  });

  it('takes the user from username, then cognito:username, then sub; ignores unknown groups', () => {
    const event = (claims: Record<string, string>) =>
      gatewayEvent(
        { method: 'GET', url: '/api/me', headers: {}, body: Buffer.alloc(0) },
        { routeKey: 'GET /api/me', pathParameters: {} },
        claims,
      );
    expect(
      callerOf(
        event({
          username: 'a',
          'cognito:username': 'b',
          sub: 'c',
          'cognito:groups': '[admin x:admin x:hr commission hr]',
        }),
        'x',
      ),
    ).toEqual({ user: 'a', groups: ['hr', 'commission'], community: 'x', communities: { x: ['hr'] } });
    expect(callerOf(event({ 'cognito:username': 'b', sub: 'c' }))).toEqual({
      user: 'b',
      groups: [],
      communities: {},
    });
    expect(callerOf(event({ sub: 'c' }))?.user).toBe('c');
    expect(
      callerOf(
        gatewayEvent(
          { method: 'GET', url: '/api/me', headers: {}, body: Buffer.alloc(0) },
          { routeKey: 'GET /api/me', pathParameters: {} },
          undefined,
        ),
      ),
    ).toBeUndefined();
  });
});

describe('DevTokens', () => {
  const tokens = new DevTokens();

  it('issues HS256 tokens with username and cognito:groups that expire in 12 hours', () => {
    const now = Date.UTC(2026, 0, 1);
    const { token, claims } = tokens.issue('finance2', 'finance', now);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
    // Tenancy: the role in every community of this machine, or in the ones named; the commission bare.
    expect(claims).toMatchObject({
      username: 'finance2',
      'cognito:groups': ['*:finance'],
      exp: now / 1000 + DEV_TOKEN_HOURS * 3600,
    });
    expect(tokens.issue('finance2', 'finance', now, ['a', 'b']).claims['cognito:groups']).toEqual([
      'a:finance',
      'b:finance',
    ]);
    expect(tokens.issue('commission1', 'commission', now, ['a']).claims['cognito:groups']).toEqual([
      'commission',
    ]);
    expect(tokens.verify(token, now + 1000)).toMatchObject({ username: 'finance2' });
    expect(tokens.verify(token, now + DEV_TOKEN_HOURS * 3600 * 1000)).toBeUndefined();
  });

  it("refuses a token with a changed payload, another server's secret, or alg none", () => {
    const { token } = tokens.issue('hr1', 'hr');
    const [h, , s] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        iss: 'medcomm-local',
        username: 'hr1',
        'cognito:groups': ['finance'],
        exp: 9999999999,
      }),
    ).toString('base64url');
    expect(tokens.verify(`${h}.${forged}.${s}`)).toBeUndefined();
    expect(new DevTokens().verify(token)).toBeUndefined();
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    expect(tokens.verify(`${none}.${token.split('.')[1]}.`)).toBeUndefined();
    expect(tokens.verify('not-a-token')).toBeUndefined();
  });

  it('flattens array claims as API Gateway does', () => {
    expect(asGatewayClaims({ 'cognito:groups': ['office', 'hr'], exp: 5 })).toEqual({
      'cognito:groups': '[office hr]',
      exp: '5',
    });
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the UTF-8 name', () => {
    expect(contentDisposition('绩效 2026-Q1.csv')).toBe(
      `attachment; filename="__ 2026-Q1.csv"; filename*=UTF-8''%E7%BB%A9%E6%95%88%202026-Q1.csv`,
    );
  });
});
