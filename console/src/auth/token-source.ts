/**
 * Where the console's bearer token comes from, behind one small interface: under `medcomm serve` the
 * development sign-in (POST /api/auth/dev-login for the sample users); on AWS this is the one module to
 * replace with Cognito (hosted UI + PKCE, or Amplify Auth) — the rest of the console only asks for a
 * token and reacts to a 401 by signing out.
 */
import type { Group } from '../api/types';

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
}

// Per tab, so two people (office and finance) can work side by side in two tabs of one browser.
const KEY = 'medcomm.session';

function stored(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
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
    sessionStorage.setItem(KEY, JSON.stringify(session));
    return session;
  },
  signOut() {
    sessionStorage.removeItem(KEY);
  },
  async users() {
    const response = await fetch('/api/auth/dev-users');
    if (!response.ok) throw new SignInError(await readError(response));
    return ((await response.json()) as { users: DevUser[] }).users;
  },
};

export const tokenSource: TokenSource = devSignIn;
