/**
 * What the report pages (bulletins, dispatch) share: the page of completed cycles, choosing a report with its printable version,
 * loading a report document, its warnings, and indicator names in the console's language.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson, openPrintable } from '../api/client';
import type { CycleKind, CycleView, IndicatorInfo, ReportAnswer, YearOverview } from '../api/types';
import { type Lang, useI18n } from '../i18n';
import { Async, ErrorAlert, Notice, PageHeader, SelectField, useLoad } from './ui';

/** A report page: its heading, then the completed cycles of `kinds` (or `none` when there are none yet). */
export function ReportPage({
  title,
  intro,
  none,
  kinds,
  children,
}: {
  title: string;
  intro: string;
  none: string;
  kinds: CycleKind[];
  children: (cycles: CycleView[]) => ComponentChildren;
}) {
  const completed = useLoad(
    async () =>
      (await getJson<YearOverview>('/api/cycles')).cycles.filter(
        (c) => kinds.includes(c.kind) && c.status === 'completed',
      ),
    [],
  );
  return (
    <section>
      <PageHeader title={title} intro={intro} />
      <Async loaded={completed}>
        {(cycles) => (cycles.length === 0 ? <Notice>{none}</Notice> : children(cycles))}
      </Async>
    </section>
  );
}

/**
 * A choice of report (the last one first) with a button for its printable page, and the chosen report
 * below; a choice that disappears from `options` falls back to the last.
 */
export function ReportChooser({
  id,
  label,
  options,
  printable,
  children,
}: {
  id: string;
  label: string;
  options: { value: string; label: ComponentChildren }[];
  /** The printable page's API path of a choice. */
  printable: (value: string) => string;
  children: (value: string) => ComponentChildren;
}) {
  const { t } = useI18n();
  const last = options.at(-1)!.value;
  const [chosen, setChosen] = useState(last);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!options.some((o) => o.value === chosen)) setChosen(last);
  }, [options, chosen, last]);
  return (
    <div>
      <div class="toolbar">
        <SelectField id={id} label={label} value={chosen} options={options} onChange={setChosen} />
        <button type="button" onClick={() => openPrintable(printable(chosen)).catch(setError)}>
          {t('printable')}
        </button>
      </div>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {children(chosen)}
    </div>
  );
}

/** A completed cycle's report document. */
export const useReport = <R,>(kind: CycleKind, period: string) =>
  useLoad(() => getJson<ReportAnswer<R>>(`/api/reports/${kind}/${period}`), [kind, period]);

/** The report's warnings, if any. */
export function Warnings({
  warnings,
  listClass,
}: {
  warnings: { code: string; institutionId: string | null; message: string }[];
  listClass?: string;
}) {
  const { t } = useI18n();
  if (warnings.length === 0) return null;
  return (
    <Notice tone="warning">
      <strong>{t('warnings')}</strong>
      <ul class={listClass}>
        {warnings.map((w) => (
          <li key={`${w.code}/${w.institutionId}`}>{w.message}</li>
        ))}
      </ul>
    </Notice>
  );
}

/** An indicator's name in the console's language (its id when the report does not name it). */
export function indicatorNamer(indicators: IndicatorInfo[], lang: Lang): (id: string) => string {
  const byId = new Map(indicators.map((i) => [i.indicatorId, i]));
  return (id) => {
    const info = byId.get(id);
    return info ? (lang === 'zh' ? info.name : info.nameEn) : id;
  };
}
