/**
 * Finance: the review queue. For each cycle awaiting review, the figures to decide on — the surplus
 * pools of a quarter; the annual appraisal with the insurance and public-health settlements — then
 * approve, or reject with a reason. Four eyes is the API's rule: whoever started the cycle may not
 * decide it; the console says so up front, and any refusal is shown in the API's own words.
 */
import { useState } from 'preact/hooks';
import { getJson, postJson } from '../api/client';
import type { Appraisal, BulletinRow, CycleView, InsuranceSettlement, Review } from '../api/types';
import { DataTable } from '../components/data-table';
import { RejectReasonField } from '../components/reject-reason';
import {
  AppraisalTable,
  institutionColumn,
  KeyValues,
  moneyColumn,
  poolColumns,
  scoreColumns,
} from '../components/settlement-table';
import { Async, ErrorAlert, Notice, PageHeader, StatusBadge, useLoad } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n';
import { formatMoney, formatMoneyYuan, toFen } from '../money';
import { CorrectionReviews } from './correction-reviews';

export function ReviewsPage() {
  const { t } = useI18n();
  const queue = useLoad(() => getJson<{ reviews: Review[] }>('/api/reviews'), []);
  const [done, setDone] = useState<string>();
  return (
    <section>
      <PageHeader title={t('page_reviews')} intro={t('reviewsIntro')} />
      {done && <Notice tone="success">{done}</Notice>}
      <Async loaded={queue}>
        {(data) =>
          data.reviews.length === 0 ? (
            <Notice>{t('noReviews')}</Notice>
          ) : (
            data.reviews.map((r) => (
              <ReviewCard
                key={`${r.cycle.kind}/${r.cycle.period}/${r.cycle.revision}`}
                review={r}
                onDecided={(message) => {
                  setDone(message);
                  queue.reload();
                }}
              />
            ))
          )
        }
      </Async>
      <CorrectionReviews />
    </section>
  );
}

