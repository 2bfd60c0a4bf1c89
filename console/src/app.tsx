/**
 * The console's shell: sign-in, the pages each role may use (the API enforces the same matrix:
 * shared/api/roles.ts), the language switch, and signing out when the token is no longer good.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { getJson, setUnauthorizedHandler } from './api/client';
import type { Group, Me } from './api/types';
import { SESSION_KEY, type Session, tokenSource } from './auth/token-source';
import { ErrorAlert, Loading } from './components/ui';
import { I18n, initialLang, LANG_KEY, type Lang, type MessageKey, translator } from './i18n';
import { AppealsPage } from './pages/appeals';
import { BulletinsPage } from './pages/bulletins';
import { CyclesPage } from './pages/cycles';
import { DispatchPage } from './pages/dispatch';
import { AuditPage, ExplainPage, MyPayPage, PublicationsPage } from './pages/explain';
import { ReviewsPage } from './pages/reviews';
import { SchemesPage } from './pages/schemes';
import { SheetsPage } from './pages/sheets';
import { SignIn } from './pages/sign-in';
import { UploadPage } from './pages/upload';
import { useRoute } from './router';

interface Page {
  route: string;
  title: MessageKey;
  roles: Group[];
  render: (groups: Group[]) => ComponentChildren;
}

const PAGES: Page[] = [
  { route: 'upload', title: 'page_upload', roles: ['office'], render: () => <UploadPage /> },
  {
    route: 'cycles',
    title: 'page_cycles',
    roles: ['office', 'finance', 'auditor'],
    render: (g) => <CyclesPage groups={g} />,
  },
  {
    route: 'dispatch',
    title: 'page_dispatch',
    roles: ['office', 'finance', 'auditor'],
    render: () => <DispatchPage />,
  },
  {
    route: 'bulletins',
    title: 'page_bulletins',
    roles: ['office', 'finance', 'auditor'],
    render: () => <BulletinsPage />,
  },
  { route: 'reviews', title: 'page_reviews', roles: ['finance'], render: () => <ReviewsPage /> },
  {
    route: 'explain',
    title: 'page_explain',
    roles: ['office', 'hr', 'finance', 'auditor', 'member', 'staff'],
    render: (g) => <ExplainPage groups={g} />,
  },
  { route: 'mypay', title: 'page_mypay', roles: ['hr', 'staff'], render: (g) => <MyPayPage groups={g} /> },
  {
    route: 'publications',
    title: 'page_publications',
    roles: ['office', 'finance', 'auditor', 'member', 'staff'],
    render: (g) => <PublicationsPage groups={g} />,
  },
  {
    route: 'appeals',
    title: 'page_appeals',
    roles: ['office', 'finance', 'auditor', 'member'],
    render: (g) => <AppealsPage groups={g} />,
  },
  { route: 'audit', title: 'page_audit', roles: ['auditor'], render: () => <AuditPage /> },
  {
    route: 'schemes',
    title: 'page_schemes',
    roles: ['office', 'committee', 'finance', 'auditor'],
    render: (g) => <SchemesPage groups={g} />,
  },
  {
    route: 'sheets',
    title: 'page_sheets',
    roles: ['hr', 'finance'],
    render: (g) => <SheetsPage groups={g} />,
  },
];

const HOME: Record<Group, string> = {
  office: 'cycles',
  hr: 'sheets',
  finance: 'reviews',
  auditor: 'cycles',
  member: 'publications',
  staff: 'mypay',
  committee: 'schemes',
};

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);
  const [session, setSession] = useState<Session | null>(tokenSource.current);
  const [me, setMe] = useState<Me>();
  const [route, go] = useRoute();

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = `${i18n.t('appName')} · MedComm Pay`;
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, [lang, i18n]);

  const signOut = () => {
    tokenSource.signOut();
    setSession(null);
    setMe(undefined);
  };
  useEffect(() => setUnauthorizedHandler(signOut), []);

  // A sign-in or sign-out in another tab of this browser applies here too.
  useEffect(() => {
    const follow = (e: StorageEvent) => {
      if (e.key !== SESSION_KEY) return;
      const next = tokenSource.current();
      setSession(next);
      if (!next) setMe(undefined);
    };
    addEventListener('storage', follow);
    return () => removeEventListener('storage', follow);
  }, []);

  // The groups come from the API (GET /api/me), not from what the sign-in said. Only a 401 signs out
  // (the client calls the handler); a network error keeps the session and says what happened.
  const [meError, setMeError] = useState<unknown>();
  const loadMe = () => {
    setMeError(undefined);
    getJson<Me>('/api/me').then(setMe, setMeError);
  };
  useEffect(() => {
    if (session) loadMe();
  }, [session]);

  const pages = me ? PAGES.filter((p) => p.roles.some((r) => me.groups.includes(r))) : [];
  const page = pages.find((p) => p.route === route);
  useEffect(() => {
    if (me && !page && pages[0]) go(HOME[me.groups[0]!] ?? pages[0].route);
  }, [me, page, pages, go]);

  const t = i18n.t;
  return (
    <I18n.Provider value={i18n}>
      {/* A button, not an anchor: the routes live in the hash, so `#main` would navigate. */}
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        {t('skip')}
      </button>
      <header class="top">
        <div class="brand">
          <span class="brand-name">{t('appName')}</span>
          <span class="brand-sub">{t('appSub')}</span>
        </div>
        <div class="top-actions">
          <button
            type="button"
            class="link"
            lang={lang === 'zh' ? 'en' : 'zh-CN'}
            aria-label={`${t('language')}: ${t('switchTo')}`}
            onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
          >
            {t('switchTo')}
          </button>
          {me && (
            <>
              <span class="who">
                {t('signedInAs')} <strong data-testid="who">{me.user}</strong>
                {lang === 'zh' ? '（' : ' ('}
                {me.groups.map((g) => t(`role_${g}` as MessageKey)).join(lang === 'zh' ? '、' : ', ')}
                {lang === 'zh' ? '）' : ')'}
              </span>
              <button type="button" class="link" onClick={signOut}>
                {t('signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      {me && (
        <nav aria-label={t('mainNav')} class="tabs">
          <ul>
            {pages.map((p) => (
              <li key={p.route}>
                <a href={`#/${p.route}`} aria-current={p.route === route ? 'page' : undefined}>
                  {t(p.title)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" tabIndex={-1}>
        {!session ? (
          <SignIn onSignedIn={setSession} />
        ) : !me && meError ? (
          <div>
            <ErrorAlert error={meError} />
            <button type="button" onClick={loadMe}>
              {t('retry')}
            </button>
          </div>
        ) : !me ? (
          <Loading />
        ) : page ? (
          <div key={page.route}>{page.render(me.groups)}</div>
        ) : (
          <Loading />
        )}
      </main>
    </I18n.Provider>
  );
}
