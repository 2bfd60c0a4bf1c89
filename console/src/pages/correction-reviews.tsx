/**
 * Finance: corrections of completed periods awaiting review (DOMAIN.md §7.1), a section of the review
 * queue. Each shows the totals (old, new, difference, people) and every person's difference per pay
 * component, with names from the corrected period's own pay sheet; approve, or reject with a reason,
 * after a confirmation that states the amount. Four eyes as on cycle reviews: whoever started the
 * correction may not decide it — the console says so up front and the API refuses it anyway.
 * A province's correction is too large for one answer (issue 12): the queue carries every institution's
 * summary and only the first institutions' lines; the others load one institution at a time.
 */
import { useState } from 'preact/hooks';
import { getJson, jobFileJson, jobJson } from '../api/client';
import type {
  CorrectionDifferences,
  CorrectionInstitutionSummary,
  CorrectionLine,
  CorrectionRecord,
  CorrectionReview,
} from '../api/lifecycle-types';
import type { SheetLine } from '../api/types';
import { type Column, DataTable } from '../components/data-table';
import { RejectReasonField } from '../components/reject-reason';
import { Async, ErrorAlert, Notice, StatusBadge, useLoad } from '../components/ui';
import type { MessageKey } from '../i18n';
import { type LifecycleKey, useLifecycleI18n } from '../lifecycle-i18n';
import { formatFen } from '../money';

/** Integer fen as money: "¥1,234.56", "-¥80.00" (as the console's other pages write a negative amount). */
const yuan = (fen: number) => (fen < 0 ? `-¥${formatFen(-fen)}` : `¥${formatFen(fen)}`);

