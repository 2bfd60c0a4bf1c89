/**
 * Where the console's bearer token comes from, behind one small interface: under `medcomm serve` the
 * development sign-in (POST /api/auth/dev-login for the sample users); in an AWS build (VITE_AUTH=oidc)
 * the OIDC authorization-code flow with PKCE (./oidc.ts) — the rest of the console only asks for a
 * token and reacts to a 401 by signing out.
 */
import type { Group } from '../api/types';
import { oidcSignIn } from './oidc';

export interface Session {
  token: string;
  user: string;
  groups: Group[];
  expiresAt: string;
}

export interface DevUser {
  user: string;
  groups: Group[];
}

export interface TokenSource {
  /** The session in this tab, if still valid. */
  current(): Session | null;
  signIn(user: string, role: Group): Promise<Session>;
  signOut(): void;
  /** Who can sign in (dev sign-in only lists its sample users). */
  users(): Promise<DevUser[]>;
  /** Signing in leaves the page for an identity provider (no user list, no role to pick). */
  redirects?: boolean;
  /** On page load: completes a sign-in that came back from the identity provider. */
  resume?(): Promise<Session | null>;
}

// Shared by the browser's tabs (issue 14: a second tab asked to sign in again); the app follows a sign-in
// or sign-out made in another tab through the `storage` event. Two people use two browser profiles.
export const SESSION_KEY = 'medcomm.session';
const KEY = SESSION_KEY;

function stored(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    if (!session.token || Date.parse(session.expiresAt) <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export class SignInError extends Error {
  override readonly name = 'SignInError' as const;
}

async function readError(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: string; message?: string };
    return body.error ?? body.message ?? `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

export const devSignIn: TokenSource = {
  current: stored,
  async signIn(user, role) {
    const response = await fetch('/api/auth/dev-login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, role }),
    });
    if (!response.ok) throw new SignInError(await readError(response));
    const body = (await response.json()) as {
      token: string;
      user: string;
      groups: Group[];
      expiresAt: string;
    };
    const session: Session = {
      token: body.token,
      user: body.user,
      groups: body.groups,
      expiresAt: body.expiresAt,
    };
    localStorage.setItem(KEY, JSON.stringify(session));
    return session;
  },
  signOut() {
    localStorage.removeItem(KEY);
  },
  async users() {
    const response = await fetch('/api/auth/dev-users');
    if (!response.ok) throw new SignInError(await readError(response));
    return ((await response.json()) as { users: DevUser[] }).users;
  },
};

const env = import.meta.env ?? {};

export const tokenSource: TokenSource =
  env.VITE_AUTH === 'oidc' && env.VITE_OIDC_ISSUER && env.VITE_OIDC_CLIENT_ID
    ? {
        ...oidcSignIn({
          issuer: env.VITE_OIDC_ISSUER,
          clientId: env.VITE_OIDC_CLIENT_ID,
          scope: env.VITE_OIDC_SCOPE ?? 'openid profile email',
          userClaim: env.VITE_OIDC_USER_CLAIM ?? 'preferred_username',
          groupClaim: env.VITE_OIDC_GROUP_CLAIM ?? 'groups',
        }),
        redirects: true,
      }
    : devSignIn;

/** Where the API is: the console's own origin locally, the API's domain in an AWS build. */
export const API_BASE = (env.VITE_API_BASE ?? '').replace(/\/$/, '');
