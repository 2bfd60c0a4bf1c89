/**
 * The year's cycle board: 12 months, 4 quarters and the year, each with its status and what it waits
 * for (the API's own words). Office starts a cycle; the button is enabled only when the API says the
 * cycle can start (its prerequisites are complete) or can run again (after a rejection or failure).
 */
import { useState } from 'preact/hooks';
import { getJson, postJson } from '../api/client';
import type { CycleView, Group, YearOverview } from '../api/types';
import { Async, ErrorAlert, Notice, PageHeader, StatusBadge, useLoad } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n';

export function CyclesPage({ groups }: { groups: Group[] }) {
  const { t } = useI18n();
  const overview = useLoad(() => getJson<YearOverview>('/api/cycles'), []);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const mayStart = groups.includes('office');

  const start = async (cycle: CycleView) => {
    setBusy(cycle.period);
    setError(undefined);
    setDone(undefined);
    let message: string | undefined;
    try {
      // Locally the answer comes when the run has gone as far as it can (completed, or awaiting review).
      const answer = await postJson<{ created: boolean; cycle: CycleView }>('/api/cycles', {
        kind: cycle.kind,
        period: cycle.period,
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

  return (
    <section>
      <PageHeader title={t('page_cycles')} intro={t('cyclesIntro')} />
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {done && <Notice tone="success">{done}</Notice>}
      <Async loaded={overview}>
        {(data) =>
          data.year === null ? (
            <Notice>{t('noDataset')}</Notice>
          ) : (
            <Board data={data} mayStart={mayStart} busy={busy} onStart={start} />
          )
        }
      </Async>
    </section>
  );
}

function Board({
  data,
  mayStart,
  busy,
  onStart,
}: {
  data: YearOverview;
  mayStart: boolean;
  busy?: string;
  onStart: (c: CycleView) => void;
}) {
  const { t } = useI18n();
  const months = data.cycles.filter((c) => c.kind === 'monthly');
  const quarters = data.cycles.filter((c) => c.kind === 'quarterly');
  const annual = data.cycles.find((c) => c.kind === 'annual');
  return (
    <div>
      <p class="meta">
        {t('year')} {data.year} · {t('datasetVersion')} v{data.datasetVersion} · {data.communityId}
      </p>
      <div class="board">
        {quarters.map((q, i) => (
          <section class="board-row" key={q.period} aria-labelledby={`row-${q.period}`}>
            <h2 id={`row-${q.period}`} class="board-row-title">
              {t('quarterRow', { n: i + 1 })}
            </h2>
            {months.slice(i * 3, i * 3 + 3).map((m) => (
              <CycleCard key={m.period} cycle={m} mayStart={mayStart} busy={busy} onStart={onStart} />
            ))}
            <CycleCard cycle={q} mayStart={mayStart} busy={busy} onStart={onStart} />
          </section>
        ))}
        {annual && (
          <section class="board-row" aria-labelledby="row-annual">
            <h2 id="row-annual" class="board-row-title">
              {t('annualRow')}
            </h2>
            <CycleCard cycle={annual} mayStart={mayStart} busy={busy} onStart={onStart} />
          </section>
        )}
      </div>
    </div>
  );
}

function CycleCard({
  cycle,
  mayStart,
  busy,
  onStart,
}: {
  cycle: CycleView;
  mayStart: boolean;
  busy?: string;
  onStart: (c: CycleView) => void;
}) {
  const { t } = useI18n();
  const id = `cycle-${cycle.period}`;
  const canStart = cycle.waitsFor.what === 'start' || cycle.waitsFor.what === 'restart';
  const showButton = mayStart && (canStart || cycle.waitsFor.what === 'prerequisites');
  const running = busy === cycle.period;
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
      {/* "completed" says nothing the badge does not; every other state says what it waits for. */}
      {cycle.waitsFor.what !== 'nothing' && (
        <p class="waits" id={`${id}-waits`}>
          {cycle.waitsFor.message}
        </p>
      )}
      {cycle.revision !== undefined && (
        <p class="meta">
          {t('revision', { n: cycle.revision })} · {t('startedBy')} {cycle.startedBy}
        </p>
      )}
      {cycle.decision && (
        <p class="meta">
          {t('decidedBy')} {cycle.decision.by}
          {cycle.decision.reason ? ` · ${t('reason')}：${cycle.decision.reason}` : ''}
        </p>
      )}
      {showButton && (
        <button
          type="button"
          class={canStart ? 'primary' : ''}
          disabled={!canStart || busy !== undefined}
          aria-busy={running}
          aria-describedby={cycle.waitsFor.what !== 'nothing' ? `${id}-waits` : undefined}
          aria-label={`${cycle.waitsFor.what === 'restart' ? t('restart') : t('start')} ${cycle.period}`}
          onClick={() => onStart(cycle)}
        >
          {running ? t('starting') : cycle.waitsFor.what === 'restart' ? t('restart') : t('start')}
        </button>
      )}
    </article>
  );
}
