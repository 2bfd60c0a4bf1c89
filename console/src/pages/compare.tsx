/**
 * The commission (卫健委/医保局): one period of every community side by side — per community its status,
 * totals and, for quarters and years, each institution's score and grade; for the year the community's
 * score and the insurance fund's settlement. Read only, from completed cycles, no personal data
 * (GET /api/commission/compare).
 */
import { useState } from 'preact/hooks';
import { getJson } from '../api/client';
import type { CycleKind } from '../api/types';
import { DataTable } from '../components/data-table';
import { ErrorAlert, Loading, PageHeader, SelectField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n';
import { formatFen } from '../money';

interface Institution {
  institutionId: string;
  name: string | null;
  score?: string;
  grade?: string;
  rank?: number;
  pool?: number;
  reward?: number;
  annualBonusPool?: number;
}

interface Compared {
  communityId: string;
  name: string | null;
  status: string;
  cycle: { revision: number } | null;
  institutions: Institution[];
  totals: Record<string, number | string | null>;
  settlement?: {
    communityScore: string;
    communityGrade: string;
    insurance: { outcome: string; budget: number; actual: number };
  };
}

const KINDS: CycleKind[] = ['monthly', 'quarterly', 'annual'];
const EXAMPLE: Record<CycleKind, string> = { monthly: '2026-01', quarterly: '2026-Q1', annual: '2026' };
/** The amount each kind is compared by (integer fen in the answer). */
const AMOUNT: Record<CycleKind, 'reward' | 'pool' | 'annualBonusPool'> = {
  monthly: 'reward',
  quarterly: 'pool',
  annual: 'annualBonusPool',
};

export function ComparePage() {
  const { t } = useI18n();
  const [kind, setKind] = useState<CycleKind>('quarterly');
  const [period, setPeriod] = useState(EXAMPLE.quarterly);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<{ kind: CycleKind; communities: Compared[] }>();

  const show = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const query = new URLSearchParams({ kind, period });
      setResult(await getJson(`/api/commission/compare?${query}`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const amountKey = result ? AMOUNT[result.kind] : 'pool';
  return (
    <section>
      <PageHeader title={t('page_compare')} intro={t('compareIntro')} />
      <form class="card form inline" onSubmit={show}>
        <SelectField
          id="compare-kind"
          label={t('choosePeriod')}
          value={kind}
          options={KINDS.map((k) => ({ value: k, label: t(`kind_${k}` as MessageKey) }))}
          onChange={(k) => {
            setKind(k);
            setPeriod(EXAMPLE[k]);
          }}
        />
        <label>
          {t('period')}{' '}
          <input
            name="period"
            value={period}
            onInput={(e) => setPeriod(e.currentTarget.value)}
            pattern="\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?"
          />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {t('compareShow')}
        </button>
      </form>
      <ErrorAlert error={error} />
      {busy && <Loading />}
      {result && (
        <DataTable
          caption={`${t(`kind_${result.kind}` as MessageKey)} ${period}`}
          rows={result.communities}
          rowKey={(c) => c.communityId}
          columns={[
            {
              header: t('community'),
              rowHeader: true,
              cell: (c) => (c.name ? `${c.name}（${c.communityId}）` : c.communityId),
            },
            {
              header: t('status'),
              cell: (c) =>
                c.status === 'completed'
                  ? `${t('status_completed' as MessageKey)} r${c.cycle?.revision}`
                  : c.status === 'none'
                    ? t('compareNone')
                    : t(`status_${c.status}` as MessageKey),
            },
            { header: t('institutions'), num: true, cell: (c) => c.institutions.length || '' },
            {
              header: t('communityScore'),
              cell: (c) =>
                c.settlement ? `${c.settlement.communityScore} ${c.settlement.communityGrade}` : '',
            },
            {
              header: t('insuranceOutcome'),
              cell: (c) => (c.settlement ? c.settlement.insurance.outcome : ''),
            },
            {
              header: t(amountKey === 'reward' ? 'reward' : 'pool'),
              num: true,
              cell: (c) =>
                typeof c.totals[amountKey] === 'number' ? formatFen(c.totals[amountKey] as number) : '',
            },
            {
              header: `${t('score')} / ${t('grade')}`,
              cell: (c) =>
                c.institutions
                  .filter((i) => i.score !== undefined)
                  .map((i) => `${i.name ?? i.institutionId} ${i.score} ${i.grade}`)
                  .join('；'),
            },
          ]}
        />
      )}
    </section>
  );
}
