/** Sign-in by role: pick a role, then one of its users (the dev sign-in's sample users locally). */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Group } from '../api/types';
import { OidcSignIn } from '../auth/oidc-sign-in';
import { type DevUser, type Session, tokenSource } from '../auth/token-source';
import { ErrorAlert, PageHeader, SelectField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n';

const ROLES: Group[] = [
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
];
// Used when the user list cannot be fetched; the server still decides who may sign in.
const FALLBACK: DevUser[] = [
  { user: 'office1', groups: ['office'] },
  { user: 'hr1', groups: ['hr'] },
  { user: 'finance1', groups: ['finance'] },
  { user: 'finance2', groups: ['finance'] },
  { user: 'auditor1', groups: ['auditor'] },
];

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  // An AWS build signs in at the organisation's identity provider (OIDC + PKCE).
  if (tokenSource.redirects) return <OidcSignIn onSignedIn={onSignedIn} />;
  return <DevSignIn onSignedIn={onSignedIn} />;
}

function DevSignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const { t } = useI18n();
  const [users, setUsers] = useState<DevUser[]>(FALLBACK);
  const [role, setRole] = useState<Group>('office');
  const [user, setUser] = useState('office1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    tokenSource.users().then(setUsers, () => setUsers(FALLBACK));
  }, []);

  const ofRole = useMemo(() => users.filter((u) => u.groups.includes(role)), [users, role]);
  useEffect(() => {
    if (!ofRole.some((u) => u.user === user)) setUser(ofRole[0]?.user ?? '');
  }, [ofRole, user]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await tokenSource.signIn(user, role));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="sign-in">
      <PageHeader title={t('signInTitle')} intro={t('signInIntro')} />
      <form onSubmit={submit} class="card form">
        <SelectField
          id="sign-in-role"
          label={t('role')}
          value={role}
          options={ROLES.map((r) => ({ value: r, label: t(`role_${r}` as MessageKey) }))}
          onChange={setRole}
          inline={false}
        />
        <SelectField
          id="sign-in-user"
          label={t('user')}
          value={user}
          options={ofRole.map((u) => ({ value: u.user, label: u.user }))}
          onChange={setUser}
          inline={false}
        />
        <button type="submit" class="primary" disabled={busy || !user} aria-busy={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
        <ErrorAlert error={error} />
      </form>
    </section>
  );
}
