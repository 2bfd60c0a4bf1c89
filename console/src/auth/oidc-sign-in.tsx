/**
 * The sign-in page of an AWS build: one button that leaves for the organisation's identity provider, and
 * on the way back completes the sign-in (code + PKCE verifier → tokens).
 */
import { useEffect, useState } from 'preact/hooks';
import { ErrorAlert, PageHeader } from '../components/ui';
import { useI18n } from '../i18n';
import { type Session, tokenSource } from './token-source';

const TEXT = {
  zh: {
    title: '登录',
    intro: '使用本单位的统一身份认证账号登录。',
    button: '前往统一身份认证登录',
    busy: '正在登录…',
  },
  en: {
    title: 'Sign in',
    intro: "Sign in with your organisation's account.",
    button: 'Sign in with your organisation',
    busy: 'Signing in…',
  },
} as const;

export function OidcSignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const { lang } = useI18n();
  const text = TEXT[lang === 'en' ? 'en' : 'zh'];
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    (tokenSource.resume?.() ?? Promise.resolve(null)).then(
      (session) => {
        setBusy(false);
        if (session) onSignedIn(session);
      },
      (e) => {
        setBusy(false);
        setError(e);
      },
    );
  }, [onSignedIn]);

  const go = () => {
    setBusy(true);
    setError(undefined);
    tokenSource.signIn('', 'office').catch((e) => {
      setBusy(false);
      setError(e);
    });
  };

  return (
    <section class="sign-in">
      <PageHeader title={text.title} intro={text.intro} />
      <div class="card form">
        <button type="button" class="primary" disabled={busy} aria-busy={busy} onClick={go}>
          {busy ? text.busy : text.button}
        </button>
        <ErrorAlert error={error} />
      </div>
    </section>
  );
}
