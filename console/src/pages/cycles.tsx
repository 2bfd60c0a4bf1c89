/**
 * The cycle board of a year: 12 months, 4 quarters and the year, each with its status, what it waits for
 * (the API's own words), when and by whom it was started and decided, and the dataset version it ran on.
 * Office starts a cycle when the API says it can start or run again. A month that locks money is
 * started only through a confirmation showing what it will pay (GET …/preview, the same step the cycle
 * runs); a month without any workload rows shows "waiting for data" instead of a button, and one where
 * some institutions have no rows names them and starts only once the user acknowledges exactly those.
 * Completed months and quarters can be corrected (DOMAIN.md §7.1): a dataset folder with the corrected
 * rows and a reason, uploaded and recomputed as a job of the API (issue 12); the year's corrections are
 * listed below the board.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson, jobJson, postJson } from '../api/client';
import type {
  BoardCycle,
  BoardOverview,
  CorrectionKind,
  CorrectionRecord,
  MonthPreview,
} from '../api/lifecycle-types';
import type { CycleView, ImportIssue } from '../api/types';
import { DataTable } from '../components/data-table';
import { Async, ErrorAlert, Notice, PageHeader, SelectField, StatusBadge, useLoad } from '../components/ui';
import { datasetBody, isDatasetFile } from '../dataset-files';
import type { MessageKey } from '../i18n';
import { useLifecycleI18n } from '../lifecycle-i18n';
import { formatFen } from '../money';
import { uploadFiles } from '../uploads';
import '../lifecycle.css';
import { BoardAppeals } from './appeals';

/** Integer fen as money: "¥1,234.56", "-¥80.00" (as the console's other pages write a negative amount). */
const yuan = (fen: number) => (fen < 0 ? `-¥${formatFen(-fen)}` : `¥${formatFen(fen)}`);

/** What the board knows of a month's data before it can be started (office only: the preview is theirs). */
type Coverage = { preview: MonthPreview } | { error: unknown };

export function CyclesPage({ groups }: { groups: string[] }) {
  const { t, l } = useLifecycleI18n();
  const [year, setYear] = useState<number>();
  const overview = useLoad(
    () => getJson<BoardOverview>(year === undefined ? '/api/cycles' : `/api/cycles?year=${year}`),
    [year],
  );
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [confirming, setConfirming] = useState<CycleView>();
  const [correcting, setCorrecting] = useState<CycleView>();
  const isOffice = groups.includes('office');
  const coverage = useCoverage(overview.data, isOffice);

  const start = async (cycle: CycleView, allowMissing?: string[]) => {
    setConfirming(undefined);
    setBusy(cycle.period);
    setError(undefined);
    setDone(undefined);
    let message: string | undefined;
    try {
      // Locally the answer comes when the run has gone as far as it can (completed, or awaiting review).
      const answer = await postJson<{ created: boolean; cycle: CycleView }>('/api/cycles', {
        kind: cycle.kind,
        period: cycle.period,
        ...(allowMissing && allowMissing.length > 0 ? { allowMissing } : {}),
      });
      message = t('startedOk', {
        period: cycle.period,
        status: t(`status_${answer.cycle.status}` as MessageKey),
      });
    } catch (e) {
      setError(e);
    }
    // The board first, then the message: what the message says is then already on the board.
    await overview.reload();
    setBusy(undefined);
    if (message) setDone(message);
  };

  // Every month locks money: it starts only from the confirmation. Quarters and the year go to finance.
  const requestStart = (cycle: CycleView) => {
    setError(undefined);
    setDone(undefined);
    if (cycle.kind === 'monthly') setConfirming(cycle);
    else void start(cycle);
  };

  const corrected = async (record: CorrectionRecord) => {
    setCorrecting(undefined);
    await overview.reload();
    setDone(
      l('correctionStarted', {
        period: record.period,
        n: record.revision,
        amount: yuan(record.totals.difference),
        people: record.totals.people,
      }),
    );
  };

  return (
    <section>
      <PageHeader title={t('page_cycles')} intro={t('cyclesIntro')} />
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {done && <Notice tone="success">{done}</Notice>}
      <Async loaded={overview}>
        {(data) => (
          <>
            <YearChoice data={data} onChange={setYear} />
            {data.year === null || data.datasetVersion === null ? (
              <Notice>{t('noDataset')}</Notice>
            ) : (
              <>
                <Board
                  data={data}
                  isOffice={isOffice}
                  coverage={coverage}
                  busy={busy}
                  onStart={requestStart}
                  onCorrect={(c) => {
                    setError(undefined);
                    setDone(undefined);
                    setCorrecting(c);
                  }}
                />
                <Corrections year={data.year} corrections={data.corrections ?? []} />
                <BoardAppeals year={data.year} />
              </>
            )}
            {confirming && (
              <ConfirmStart
                cycle={confirming}
                corrections={data.corrections ?? []}
                onCancel={() => setConfirming(undefined)}
                onConfirm={(allowMissing) => start(confirming, allowMissing)}
              />
            )}
            {correcting && (
              <CorrectionDialog
                cycle={correcting}
                onCancel={() => setCorrecting(undefined)}
                onDone={corrected}
              />
            )}
          </>
        )}
      </Async>
    </section>
  );
}

