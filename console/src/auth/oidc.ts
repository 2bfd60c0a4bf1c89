/**
 * Sign-in on AWS: the OpenID Connect authorization-code flow with PKCE (RFC 7636) against the issuer the
 * API's JWT authorizer trusts — Cognito where it exists, any OIDC provider in the China regions. The
 * console is a public client: no secret, the code verifier proves the code is ours. The ID token (its
 * `aud` is the console's client id, the API's audience) is the bearer token; the API decides the groups.
 */
import type { Group } from '../api/types';

/** The session the console keeps (token-source.ts's Session). */
export interface OidcSession {
  token: string;
  user: string;
  groups: Group[];
  expiresAt: string;
}

/** What the flow needs of the browser window (a fake one in tests). */
export interface OidcWindow {
  location: { origin: string; search: string; pathname: string; hash: string; assign(url: string): void };
  sessionStorage: {
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
  };
  history: { replaceState(data: unknown, unused: string, url: string): void };
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  scope: string;
  userClaim: string;
  groupClaim: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

const SESSION = 'medcomm.session';
const PENDING = 'medcomm.oidc.pending';
const KNOWN: Group[] = ['office', 'hr', 'finance', 'auditor'];

export class OidcError extends Error {
  override readonly name = 'OidcError' as const;
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

function randomString(bytes = 32): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return base64url(buffer);
}

/** S256: BASE64URL(SHA-256(verifier)). */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The payload of a JWT (not verified here: the API verifies every call). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new OidcError('无效的令牌 / malformed token');
  const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

function groupsOf(claim: unknown): Group[] {
  const names = Array.isArray(claim)
    ? claim.map(String)
    : typeof claim === 'string'
      ? claim.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  return KNOWN.filter((g) => names.includes(g));
}

export function oidcSignIn(config: OidcConfig, win: OidcWindow = globalThis as unknown as OidcWindow) {
  let discovery: Promise<Discovery> | undefined;
  const discover = () => {
    discovery ??= fetch(`${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`).then(
      async (r) => {
        if (!r.ok)
          throw new OidcError(
            `无法读取登录服务配置 / cannot read the sign-in service's configuration (HTTP ${r.status})`,
          );
        return (await r.json()) as Discovery;
      },
    );
    return discovery;
  };
  const redirectUri = () => `${win.location.origin}/`;
  const current = (): OidcSession | null => {
    try {
      const raw = win.sessionStorage.getItem(SESSION);
      if (!raw) return null;
      const session = JSON.parse(raw) as OidcSession;
      return Date.parse(session.expiresAt) > Date.now() ? session : null;
    } catch {
      return null;
    }
  };

  return {
    current,
    /** Leaves for the identity provider; the user comes back to `resume()` with a code. */
    async signIn(_user?: string, _role?: Group): Promise<OidcSession> {
      const { authorization_endpoint } = await discover();
      const verifier = randomString(48);
      const state = randomString(16);
      win.sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: win.location.hash }));
      const url = new URL(authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: config.clientId,
        redirect_uri: redirectUri(),
        scope: config.scope,
        state,
        code_challenge: await codeChallenge(verifier),
        code_challenge_method: 'S256',
      }).toString();
      win.location.assign(url.toString());
      return new Promise<OidcSession>(() => {});
    },
    /** Back from the identity provider: trade the code (and our verifier) for tokens. */
    async resume(): Promise<OidcSession | null> {
      const params = new URLSearchParams(win.location.search);
      const code = params.get('code');
      const error = params.get('error');
      if (!code && !error) return current();
      const pending = JSON.parse(win.sessionStorage.getItem(PENDING) ?? 'null') as {
        verifier: string;
        state: string;
        hash: string;
      } | null;
      win.sessionStorage.removeItem(PENDING);
      win.history.replaceState(null, '', `${win.location.pathname}${pending?.hash ?? ''}`);
      if (error)
        throw new OidcError(`登录被拒绝 / sign-in refused: ${params.get('error_description') ?? error}`);
      if (!pending || params.get('state') !== pending.state)
        throw new OidcError(
          '登录回调与本页发起的登录不符，请重新登录 / the sign-in answer does not match this page; sign in again',
        );
      const { token_endpoint } = await discover();
      const response = await fetch(token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: code!,
          redirect_uri: redirectUri(),
          client_id: config.clientId,
          code_verifier: pending.verifier,
        }).toString(),
      });
      if (!response.ok) throw new OidcError(`登录失败 / sign-in failed (HTTP ${response.status})`);
      const tokens = (await response.json()) as { id_token?: string; expires_in?: number };
      if (!tokens.id_token)
        throw new OidcError('登录服务没有返回 ID 令牌 / the sign-in service returned no ID token');
      const claims = jwtClaims(tokens.id_token);
      const user = [claims[config.userClaim], claims['cognito:username'], claims.sub].find(
        (v): v is string => typeof v === 'string' && v !== '',
      );
      const expiresAt =
        typeof claims.exp === 'number'
          ? new Date(claims.exp * 1000).toISOString()
          : new Date(Date.now() + (tokens.expires_in ?? 3600) * 1000).toISOString();
      const session: OidcSession = {
        token: tokens.id_token,
        user: user ?? '?',
        groups: groupsOf(claims[config.groupClaim]),
        expiresAt,
      };
      win.sessionStorage.setItem(SESSION, JSON.stringify(session));
      return session;
    },
    signOut() {
      win.sessionStorage.removeItem(SESSION);
    },
    async users(): Promise<{ user: string; groups: Group[] }[]> {
      return [];
    },
  };
}
