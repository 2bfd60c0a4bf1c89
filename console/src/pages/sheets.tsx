/**
 * HR: a completed cycle's pay sheet by period and institution, searchable, with totals of what is shown,
 * and the downloads — the sheet as CSV or XLSX and the bank-transfer file (HR only; every download is
 * in the audit trail).
 */
import { useEffect, useState } from 'preact/hooks';
import { download, getJson } from '../api/client';
import type { Group, SheetKind, SheetLine, YearOverview } from '../api/types';
import { type Column, DataTable } from '../components/data-table';
import { Async, ErrorAlert, Loading, Notice, PageHeader, SelectField, useLoad } from '../components/ui';
import { MESSAGES, type MessageKey, useI18n } from '../i18n';
import { formatMoneyYuan } from '../money';
import { explainLink } from './explain';

const KINDS: SheetKind[] = ['monthly', 'quarterly', 'annual', 'leaders'];
const AMOUNTS = ['basic', 'reward', 'quarterlySurplus', 'annualBonus', 'adjustment', 'gross'] as const;

export function SheetsPage({ groups }: { groups: Group[] }) {
  const { t } = useI18n();
  const overview = useLoad(() => getJson<YearOverview>('/api/cycles'), []);
  return (
    <section>
      <PageHeader title={t('page_sheets')} intro={t('sheetsIntro')} />
      <Async loaded={overview}>
        {(data) => {
          const completed = data.cycles.filter((c) => c.status === 'completed');
          if (completed.length === 0) return <Notice>{t('noSheets')}</Notice>;
          const periods: Record<SheetKind, string[]> = {
            monthly: completed.filter((c) => c.kind === 'monthly').map((c) => c.period),
            quarterly: completed.filter((c) => c.kind === 'quarterly').map((c) => c.period),
            annual: completed.filter((c) => c.kind === 'annual').map((c) => c.period),
            leaders: completed.filter((c) => c.kind === 'annual').map((c) => c.period),
          };
          return <Chooser periods={periods} mayBank={groups.includes('hr')} />;
        }}
      </Async>
    </section>
  );
}

function Chooser({ periods, mayBank }: { periods: Record<SheetKind, string[]>; mayBank: boolean }) {
  const { t } = useI18n();
  const kinds = KINDS.filter((k) => periods[k].length > 0);
  const [kind, setKind] = useState<SheetKind>(kinds[0]!);
  const [period, setPeriod] = useState(periods[kinds[0]!].at(-1)!);
  useEffect(() => {
    if (!periods[kind].includes(period)) setPeriod(periods[kind].at(-1)!);
  }, [kind, period, periods]);
  return (
    <div>
      <div class="toolbar">
        <SelectField
          id="sheet-kind"
          label={t('sheetKind')}
          value={kind}
          options={kinds.map((k) => ({ value: k, label: t(`kind_${k}` as MessageKey) }))}
          onChange={setKind}
        />
        <SelectField
          id="sheet-period"
          label={t('choosePeriod')}
          value={period}
          options={periods[kind].map((p) => ({ value: p, label: p }))}
          onChange={setPeriod}
        />
      </div>
      {periods[kind].includes(period) && <Sheet kind={kind} period={period} mayBank={mayBank} />}
    </div>
  );
}