/** The years that have data (the API's `years`), the shown one among them. */
function YearChoice({ data, onChange }: { data: BoardOverview; onChange: (year: number) => void }) {
  const { l } = useLifecycleI18n();
  const years = [...new Set([...(data.years ?? []), ...(data.year === null ? [] : [data.year])])].sort();
  if (years.length === 0) return null;
  return (
    <div class="toolbar">
      <SelectField
        id="board-year"
        label={l('chooseYear')}
        value={String(data.year ?? years.at(-1))}
        options={years.map((y) => ({ value: String(y), label: String(y) }))}
        onChange={(y) => onChange(Number(y))}
      />
    </div>
  );
}

/**
 * The preview of every month the office could start, to tell "waiting for data" from "ready". Kept
 * across reloads (a month's rows change only with an import, which reloads the page's data anyway).
 */
function useCoverage(data: BoardOverview | undefined, enabled: boolean): Map<string, Coverage> {
  const [coverage, setCoverage] = useState(new Map<string, Coverage>());
  useEffect(() => {
    if (!enabled || !data) return;
    let live = true;
    const months = data.cycles.filter(
      (c) => c.kind === 'monthly' && (c.waitsFor.what === 'start' || c.waitsFor.what === 'restart'),
    );
    // One at a time, in month order: each preview computes its month's pay, and the next month to start
    // is the one that matters first.
    void (async () => {
      for (const month of months) {
        if (!live) return;
        let found: Coverage;
        try {
          found = { preview: await getJson<MonthPreview>(`/api/cycles/monthly/${month.period}/preview`) };
        } catch (error) {
          found = { error };
        }
        if (live) setCoverage((m) => new Map(m).set(month.period, found));
      }
    })();
    return () => {
      live = false;
    };
  }, [data, enabled]);
  return coverage;
}

function Board({
  data,
  isOffice,
  coverage,
  busy,
  onStart,
  onCorrect,
}: {
  data: BoardOverview;
  isOffice: boolean;
  coverage: Map<string, Coverage>;
  busy?: string;
  onStart: (c: CycleView) => void;
  onCorrect: (c: CycleView) => void;
}) {
  const { t, l, when } = useLifecycleI18n();
  const months = data.cycles.filter((c) => c.kind === 'monthly');
  const quarters = data.cycles.filter((c) => c.kind === 'quarterly');
  const annual = data.cycles.find((c) => c.kind === 'annual');
  // The annual lock freezes the year: nothing of it can be corrected any more.
  const yearLocked = annual?.status === 'completed';
  const card = (c: CycleView) => (
    <CycleCard
      key={c.period}
      cycle={c}
      isOffice={isOffice}
      coverage={coverage.get(c.period)}
      corrections={(data.corrections ?? []).filter((r) => r.kind === c.kind && r.period === c.period)}
      mayCorrect={isOffice && !yearLocked}
      busy={busy}
      onStart={onStart}
      onCorrect={onCorrect}
    />
  );
  return (
    <div>
      <p class="meta">
        {t('year')} {data.year} · {t('datasetVersion')} v{data.datasetVersion}
        {data.importedBy ? ` (${l('importedLine', { by: data.importedBy, at: when(data.importedAt) })})` : ''}{' '}
        · {data.communityId}
      </p>
      <div class="board">
        {quarters.map((q, i) => (
          <section class="board-row" key={q.period} aria-labelledby={`row-${q.period}`}>
            <h2 id={`row-${q.period}`} class="board-row-title">
              {t('quarterRow', { n: i + 1 })}
            </h2>
            {months.slice(i * 3, i * 3 + 3).map(card)}
            {card(q)}
          </section>
        ))}
        {annual && (
          <section class="board-row" aria-labelledby="row-annual">
            <h2 id="row-annual" class="board-row-title">
              {t('annualRow')}
            </h2>
            {card(annual)}
          </section>
        )}
      </div>
    </div>
  );
}

