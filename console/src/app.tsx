/**
 * The console's shell: sign-in, the pages each role may use (the API enforces the same matrix:
 * shared/api/roles.ts), the language switch, and signing out when the token is no longer good.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { getJson, onCommunityChange, setCommunity, setUnauthorizedHandler } from './api/client';
import type { Group, Me } from './api/types';
import { SESSION_KEY, type Session, tokenSource } from './auth/token-source';
import { ErrorAlert, Loading, PageHeader } from './components/ui';
import { I18n, initialLang, LANG_KEY, type Lang, type MessageKey, translator, useI18n } from './i18n';
import { AppealsPage } from './pages/appeals';
import { BankSettingsPage } from './pages/bank-settings';
import { BulletinsPage } from './pages/bulletins';
import { ComparePage } from './pages/compare';
import { CyclesPage } from './pages/cycles';
import { DispatchPage } from './pages/dispatch';
import { AuditPage, ExplainPage, MyPayPage, PublicationsPage } from './pages/explain';
import { ReviewsPage } from './pages/reviews';
import { SchemesPage } from './pages/schemes';
import { SecondaryPage } from './pages/secondary';
import { SheetsPage } from './pages/sheets';
import { SignIn } from './pages/sign-in';
import { UploadPage } from './pages/upload';
import { communityInUrl, currentRoute, routeHash, useRoute } from './router';

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
  // §9.1 manual mode: the head's split form, the institution's approval queue, the office's close.
  {
    route: 'secondary',
    title: 'page_secondary',
    roles: ['dept_head', 'institution', 'office', 'finance', 'auditor'],
    render: (g) => <SecondaryPage groups={g} />,
  },
  // The commission compares communities: a page outside every community.
  { route: 'compare', title: 'page_compare', roles: ['commission'], render: () => <ComparePage /> },
  {
    route: 'sheets',
    title: 'page_sheets',
    roles: ['hr', 'finance'],
    render: (g) => <SheetsPage groups={g} />,
  },
  // Issue 16: the bank-file format (HR chooses), payer accounts (HR or finance), downloads in a format (HR).
  {
    route: 'bank-settings',
    title: 'page_bankSettings',
    roles: ['hr', 'finance'],
    render: (g) => <BankSettingsPage groups={g} />,
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
  commission: 'compare',
  dept_head: 'secondary',
  institution: 'secondary',
};

const COMMUNITY_KEY = 'medcomm.community';
const storedCommunity = (): string | undefined => {
  try {
    return sessionStorage.getItem(COMMUNITY_KEY) ?? undefined;
  } catch {
    return undefined;
  }
};

/**
 * The community to work in: the address's, else the one chosen before in this tab, provided the caller
 * holds groups there (a sample user of the local server: anywhere); else their only one.
 */
