/**
 * The console's OIDC sign-in (console/src/auth/oidc.ts) with a fake window and identity provider: the
 * PKCE challenge of RFC 7636, the redirect it builds, and the code exchange on the way back.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { codeChallenge, jwtClaims, type OidcWindow, oidcSignIn } from '../../../console/src/auth/oidc.js';

const issuer = 'https://sso.example.gov.cn/realms/medcomm';
const config = {
  issuer,
  clientId: 'medcomm-console',
  scope: 'openid',
  userClaim: 'preferred_username',
  groupClaim: 'groups',
};

function fakeWindow(href: string) {
  const store = new Map<string, string>();
  const win = {
    location: new URL(href) as unknown as OidcWindow['location'],
    sessionStorage: {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    },
    history: { replaceState: vi.fn() },
    assigned: '' as string,
  };
  win.location.assign = (url: string) => {
    win.assigned = url;
  };
  return { win, store };
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');
const idToken = (claims: object) => `${b64url('{"alg":"RS256"}')}.${b64url(JSON.stringify(claims))}.sig`;

afterEach(() => vi.unstubAllGlobals());

describe('the console OIDC sign-in', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('reads a UTF-8 payload of a JWT', () => {
    expect(jwtClaims(idToken({ preferred_username: '张三' }))).toEqual({ preferred_username: '张三' });
  });

  it('redirects with a PKCE challenge, then trades the code and its verifier for a session', async () => {
    const fetchMock = vi.fn(async (url: string, init?: RequestInit) => {
      if (url === `${issuer}/.well-known/openid-configuration`)
        return Response.json({ authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` });
      if (url === `${issuer}/token`) {
        const form = new URLSearchParams(String(init?.body));
        const ok = form.get('code') === 'the-code' && form.get('client_id') === 'medcomm-console';
        if (!ok) return new Response('bad', { status: 400 });
        // The verifier must hash to the challenge sent before.
        (fetchMock as unknown as { verifier: string }).verifier = form.get('code_verifier')!;
        return Response.json({
          id_token: idToken({ preferred_username: '张三', groups: ['finance', 'other'], exp: 4102444800 }),
        });
      }
      return new Response('nope', { status: 404 });
    });
    vi.stubGlobal('fetch', fetchMock);

    const first = fakeWindow('https://medcomm.example.cn/#/reviews');
    const source = oidcSignIn(config, first.win);
    void source.signIn('', 'office');
    await vi.waitFor(() => expect(first.win.assigned).not.toBe(''));
    const redirect = new URL(first.win.assigned);
    expect(redirect.origin + redirect.pathname).toBe(`${issuer}/auth`);
    expect(Object.fromEntries(redirect.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'medcomm-console',
      redirect_uri: 'https://medcomm.example.cn/',
      code_challenge_method: 'S256',
    });

    const state = redirect.searchParams.get('state')!;
    const back = fakeWindow(`https://medcomm.example.cn/?code=the-code&state=${state}`);
    for (const [k, v] of first.store) back.store.set(k, v);
    const again = oidcSignIn(config, back.win);
    const session = await again.resume();
    expect(session).toMatchObject({
      user: '张三',
      groups: ['finance'],
      expiresAt: '2100-01-01T00:00:00.000Z',
    });
    expect(await codeChallenge((fetchMock as unknown as { verifier: string }).verifier)).toBe(
      redirect.searchParams.get('code_challenge'),
    );
    expect(again.current()?.token).toBe(session?.token);
    expect(back.win.history.replaceState).toHaveBeenCalledWith(null, '', '/#/reviews');
  });

  it('refuses an answer whose state this page did not send', async () => {
    vi.stubGlobal('fetch', vi.fn());
    const { win } = fakeWindow('https://medcomm.example.cn/?code=c&state=forged');
    await expect(oidcSignIn(config, win).resume()).rejects.toMatchObject({
      name: 'OidcError',
      message: expect.stringContaining('does not match'),
    });
  });
});