function ReviewCard({ review, onDecided }: { review: Review; onDecided: (message: string) => void }) {
  const { t, lang } = useI18n();
  const { cycle } = review;
  const id = `review-${cycle.kind}-${cycle.period}`;
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [reasonMissing, setReasonMissing] = useState(false);

  const decide = async (approve: boolean) => {
    if (!approve && !reason.trim()) {
      setReasonMissing(true);
      document.getElementById(`${id}-reason`)?.focus();
      return;
    }
    setReasonMissing(false);
    // Finance confirms the money it releases: the amount is in the question, not only on the page.
    if (
      approve &&
      !window.confirm(t('confirmApprove', { period: cycle.period, amount: approvalAmount(review) }))
    )
      return;
    setBusy(true);
    setError(undefined);
    try {
      const path = `/api/cycles/${cycle.kind}/${cycle.period}/${approve ? 'approve' : 'reject'}`;
      const after = await postJson<CycleView>(path, approve ? {} : { reason: reason.trim() });
      onDecided(
        approve
          ? t('approvedOk', { period: cycle.period, status: t(`status_${after.status}` as MessageKey) })
          : t('rejectedOk', { period: cycle.period }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="card review" aria-labelledby={`${id}-title`} data-review={cycle.period}>
      <h2 id={`${id}-title`}>
        {cycle.period} {t(`kind_${cycle.kind}` as MessageKey)} <StatusBadge status={cycle.status} />
      </h2>
      <p class="meta">
        {t('revision', { n: cycle.revision ?? 1 })} · {t('startedBy')} {cycle.startedBy} ·{' '}
        {t('datasetVersion')} v{cycle.datasetVersion}
        {cycle.reviewRequestedAt
          ? ` · ${t('requestedAt')} ${new Date(cycle.reviewRequestedAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en')}`
          : ''}
      </p>
      <Details review={review} />

      <form class="decision" onSubmit={(e) => e.preventDefault()}>
        {!review.youMayDecide && (
          <Notice tone="warning">
            <strong>{t('youMayNotDecide')}</strong>：<span class="api-message">{cycle.waitsFor.message}</span>
          </Notice>
        )}
        <RejectReasonField
          id={id}
          reason={reason}
          missing={reasonMissing}
          disabled={!review.youMayDecide || busy}
          onInput={setReason}
        />
        <div class="actions">
          <button
            type="button"
            class="primary"
            disabled={!review.youMayDecide || busy}
            aria-busy={busy}
            onClick={() => decide(true)}
          >
            {busy ? t('deciding') : `${t('approve')} ${cycle.period}`}
          </button>
          <button
            type="button"
            class="danger"
            disabled={!review.youMayDecide || busy}
            onClick={() => decide(false)}
          >
            {`${t('reject')} ${cycle.period}`}
          </button>
        </div>
        <ErrorAlert error={error} onClose={() => setError(undefined)} />
      </form>
    </article>
  );
}

/** What an approval pays out: the quarter's surplus pools, or the annual bonus pools plus leader salaries. */
function approvalAmount(review: Review): string {
  const d = review.details;
  if (!d) return '—';
  const fen =
    'institutions' in d
      ? toFen(d.totals.pool)
      : toFen(d.totals.annualBonusPools) + toFen(d.totals.leaderSalaries);
  return formatMoney(fen);
}

function Details({ review }: { review: Review }) {
  const d = review.details;
  if (!d) return null;
  if ('institutions' in d) return <Pools rows={d.institutions} totals={d.totals} />;
  return <Settlement appraisal={d.settlement} totals={d.totals} />;
}

function Pools({
  rows,
  totals,
}: {
  rows: BulletinRow[];
  totals: { surplus: string; fundExtraction: string; pool: string };
}) {
  const { t } = useI18n();
  return (
    <DataTable
      caption={t('poolsByInstitution')}
      columns={[
        institutionColumn(t),
        ...scoreColumns(t),
        { header: t('rank'), num: true, cell: (r) => r.rank },
        ...poolColumns(t, formatMoneyYuan, totals),
      ]}
      rows={rows}
      rowKey={(r) => r.institutionId}
    />
  );
}

function insuranceRows(t: ReturnType<typeof useI18n>['t'], s: InsuranceSettlement): [string, string][] {
  const rows: [string, string][] = [
    [t('budget'), formatMoneyYuan(s.budget)],
    [t('actual'), formatMoneyYuan(s.actual)],
  ];
  if ('surplus' in s) {
    rows.push(
      [t('surplus'), formatMoneyYuan(s.surplus)],
      [t('retained'), formatMoneyYuan(s.retained)],
      [t('returned'), formatMoneyYuan(s.returned)],
      [t('payPart'), formatMoneyYuan(s.payPart)],
      [t('developmentPart'), formatMoneyYuan(s.developmentPart)],
    );
  } else if ('overspend' in s) {
    rows.push(
      [t('overspend'), formatMoneyYuan(s.overspend)],
      [t('reasonable'), formatMoneyYuan(s.reasonable)],
      [t('fundBears'), formatMoneyYuan(s.fundBears)],
      [t('communityBears'), formatMoneyYuan(s.communityBears)],
    );
  } else {
    rows.push([t('status'), t('nothingToSettle')]);
  }
  return rows;
}

function Settlement({
  appraisal: a,
  totals,
}: {
  appraisal: Appraisal;
  totals: { annualBonusPools: string; leaderSalaries: string };
}) {
  const { t } = useI18n();
  const ins = a.insurance;
  return (
    <div>
      <p class="headline">
        {t('communityScore')}：<strong>{a.communityScore}</strong>（{a.communityGrade}）
      </p>
      <AppraisalTable rows={a.institutions} money={formatMoneyYuan} />
      <div class="columns">
        <KeyValues caption={t('insurance')} rows={insuranceRows(t, ins)} />
        {'payPartByInstitution' in ins && (
          <KeyValues
            caption={t('payPartByInstitution')}
            rows={Object.entries(ins.payPartByInstitution).map(([id, v]) => [
              `${a.institutions.find((i) => i.institutionId === id)?.name ?? ''} ${id}`.trim(),
              formatMoneyYuan(v),
            ])}
          />
        )}
        <KeyValues
          caption={t('totals')}
          rows={[
            [t('annualBonusPools'), formatMoneyYuan(totals.annualBonusPools)],
            [t('leaderSalaries'), formatMoneyYuan(totals.leaderSalaries)],
          ]}
        />
      </div>
      <DataTable
        caption={
          <>
            {t('publicHealth')} · {t('phTotal')} {formatMoneyYuan(a.publicHealth.total)} ·{' '}
            {t('retainedByCommunity')} {formatMoneyYuan(a.publicHealth.retainedByCommunity)}
          </>
        }
        columns={[
          institutionColumn(t),
          moneyColumn(t, 'base', formatMoneyYuan),
          moneyColumn(t, 'preAllocated', formatMoneyYuan),
          moneyColumn(t, 'entitlement', formatMoneyYuan),
          {
            ...moneyColumn(t, 'settlement', formatMoneyYuan),
            cellClass: (r: { settlement: string }) => `num${r.settlement.startsWith('-') ? ' negative' : ''}`,
          },
        ]}
        rows={a.publicHealth.rows}
        rowKey={(r) => r.institutionId}
      />
      {a.leaders.length > 0 && (
        <KeyValues
          caption={t('leaders')}
          rows={a.leaders.map((l) => [l.staffId, formatMoneyYuan(l.salary)])}
        />
      )}
    </div>
  );
}