function CycleCard({
  cycle,
  isOffice,
  coverage,
  corrections,
  mayCorrect,
  busy,
  onStart,
  onCorrect,
}: {
  cycle: BoardCycle;
  isOffice: boolean;
  coverage?: Coverage;
  corrections: CorrectionRecord[];
  mayCorrect: boolean;
  busy?: string;
  onStart: (c: CycleView) => void;
  onCorrect: (c: CycleView) => void;
}) {
  const { t, l, when } = useLifecycleI18n();
  const id = `cycle-${cycle.period}`;
  const canStart = cycle.waitsFor.what === 'start' || cycle.waitsFor.what === 'restart';
  const preview = coverage && 'preview' in coverage ? coverage.preview : undefined;
  // No workload rows at all: nothing to start yet (the API would refuse it too).
  const waitingForData = cycle.kind === 'monthly' && canStart && preview?.withRows.length === 0;
  const scheduler = cycle.waitingForData;
  // A month's button appears once its data is known (a failed preview leaves the decision to the API).
  const known = cycle.kind !== 'monthly' || !canStart || coverage !== undefined;
  const showButton =
    isOffice && !waitingForData && known && (canStart || cycle.waitsFor.what === 'prerequisites');
  const correctable =
    mayCorrect &&
    cycle.status === 'completed' &&
    (cycle.kind === 'monthly' || cycle.kind === 'quarterly') &&
    !corrections.some((c) => c.status === 'awaiting_review');
  const running = busy === cycle.period;
  const verb = cycle.waitsFor.what === 'restart' ? t('restart') : t('start');
  return (
    <article
      class={`cycle-card status-${cycle.status}`}
      aria-labelledby={`${id}-title`}
      data-period={cycle.period}
    >
      <h3 id={`${id}-title`}>
        {cycle.period} <span class="kind">{t(`kind_${cycle.kind}` as MessageKey)}</span>
      </h3>
      <StatusBadge status={cycle.status} />
      {waitingForData ? (
        <p class="waits waiting-data" id={`${id}-waits`}>
          <strong>{l('waitingForData')}</strong>
          <br />
          <span class="hint">{l('waitingForDataHint', { period: cycle.period })}</span>
        </p>
      ) : (
        // "completed" says nothing the badge does not; every other state says what it waits for.
        cycle.waitsFor.what !== 'nothing' && (
          <p class="waits" id={`${id}-waits`}>
            {cycle.waitsFor.message}
          </p>
        )
      )}
      {scheduler && (
        // The schedule's own record (every role sees it): it never locks an incomplete month, it waits.
        <p class="meta scheduler-waiting" data-field="scheduler-waiting">
          {!waitingForData && (
            <>
              <strong>{l('waitingForData')}</strong>{' '}
            </>
          )}
          {l('schedulerWaiting', {
            since: when(scheduler.since),
            attempts: scheduler.attempts,
            last: when(scheduler.lastTriedAt),
          })}
          <br />
          <span class="api-message">{scheduler.message}</span>
        </p>
      )}
      {preview && !waitingForData && preview.missing.length > 0 && (
        <p class="meta missing-rows">{l('missingHint', { n: preview.missing.length })}</p>
      )}
      {cycle.acknowledgedMissing && cycle.acknowledgedMissing.length > 0 && (
        <p class="meta" data-field="acknowledged">
          {l('acknowledgedMissing', { ids: cycle.acknowledgedMissing.join(', ') })}
        </p>
      )}
      {cycle.revision !== undefined && (
        <p class="meta">
          {t('revision', { n: cycle.revision })}
          {cycle.datasetVersion !== undefined ? ` · ${l('datasetV', { n: cycle.datasetVersion })}` : ''}
        </p>
      )}
      {cycle.startedBy && (
        <p class="meta" data-field="started">
          {l('startedLine', { by: cycle.startedBy, at: when(cycle.startedAt) })}
        </p>
      )}
      {cycle.updatedAt && cycle.updatedAt !== cycle.startedAt && (
        <p class="meta" data-field="updated">
          {l('updatedLine', { at: when(cycle.updatedAt) })}
        </p>
      )}
      {cycle.decision && (
        <p class="meta" data-field="decided">
          {l('decidedLine', {
            verdict: l(cycle.decision.approved ? 'verdict_approved' : 'verdict_rejected'),
            by: cycle.decision.by,
            at: when(cycle.decision.at),
          })}
          {cycle.decision.reason ? ` · ${t('reason')}：${cycle.decision.reason}` : ''}
        </p>
      )}
      {corrections.length > 0 && (
        <ul class="card-corrections" aria-label={l('correctionsOfPeriod')}>
          {corrections.map((c) => (
            <li key={c.revision}>
              {l('correctionName', { period: c.period, n: c.revision })} <StatusBadge status={c.status} />
            </li>
          ))}
        </ul>
      )}
      {showButton && (
        <button
          type="button"
          class={canStart ? 'primary' : ''}
          disabled={!canStart || busy !== undefined}
          aria-busy={running}
          aria-describedby={cycle.waitsFor.what !== 'nothing' ? `${id}-waits` : undefined}
          aria-label={`${verb} ${cycle.period}`}
          onClick={() => onStart(cycle)}
        >
          {running ? t('starting') : verb}
        </button>
      )}
      {correctable && (
        <button
          type="button"
          disabled={busy !== undefined}
          aria-label={`${l('correct')} ${cycle.period}`}
          onClick={() => onCorrect(cycle)}
        >
          {l('correct')}
        </button>
      )}
    </article>
  );
}