export function CorrectionReviews() {
  const { l } = useLifecycleI18n();
  const queue = useLoad(() => getJson<{ corrections?: CorrectionReview[] }>('/api/reviews'), []);
  const [done, setDone] = useState<string>();
  return (
    <section class="correction-reviews" aria-labelledby="correction-reviews-title">
      <h2 id="correction-reviews-title">{l('correctionReviewsTitle')}</h2>
      <p class="intro">{l('correctionReviewsIntro')}</p>
      {done && <Notice tone="success">{done}</Notice>}
      <Async loaded={queue}>
        {(data) =>
          (data.corrections ?? []).length === 0 ? (
            <Notice>{l('noCorrectionReviews')}</Notice>
          ) : (
            (data.corrections ?? []).map((r) => (
              <CorrectionCard
                key={`${r.correction.kind}/${r.correction.period}/${r.correction.revision}`}
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
    </section>
  );
}

/** Who is who on the corrected period's sheet (staff and institution names); none if it cannot be read. */
async function namesOf(c: CorrectionRecord): Promise<Map<string, string>> {
  try {
    // The whole sheet is a job (issue 12): its JSON file through the job's link.
    const lines = await jobFileJson<SheetLine[]>(`/api/sheets/${c.kind}/${c.period}?format=json`);
    const names = new Map<string, string>();
    for (const line of lines) {
      names.set(line.staffId, line.name);
      names.set(line.institutionId, line.institutionName);
    }
    return names;
  } catch {
    return new Map();
  }
}

function CorrectionCard({
  review,
  onDecided,
}: {
  review: CorrectionReview;
  onDecided: (message: string) => void;
}) {
  const { t, l, when } = useLifecycleI18n();
  const c = review.correction;
  const id = `correction-${c.kind}-${c.period}`;
  const names = useLoad(() => namesOf(c), [c.kind, c.period, c.revision]);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [reasonMissing, setReasonMissing] = useState(false);
  const amount = yuan(c.totals.difference);

  const decide = async (approve: boolean) => {
    if (!approve && !reason.trim()) {
      setReasonMissing(true);
      document.getElementById(`${id}-reason`)?.focus();
      return;
    }
    setReasonMissing(false);
    // The amount is in the question, not only on the page.
    const question = l(approve ? 'confirmApproveCorrection' : 'confirmRejectCorrection', {
      period: c.period,
      n: c.revision,
      amount,
      people: c.totals.people,
    });
    if (!window.confirm(question)) return;
    setBusy(true);
    setError(undefined);
    try {
      const path = `/api/corrections/${c.kind}/${c.period}/${approve ? 'approve' : 'reject'}`;
      // An approval writes the year's data with the corrected rows: a job (issue 12), followed to its end;
      // a rejection is answered at once (jobJson takes either).
      const after = await jobJson<CorrectionRecord>(path, approve ? {} : { reason: reason.trim() });
      onDecided(
        approve
          ? l('correctionApproved', { period: c.period, n: c.revision, month: after.postedTo ?? '—' })
          : l('correctionRejected', { period: c.period, n: c.revision }),
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const nameOf = (key: string) => names.data?.get(key);
  const withName = (key: string) => {
    const name = nameOf(key);
    return name ? `${name} ${key}` : key;
  };
  const componentLabel = (component: string) => {
    const own = `comp_${component}` as LifecycleKey;
    if (own === 'comp_allowance' || own === 'comp_fiscalTopUp') return l(own);
    return ['basic', 'reward', 'adjustment', 'quarterlySurplus'].includes(component)
      ? t(component as MessageKey)
      : component;
  };

  return (
    <article class="card review" aria-labelledby={`${id}-title`} data-correction={c.period}>
      <h3 id={`${id}-title`}>
        {l('correctionName', { period: c.period, n: c.revision })} {t(`kind_${c.kind}` as MessageKey)}{' '}
        <StatusBadge status={c.status} />
      </h3>
      <p class="meta">
        {l('startedLine', { by: c.startedBy, at: when(c.startedAt) })} ·{' '}
        {l('baseRevision', { n: c.baseRevision })} · {l('datasetV', { n: c.datasetVersion })}
        {c.reason ? ` · ${t('reason')}：${c.reason}` : ''}
      </p>
      <table class="data kv">
        <tbody>
          <tr>
            <th scope="row">{l('oldTotal')}</th>
            <td class="num">{yuan(c.totals.old)}</td>
          </tr>
          <tr>
            <th scope="row">{l('newTotal')}</th>
            <td class="num">{yuan(c.totals.new)}</td>
          </tr>
          <tr>
            <th scope="row">{l('difference')}</th>
            <td class={`num${c.totals.difference < 0 ? ' negative' : ''}`} data-total="difference">
              {amount}
            </td>
          </tr>
          <tr>
            <th scope="row">{l('people')}</th>
            <td class="num" data-total="people">
              {c.totals.people}
            </td>
          </tr>
        </tbody>
      </table>
      <InstitutionDifferences
        review={review}
        withName={withName}
        columns={(lines) => [
          { header: t('staffId'), cell: (line: CorrectionLine) => line.staffId },
          {
            header: t('name'),
            rowHeader: true,
            cell: (line: CorrectionLine) => nameOf(line.staffId) ?? '',
          },
          { header: l('component'), cell: (line: CorrectionLine) => componentLabel(line.component) },
          { header: l('oldTotal'), num: true, cell: (line: CorrectionLine) => formatFen(line.old) },
          { header: l('newTotal'), num: true, cell: (line: CorrectionLine) => formatFen(line.new) },
          {
            header: l('difference'),
            num: true,
            cellClass: (line: CorrectionLine) => `num${line.difference < 0 ? ' negative' : ''}`,
            cell: (line: CorrectionLine) => formatFen(line.difference),
            total: formatFen(lines.reduce((sum, line) => sum + line.difference, 0)),
          },
        ]}
      />

      <form class="decision" onSubmit={(e) => e.preventDefault()}>
        {!review.youMayDecide && (
          <Notice tone="warning">
            <strong>{l('notYourCorrection')}</strong>：
            <span class="api-message">{l('notBy', { by: c.startedBy })}</span>
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
            {busy ? t('deciding') : l('approveCorrection', { period: c.period })}
          </button>
          <button
            type="button"
            class="danger"
            disabled={!review.youMayDecide || busy}
            onClick={() => decide(false)}
          >
            {l('rejectCorrection', { period: c.period })}
          </button>
        </div>
        <ErrorAlert error={error} onClose={() => setError(undefined)} />
      </form>
    </article>
  );
}

/**
 * Every institution's share of the correction, then each institution's lines: those the queue carried
 * are shown at once; a province's correction carries only the first institutions' (issue 12), and the
 * others load one institution at a time when opened.
 */
function InstitutionDifferences({
  review,
  withName,
  columns,
}: {
  review: CorrectionReview;
  withName: (key: string) => string;
  columns: (lines: CorrectionLine[]) => Column<CorrectionLine>[];
}) {
  const { t, l } = useLifecycleI18n();
  const included = new Map(review.differences.map((d) => [d.institutionId, d.lines]));
  const summary: CorrectionInstitutionSummary[] =
    review.summary ??
    review.differences.map((d) => ({
      institutionId: d.institutionId,
      people: new Set(d.lines.map((line) => line.staffId)).size,
      lines: d.lines.length,
      difference: d.lines.reduce((sum, line) => sum + line.difference, 0),
    }));
  const counts = review.counts;
  return (
    <>
      <DataTable
        caption={l('institutionDifferences')}
        columns={[
          {
            header: l('institutionCol'),
            rowHeader: true,
            cell: (s: CorrectionInstitutionSummary) => withName(s.institutionId),
          },
          { header: l('people'), num: true, cell: (s: CorrectionInstitutionSummary) => s.people },
          { header: l('linesCol'), num: true, cell: (s: CorrectionInstitutionSummary) => s.lines },
          {
            header: l('difference'),
            num: true,
            cellClass: (s: CorrectionInstitutionSummary) => `num${s.difference < 0 ? ' negative' : ''}`,
            cell: (s: CorrectionInstitutionSummary) => formatFen(s.difference),
          },
        ]}
        rows={summary}
        rowKey={(s) => s.institutionId}
        rowClass={() => 'institution-summary'}
      />
      {review.differencesComplete === false && counts && (
        <Notice tone="warning">
          {l('differencesCut', {
            lines: counts.lines,
            shown: counts.institutionsIncluded,
            linesShown: counts.linesIncluded,
            rest: counts.institutions - counts.institutionsIncluded,
          })}
        </Notice>
      )}
      {summary
        .filter((s) => s.lines > 0)
        .map((s) => (
          <InstitutionLines
            key={s.institutionId}
            correction={review.correction}
            institutionId={s.institutionId}
            included={included.get(s.institutionId)}
            caption={l('differencesOf', { institution: withName(s.institutionId) })}
            opener={l('showDifferences', { institution: withName(s.institutionId) })}
            columns={columns}
            loadingText={t('loading')}
          />
        ))}
    </>
  );
}

/** One institution's lines: given, or loaded through GET …/corrections/{kind}/{period}/differences. */
function InstitutionLines({
  correction: c,
  institutionId,
  included,
  caption,
  opener,
  columns,
  loadingText,
}: {
  correction: CorrectionRecord;
  institutionId: string;
  included: CorrectionLine[] | undefined;
  caption: string;
  opener: string;
  columns: (lines: CorrectionLine[]) => Column<CorrectionLine>[];
  loadingText: string;
}) {
  const [loaded, setLoaded] = useState<CorrectionLine[]>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const all = included ?? loaded;
  if (!all) {
    const open = async () => {
      setBusy(true);
      setError(undefined);
      try {
        const query = new URLSearchParams({ institution: institutionId, revision: String(c.revision) });
        const answer = await getJson<CorrectionDifferences>(
          `/api/corrections/${c.kind}/${c.period}/differences?${query}`,
        );
        setLoaded(answer.lines);
      } catch (e) {
        setError(e);
      } finally {
        setBusy(false);
      }
    };
    return (
      <div class="institution-lines" data-institution={institutionId}>
        <button type="button" disabled={busy} aria-busy={busy} onClick={open}>
          {busy ? loadingText : opener}
        </button>
        <ErrorAlert error={error} onClose={() => setError(undefined)} />
      </div>
    );
  }
  const lines = all.filter((line) => line.difference !== 0);
  if (lines.length === 0) return null;
  return (
    <div class="institution-lines" data-institution={institutionId}>
      <DataTable
        caption={caption}
        columns={columns(lines).map((column, n, list) =>
          n === list.length - 1 ? { ...column, totalId: `difference-${institutionId}` } : column,
        )}
        rows={lines}
        rowKey={(line) => `${line.staffId}/${line.component}`}
      />
    </div>
  );
}
