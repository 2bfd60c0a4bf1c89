/**
 * HR: a completed cycle's pay sheet by period and institution, searchable, with totals of what is shown,
 * and the downloads — the sheet as CSV or XLSX and the bank-transfer file (HR only; every download is
 * in the audit trail).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { download, getJson } from '../api/client';
import type { Group, SheetKind, SheetLine, YearOverview } from '../api/types';
import { type Column, DataTable } from '../components/data-table';
import { Async, ErrorAlert, Notice, PageHeader, SelectField, useLoad } from '../components/ui';
import { MESSAGES, type MessageKey, useI18n } from '../i18n';
import { formatFen, sumFen, toFen } from '../money';
import { explainLink } from './explain';

const KINDS: SheetKind[] = ['monthly', 'quarterly', 'annual', 'leaders'];
const AMOUNTS = ['basic', 'reward', 'quarterlySurplus', 'annualBonus', 'adjustment', 'gross'] as const;

/** Locally the answer is the JSON itself; on AWS a short-lived link to it. */
async function sheetLines(kind: SheetKind, period: string): Promise<SheetLine[]> {
  const answer = await getJson<SheetLine[] | { url: string }>(`/api/sheets/${kind}/${period}?format=json`);
  if (Array.isArray(answer)) return answer;
  const linked = await fetch(answer.url);
  if (!linked.ok) throw new Error(`HTTP ${linked.status}`);
  return (await linked.json()) as SheetLine[];
}

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
  const loaded = useLoad(() => sheetLines(kind, period), [kind, period]);
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
      <Async loaded={loaded}>
        {(lines) => (
          <Lines
            kind={kind}
            lines={lines}
            institution={institution}
            setInstitution={setInstitution}
            query={query}
            setQuery={setQuery}
          />
        )}
      </Async>
    </div>
  );
}

function Lines({
  kind,
  lines,
  institution,
  setInstitution,
  query,
  setQuery,
}: {
  kind: SheetKind;
  lines: SheetLine[];
  institution: string;
  setInstitution: (v: string) => void;
  query: string;
  setQuery: (v: string) => void;
}) {
  const { t } = useI18n();
  // Unknown posts (a newer dataset format) show as they are.
  const postLabel = (post: string) =>
    `post_${post}` in MESSAGES.zh ? t(`post_${post}` as MessageKey) : post;
  const institutions = useMemo(
    () => [...new Map(lines.map((l) => [l.institutionId, l.institutionName])).entries()],
    [lines],
  );
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return lines.filter(
      (l) =>
        (!institution || l.institutionId === institution) &&
        (!q || [l.name, l.staffId, l.department].some((field) => field.toLowerCase().includes(q))),
    );
  }, [lines, institution, query]);
  // Only the columns that carry money on this kind of sheet (a quarterly sheet has only the surplus).
  const columns = AMOUNTS.filter((k) => k === 'gross' || lines.some((l) => toFen(l[k]) !== 0));
  const totals = Object.fromEntries(columns.map((k) => [k, sumFen(shown.map((l) => toFen(l[k])))]));
  return (
    <div>
      <div class="toolbar">
        <SelectField
          id="sheet-institution"
          label={t('institution')}
          value={institution}
          options={[
            { value: '', label: t('allInstitutions') },
            ...institutions.map(([id, name]) => ({
              value: id,
              label: (
                <>
                  {id} {name}
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
      <p class="meta" role="status" aria-live="polite">
        {t('shownLines', { shown: shown.length, all: lines.length })}
      </p>
      <DataTable
        id="sheet-table"
        columns={[
          { header: t('institution'), cell: (l) => l.institutionName },
          { header: t('department'), cell: (l) => l.department },
          { header: t('staffId'), cell: (l) => l.staffId },
          {
            header: t('name'),
            rowHeader: true,
            // A click on a person shows why they got this amount.
            cell: (l) => <a href={explainLink(l.period, { staff: l.staffId })}>{l.name}</a>,
          },
          { header: t('post'), cell: (l) => postLabel(l.post) },
          ...columns.map(
            (k): Column<SheetLine> => ({
              key: k,
              // The leaders' sheet carries 院长年薪 in the annual column: it says so.
              header: kind === 'leaders' && k === 'annualBonus' ? t('kind_leaders') : t(k as MessageKey),
              num: true,
              cell: (l) => formatFen(toFen(l[k])),
              total: formatFen(totals[k]!),
              totalId: k,
            }),
          ),
        ]}
        rows={shown}
        rowKey={(l) => `${l.institutionId}/${l.staffId}`}
      />
    </div>
  );
}