function chooseCommunity(me: Me, wanted: string | undefined): string | undefined {
  const mine = me.communities.map((c) => c.communityId);
  if (wanted && (mine.includes(wanted) || me.anyCommunity)) return wanted;
  return mine.length === 1 ? mine[0] : undefined;
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const i18n = useMemo(() => ({ lang, t: translator(lang) }), [lang]);
  const [session, setSession] = useState<Session | null>(tokenSource.current);
  const [me, setMe] = useState<Me>();
  const [route, go] = useRoute();
  const [wanted, setWanted] = useState<string | undefined>(() => communityInUrl() ?? storedCommunity());
  // Bumped when the user moves to another community: the page is built afresh for it. A first import
  // naming the community is no move (its page keeps what it shows, the import's outcome).
  const [generation, setGeneration] = useState(0);
  const moveTo = (next: string) => {
    setWanted((current) => {
      if (current !== undefined && current !== next) setGeneration((g) => g + 1);
      return next;
    });
  };
  const community = me ? chooseCommunity(me, wanted) : undefined;
  // Set before the pages render: their requests go to this community (api/client.ts).
  setCommunity(community, false);
  useEffect(() => {
    if (!community) return;
    try {
      sessionStorage.setItem(COMMUNITY_KEY, community);
    } catch {
      // private mode: the address still keeps it
    }
  }, [community]);
  // A community named by the address (a link, the back button) or chosen by a first import.
  useEffect(() => {
    // The page as addressed, without the community: asking again for the page already shown (the
    // address with or without its community) shows it afresh, as a reload would.
    const pageOf = (url: string) => new URL(url).hash.replace(/^#\/?(c\/[^/?]+\/?)?/, '');
    const follow = (e: HashChangeEvent) => {
      const named = communityInUrl();
      if (named) moveTo(named);
      if (pageOf(e.newURL) === pageOf(e.oldURL)) setGeneration((g) => g + 1);
    };
    addEventListener('hashchange', follow);
    const unsubscribe = onCommunityChange((c) => {
      setWanted(c);
      loadMe();
    });
    return () => {
      removeEventListener('hashchange', follow);
      unsubscribe();
    };
  }, []);

  // Before the browser paints: a screen reader must never meet English text under lang="zh-CN" (a plain effect
  // ran a frame after the new words were in the page).
  useLayoutEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = `${i18n.t('appName')} · MedComm Pay`;
  }, [lang, i18n]);

  useEffect(() => {
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

  // The caller's groups where they work: the community's (a sample user's everywhere) and the commission's.
  const here = me?.communities.find((c) => c.communityId === community);
  const groups: Group[] = me
    ? [
        ...new Set([
          ...(here?.groups ?? []),
          ...(community === undefined || !here ? (me.anyCommunity ?? []) : []),
          ...me.groups,
        ]),
      ]
    : [];
  const mustChoose = !!me && community === undefined && me.communities.length > 1;
  const pages = me && !mustChoose ? PAGES.filter((p) => p.roles.some((r) => groups.includes(r))) : [];
  const page = pages.find((p) => p.route === route);
  useEffect(() => {
    if (!me || page || !pages[0]) return;
    // The address as it is now, not as last rendered: a page asked for while the groups were loading (a
    // link, a bookmark) stays asked for; its hashchange is on its way.
    const live = currentRoute();
    if (live !== route && pages.some((p) => p.route === live)) return;
    go(HOME[groups[0]!] ?? pages[0].route, community);
  }, [me, page, pages, go]);
  // The address names the community worked in.
  useEffect(() => {
    if (!page || !community || communityInUrl() === community) return;
    const query = location.hash.split('?')[1];
    const hash = `${routeHash(route, community)}${query ? `?${query}` : ''}`;
    history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  }, [page, community, route]);

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
                {groups.map((g) => t(`role_${g}` as MessageKey)).join(lang === 'zh' ? '、' : ', ')}
                {lang === 'zh' ? '）' : ')'}
              </span>
              {me.communities.length > 1 && community && (
                <label class="community-select">
                  {t('community')}{' '}
                  <select
                    value={community}
                    onChange={(e) => {
                      moveTo(e.currentTarget.value);
                      go(route, e.currentTarget.value);
                    }}
                  >
                    {me.communities.map((c) => (
                      <option key={c.communityId} value={c.communityId}>
                        {c.name ? `${c.name}（${c.communityId}）` : c.communityId}
                      </option>
                    ))}
                  </select>
                </label>
              )}
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
                <a
                  href={routeHash(p.route, p.roles.includes('commission') ? undefined : community)}
                  aria-current={p.route === route ? 'page' : undefined}
                >
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
        ) : mustChoose ? (
          <CommunityChoice me={me} onChoose={(c) => go(route || 'cycles', c)} />
        ) : pages.length === 0 ? (
          <p class="alert">{t('noCommunity')}</p>
        ) : page ? (
          <div key={`${generation}/${page.route}`}>{page.render(groups)}</div>
        ) : (
          <Loading />
        )}
      </main>
    </I18n.Provider>
  );
}

/** Someone with roles in several communities picks the one to work in. */
function CommunityChoice({ me, onChoose }: { me: Me; onChoose: (community: string) => void }) {
  const { t } = useI18n();
  return (
    <section>
      <PageHeader title={t('chooseCommunity')} intro={t('chooseCommunityIntro')} />
      <ul class="community-list">
        {me.communities.map((c) => (
          <li key={c.communityId}>
            <button type="button" onClick={() => onChoose(c.communityId)}>
              {c.name ? `${c.name}（${c.communityId}）` : c.communityId}
            </button>{' '}
            {c.groups.map((g) => t(`role_${g}` as MessageKey)).join('、')}
            {!c.imported && ` · ${t('notImported')}`}
          </li>
        ))}
      </ul>
    </section>
  );
}