function Sheet({ kind, period, mayBank }: { kind: SheetKind; period: string; mayBank: boolean }) {
  const { t } = useI18n();
  const [institution, setInstitution] = useState('');
  const [query, setQuery] = useState('');
  const [busy, setBusy] = useState<string>();
  const [downloaded, setDownloaded] = useState<string>();
  const [leftOut, setLeftOut] = useState(0);
  const [error, setError] = useState<unknown>();

  const fetchFile = async (label: string, path: string, fallback: string) => {
    setBusy(label);
    setError(undefined);
    setDownloaded(undefined);
    setLeftOut(0);
    try {
      const file = await download(path, fallback);
      setDownloaded(t('downloaded', { name: file.filename }));
      setLeftOut(file.notTransferred ?? 0);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  const files = [
    {
      key: 'csv',
      label: t('downloadCsv'),
      path: `/api/sheets/${kind}/${period}?format=csv`,
      name: `paysheet-${kind}-${period}.csv`,
    },
    {
      key: 'xlsx',
      label: t('downloadXlsx'),
      path: `/api/sheets/${kind}/${period}?format=xlsx`,
      name: `paysheet-${kind}-${period}.xlsx`,
    },
    ...(mayBank
      ? [
          {
            key: 'bank',
            label: t('downloadBank'),
            path: `/api/bank/${kind}/${period}?format=csv`,
            name: `bank-${kind}-${period}.csv`,
          },
          {
            key: 'bank-xlsx',
            label: t('downloadBankXlsx'),
            path: `/api/bank/${kind}/${period}?format=xlsx`,
            name: `bank-${kind}-${period}.xlsx`,
          },
        ]
      : []),
  ];

  return (
    <div>
      <fieldset class="downloads">
        <legend>{t('downloads')}</legend>
        {files.map((f) => (
          <button
            key={f.key}
            type="button"
            disabled={busy !== undefined}
            aria-busy={busy === f.key}
            onClick={() => fetchFile(f.key, f.path, f.name)}
          >
            {f.label}
          </button>
        ))}
      </fieldset>
      {downloaded && <Notice tone="success">{downloaded}</Notice>}
      {leftOut > 0 && <Notice tone="warning">{t('notTransferred', { n: leftOut })}</Notice>}
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      <Lines
        kind={kind}
        period={period}
        institution={institution}
        setInstitution={setInstitution}
        query={query}
        setQuery={setQuery}
      />
    </div>
  );
}

interface SheetPage {
  page: number;
  size: number;
  pages: number;
  total: number;
  all: number;
  totals: Record<(typeof AMOUNTS)[number], string>;
  institutions: { id: string; name: string; count: number }[];
  amounts: (typeof AMOUNTS)[number][];
  rows: SheetLine[];
}

type SortKey = 'institutionId' | 'staffId' | 'name' | 'department' | 'post' | (typeof AMOUNTS)[number];

const PAGE_SIZE = 100;

/** What a search box holds, passed on once typing pauses (one request per pause, not per key). */
function useSettled(value: string, ms = 250): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The sheet a page at a time from the API (a city's 35,000 lines never reach the browser at once):
 * search (name, staff id, department, institution, pinyin initials), institution, sort by any column.
 */
function Lines({
  kind,
  period,
  institution,
  setInstitution,
  query,
  setQuery,
}: {
  kind: SheetKind;
  period: string;
  institution: string;
  setInstitution: (v: string) => void;
  query: string;
  setQuery: (v: string) => void;
}) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<{ key: SortKey; order: 'asc' | 'desc' } | null>(null);
  const q = useSettled(query);
  useEffect(() => setPage(1), [kind, period, institution, q, sort]);
  const loaded = useLoad(() => {
    const params = new URLSearchParams({ format: 'json', page: String(page), size: String(PAGE_SIZE) });
    if (sort) {
      params.set('sort', sort.key);
      params.set('order', sort.order);
    }
    if (q.trim()) params.set('q', q.trim());
    if (institution) params.set('institution', institution);
    return getJson<SheetPage>(`/api/sheets/${kind}/${period}?${params}`);
  }, [kind, period, page, sort?.key, sort?.order, q, institution]);
  // Unknown posts (a newer dataset format) show as they are.
  const postLabel = (post: string) =>
    `post_${post}` in MESSAGES.zh ? t(`post_${post}` as MessageKey) : post;
  const sorter = (key: SortKey, label: string) => {
    const active = sort?.key === key;
    const next = active && sort.order === 'asc' ? 'desc' : 'asc';
    return (
      <button
        type="button"
        class="sort"
        aria-label={`${label}: ${t('sortBy')}`}
        aria-pressed={active}
        onClick={() => setSort({ key, order: next })}
      >
        {label}
        {active ? (sort.order === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    );
  };
  const data = loaded.data;
  const yuan = (v: string) => formatMoneyYuan(v);
  return (
    <div>
      <div class="toolbar">
        <SelectField
          id="sheet-institution"
          label={t('institution')}
          value={institution}
          options={[
            { value: '', label: t('allInstitutions') },
            ...(data?.institutions ?? []).map((i) => ({
              value: i.id,
              label: (
                <>
                  {i.id} {i.name}
                </>
              ),
            })),
          ]}
          onChange={setInstitution}
        />
        <div class="field inline grow">
          <label for="sheet-search">{t('search')}</label>
          <input
            id="sheet-search"
            type="search"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </div>
      </div>
      {loaded.error ? (
        <ErrorAlert error={loaded.error} />
      ) : !data ? (
        <Loading />
      ) : (
        <>
          <p class="meta" role="status" aria-live="polite">
            {t('shownLines', { shown: data.total, all: data.all })}
          </p>
          <DataTable
            id="sheet-table"
            columns={[
              { header: sorter('institutionId', t('institution')), cell: (l) => l.institutionName },
              { header: sorter('department', t('department')), cell: (l) => l.department },
              { header: sorter('staffId', t('staffId')), cell: (l) => l.staffId },
              {
                header: sorter('name', t('name')),
                rowHeader: true,
                // A click on a person shows why they got this amount.
                cell: (l) => <a href={explainLink(l.period, { staff: l.staffId })}>{l.name}</a>,
              },
              { header: sorter('post', t('post')), cell: (l) => postLabel(l.post) },
              ...data.amounts.map(
                (k): Column<SheetLine> => ({
                  key: k,
                  // The leaders' sheet carries 院长年薪 in the annual column: it says so.
                  header: sorter(
                    k,
                    kind === 'leaders' && k === 'annualBonus' ? t('kind_leaders') : t(k as MessageKey),
                  ),
                  num: true,
                  cell: (l) => yuan(l[k]),
                  total: yuan(data.totals[k]),
                  totalId: k,
                }),
              ),
            ]}
            rows={data.rows}
            rowKey={(l) => `${l.institutionId}/${l.staffId}`}
          />
          <nav class="pager" aria-label={t('pages')}>
            <button type="button" disabled={data.page <= 1} onClick={() => setPage(data.page - 1)}>
              {t('previousPage')}
            </button>
            <span class="meta">{t('pageOf', { page: data.page, pages: data.pages })}</span>
            <button type="button" disabled={data.page >= data.pages} onClick={() => setPage(data.page + 1)}>
              {t('nextPage')}
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