/** A modal dialog (the browser's own: focus is kept inside, Esc cancels, focus returns on close). */
function Modal({
  titleId,
  onCancel,
  children,
}: {
  titleId: string;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="modal"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      {children}
    </dialog>
  );
}

/**
 * Before a month is started: the month, who is on its payroll and what it pays (fen from the preview,
 * shown as ¥ with 2 decimals), the approved corrections it will also pay, and the institutions without
 * rows — which must be acknowledged, and then exactly those are sent as allowMissing.
 */
function ConfirmStart({
  cycle,
  corrections,
  onCancel,
  onConfirm,
}: {
  cycle: CycleView;
  corrections: CorrectionRecord[];
  onCancel: () => void;
  onConfirm: (allowMissing: string[]) => void;
}) {
  const { t, l } = useLifecycleI18n();
  const { period } = cycle;
  const preview = useLoad(() => getJson<MonthPreview>(`/api/cycles/monthly/${period}/preview`), [period]);
  const [acknowledged, setAcknowledged] = useState(false);
  const p = preview.data;
  const missing = p?.missing ?? [];
  const empty = p !== undefined && p.withRows.length === 0;
  const ready = p !== undefined && !empty && (missing.length === 0 || acknowledged);
  const posted = corrections.filter((c) => c.status === 'completed' && c.postedTo === period);
  return (
    <Modal titleId="confirm-start-title" onCancel={onCancel}>
      <h2 id="confirm-start-title">{l('confirmTitle', { period })}</h2>
      <p class="intro">{l('confirmIntro', { period })}</p>
      <Async loaded={preview}>
        {(data) => (
          <div>
            {empty && (
              <Notice tone="warning">
                <strong>{l('waitingForData')}</strong>：{l('waitingForDataHint', { period })}
              </Notice>
            )}
            <table class="data kv">
              <tbody>
                <tr>
                  <th scope="row">{l('confirmMonth')}</th>
                  <td data-testid="confirm-month">{data.period}</td>
                </tr>
                <tr>
                  <th scope="row">{l('headcount')}</th>
                  <td class="num" data-testid="confirm-headcount">
                    {data.headcount}
                  </td>
                </tr>
                <tr>
                  <th scope="row">{l('peopleOnSheet')}</th>
                  <td class="num" data-testid="confirm-people">
                    {data.totals.people}
                  </td>
                </tr>
                <tr>
                  <th scope="row">{t('basic')}</th>
                  <td class="num">{yuan(data.totals.basic)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('reward')}</th>
                  <td class="num">{yuan(data.totals.reward)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('adjustment')}</th>
                  <td class="num" data-testid="confirm-adjustment">
                    {yuan(data.totals.adjustment)}
                  </td>
                </tr>
                <tr>
                  <th scope="row">{l('totalGross')}</th>
                  <td class="num" data-testid="confirm-total">
                    <strong>{yuan(data.totals.gross)}</strong>
                  </td>
                </tr>
                <tr>
                  <th scope="row">{t('datasetVersion')}</th>
                  <td>v{data.datasetVersion}</td>
                </tr>
              </tbody>
            </table>
            {posted.length > 0 && (
              <div class="posted-corrections" data-testid="confirm-corrections">
                <p>{l('postedHere')}</p>
                <ul>
                  {posted.map((c) => (
                    <li key={`${c.kind}/${c.period}/${c.revision}`}>
                      {l('correctionName', { period: c.period, n: c.revision })}：
                      {l('differenceOf', { amount: yuan(c.totals.difference), people: c.totals.people })}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {missing.length > 0 && !empty && (
              <div class="alert alert-warning" data-testid="confirm-missing">
                <p>{l('missingTitle', { n: missing.length })}</p>
                <DataTable
                  tableClass="data compact"
                  scroll={false}
                  columns={[
                    { header: t('institution'), rowHeader: true, cell: (m) => m.id },
                    { header: t('name'), cell: (m) => m.name },
                    { header: l('staffCount'), num: true, cell: (m) => m.staff },
                  ]}
                  rows={missing}
                  rowKey={(m) => m.id}
                />
                <label class="acknowledge">
                  <input
                    type="checkbox"
                    checked={acknowledged}
                    onChange={(e) => setAcknowledged(e.currentTarget.checked)}
                  />{' '}
                  {l('acknowledge')}
                </label>
              </div>
            )}
          </div>
        )}
      </Async>
      <div class="actions">
        <button
          type="button"
          class="primary"
          disabled={!ready}
          title={p && missing.length > 0 && !acknowledged ? l('acknowledgeFirst') : undefined}
          onClick={() => onConfirm(missing.map((m) => m.id))}
        >
          {l('confirmStart', { period })}
        </button>
        <button type="button" onClick={onCancel}>
          {l('cancel')}
        </button>
      </div>
    </Modal>
  );
}

function isIssue(value: unknown): value is ImportIssue {
  return typeof value === 'object' && value !== null && 'file' in value && 'zh' in value && 'en' in value;
}

/** The office corrects a completed month or quarter: a dataset folder with the corrected rows, a reason. */
function CorrectionDialog({
  cycle,
  onCancel,
  onDone,
}: {
  cycle: CycleView;
  onCancel: () => void;
  onDone: (record: CorrectionRecord) => void;
}) {
  const { t, l, lang } = useLifecycleI18n();
  const [files, setFiles] = useState<File[]>([]);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [stage, setStage] = useState<'uploading' | 'recomputing'>('uploading');
  const [error, setError] = useState<unknown>();
  const [issues, setIssues] = useState<ImportIssue[]>();

  const submit = async (event: Event) => {
    event.preventDefault();
    if (files.length === 0) {
      setError(new Error(t('noFiles')));
      return;
    }
    setBusy(true);
    setError(undefined);
    setIssues(undefined);
    try {
      // The files go to the upload store (no dataset through the API); a server without one takes a small
      // fix in the body. The recompute is a job (issue 12): followed until it records the correction.
      setStage('uploading');
      const upload = await uploadFiles(files);
      setStage('recomputing');
      const record = await jobJson<CorrectionRecord>('/api/corrections', {
        kind: cycle.kind as CorrectionKind,
        period: cycle.period,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(upload ? { upload } : { files: await datasetBody(files) }),
      });
      onDone(record);
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.issues.length > 0 && e.issues.every(isIssue))
        setIssues(e.issues as ImportIssue[]);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal titleId="correction-title" onCancel={() => !busy && onCancel()}>
      <h2 id="correction-title">
        {l('correctionTitle', { period: cycle.period, kind: t(`kind_${cycle.kind}` as MessageKey) })}
      </h2>
      <p class="intro">{l('correctionIntro')}</p>
      <form class="form" onSubmit={submit}>
        <div class="field">
          <label for="correction-folder">{t('folder')}</label>
          <input
            id="correction-folder"
            type="file"
            multiple
            {...{ webkitdirectory: true }}
            onChange={(e) => {
              setFiles([...(e.currentTarget.files ?? [])].filter(isDatasetFile));
              setError(undefined);
              setIssues(undefined);
            }}
          />
          {files.length > 0 && (
            <p class="hint">
              {t('chosenFiles')}：{files.map((f) => f.name).join(lang === 'zh' ? '、' : ', ')}
            </p>
          )}
        </div>
        <div class="field">
          <label for="correction-reason">{l('correctionReason')}</label>
          <textarea
            id="correction-reason"
            rows={2}
            maxLength={1000}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </div>
        {issues ? (
          <div class="alert alert-error" role="alert">
            <p>
              <strong>{l('correctionIssues', { n: issues.length })}</strong>
            </p>
            <p class="api-message">{error instanceof Error ? error.message : ''}</p>
            <ul>
              {issues.slice(0, 20).map((issue, i) => (
                // Issues have no id; their order is the server's and fixed for one answer.
                <li key={i}>
                  {issue.file}
                  {issue.row !== undefined ? ` ${t('row')} ${issue.row}` : ''}
                  {issue.column ? ` ${issue.column}` : ''}
                  {issue.value ? ` “${issue.value}”` : ''}：{lang === 'zh' ? issue.zh : issue.en}
                </li>
              ))}
            </ul>
          </div>
        ) : (
          <ErrorAlert error={error} />
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
            {busy ? l(stage) : l('submitCorrection')}
          </button>
          <button type="button" disabled={busy} onClick={onCancel}>
            {l('cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The year's corrections: what each changed, its review, and the month that pays it. */
function Corrections({ year, corrections }: { year: number; corrections: CorrectionRecord[] }) {
  const { t, l, when } = useLifecycleI18n();
  return (
    <section class="corrections" aria-labelledby="corrections-title">
      <h2 id="corrections-title">{l('correctionsTitle', { year })}</h2>
      {corrections.length === 0 ? (
        <p class="hint">{l('noCorrections')}</p>
      ) : (
        <DataTable
          id="corrections-table"
          columns={[
            {
              header: t('period'),
              rowHeader: true,
              cell: (c) => `${c.period} ${t(`kind_${c.kind}` as MessageKey)}`,
            },
            { header: l('revisionCol'), cell: (c) => `r${c.revision}` },
            { header: t('status'), cell: (c) => <StatusBadge status={c.status} /> },
            {
              header: l('started'),
              cell: (c) => l('startedLine', { by: c.startedBy, at: when(c.startedAt) }),
            },
            { header: t('reason'), cell: (c) => c.reason ?? '' },
            { header: l('oldTotal'), num: true, cell: (c) => formatFen(c.totals.old) },
            { header: l('newTotal'), num: true, cell: (c) => formatFen(c.totals.new) },
            {
              header: l('difference'),
              num: true,
              cellClass: (c) => `num${c.totals.difference < 0 ? ' negative' : ''}`,
              cell: (c) => <span data-field="difference">{formatFen(c.totals.difference)}</span>,
            },
            { header: l('people'), num: true, cell: (c) => c.totals.people },
            { header: l('postedTo'), cell: (c) => <span data-field="posted-to">{c.postedTo ?? '—'}</span> },
            {
              header: l('decision'),
              cell: (c) =>
                c.decision
                  ? `${l('decidedLine', {
                      verdict: l(c.decision.approved ? 'verdict_approved' : 'verdict_rejected'),
                      by: c.decision.by,
                      at: when(c.decision.at),
                    })}${c.decision.reason ? ` · ${c.decision.reason}` : ''}`
                  : '',
            },
          ]}
          rows={corrections}
          rowKey={(c) => `${c.kind}/${c.period}/${c.revision}`}
        />
      )}
    </section>
  );
}
