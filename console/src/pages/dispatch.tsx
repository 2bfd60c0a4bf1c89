/**
 * The monthly dispatch report (调度表): per institution what was paid, what is held back, which
 * submissions are missing (highlighted) and the year-to-date status of every indicator.
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson, openPrintable } from '../api/client';
import type { MonthlyDispatchReport, ReportAnswer, YearOverview } from '../api/types';
import { Async, ErrorAlert, Notice, PageHeader, useLoad } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n';
import { formatFen } from '../money';

export function DispatchPage() {
  const { t } = useI18n();
  const months = useLoad(
    async () =>
      (await getJson<YearOverview>('/api/cycles')).cycles
        .filter((c) => c.kind === 'monthly' && c.status === 'completed')
        .map((c) => c.period),
    [],
  );
  return (
    <section>
      <PageHeader title={t('page_dispatch')} intro={t('dispatchIntro')} />
      <Async loaded={months}>
        {(list) => (list.length === 0 ? <Notice>{t('noMonths')}</Notice> : <MonthChooser months={list} />)}
      </Async>
    </section>
  );
}

function MonthChooser({ months }: { months: string[] }) {
  const { t } = useI18n();
  const [month, setMonth] = useState(months.at(-1)!);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!months.includes(month)) setMonth(months.at(-1)!);
  }, [months, month]);
  return (
    <div>
      <div class="toolbar">
        <div class="field inline">
          <label for="dispatch-month">{t('chooseMonth')}</label>
          <select id="dispatch-month" value={month} onChange={(e) => setMonth(e.currentTarget.value)}>
            {months.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          onClick={() => openPrintable(`/api/reports/monthly/${month}?format=html`).catch(setError)}
        >
          {t('printable')}
        </button>
      </div>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      <Report period={month} />
    </div>
  );
}

function Report({ period }: { period: string }) {
  const { t, lang } = useI18n();
  const loaded = useLoad(
    () => getJson<ReportAnswer<MonthlyDispatchReport>>(`/api/reports/monthly/${period}`),
    [period],
  );
  return (
    <Async loaded={loaded}>
      {(answer) => {
        const r = answer.report;
        const indicators = new Map(r.indicators.map((i) => [i.indicatorId, i]));
        const indicatorName = (id: string) => {
          const info = indicators.get(id);
          return info ? (lang === 'zh' ? info.name : info.nameEn) : id;
        };
        const staffName = new Map(r.staff.map((s) => [s.staffId, s.name]));
        const indicatorIds = r.indicators.map((i) => i.indicatorId);
        return (
          <div>
            <p class="meta">
              {r.community.name} · {r.period} · {t('revision', { n: r.revision })} · {t('datasetVersion')} v
              {r.datasetVersion}
            </p>
            {r.warnings.length > 0 && (
              <Notice tone="warning">
                <strong>{t('warnings')}</strong>
                <ul class="warnings">
                  {r.warnings.map((w) => (
                    <li key={`${w.code}/${w.institutionId}`}>{w.message}</li>
                  ))}
                </ul>
              </Notice>
            )}
            <div class="table-scroll">
              <table class="data">
                <caption>
                  {t('page_dispatch')} {r.period}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('institution')}</th>
                    <th scope="col" class="num">
                      {t('headcount')}
                    </th>
                    <th scope="col" class="num">
                      {t('basic')}
                    </th>
                    <th scope="col" class="num">
                      {t('reward')}
                    </th>
                    <th scope="col" class="num">
                      {t('adjustment')}
                    </th>
                    <th scope="col" class="num">
                      {t('gross')}
                    </th>
                    <th scope="col" class="num">
                      {t('holdback')}
                    </th>
                    <th scope="col" class="num">
                      {t('ytdScore')}
                    </th>
                    <th scope="col">{t('missingSubmissions')}</th>
                    <th scope="col">{t('staffWithoutWorkload')}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.institutions.map((i) => {
                    const missing = i.dispatch.missingSubmissions;
                    const absent = i.dispatch.staffWithoutWorkload;
                    return (
                      <tr
                        key={i.institutionId}
                        class={missing.length + absent.length > 0 ? 'missing' : undefined}
                      >
                        <th scope="row">
                          {i.name} <span class="id">{i.institutionId}</span>
                        </th>
                        <td class="num">{i.headcount}</td>
                        <td class="num">{formatFen(i.paid.basic)}</td>
                        <td class="num">{formatFen(i.paid.reward)}</td>
                        <td class="num">{formatFen(i.paid.adjustment)}</td>
                        <td class="num">{formatFen(i.paid.gross)}</td>
                        <td class="num">{formatFen(i.holdback)}</td>
                        <td class="num">{i.dispatch.yearToDate.score}</td>
                        <td class={missing.length > 0 ? 'flag' : 'ok'}>
                          {missing.length > 0 ? (
                            <>
                              <strong>⚠ {t('missingCount', { n: missing.length })}</strong>：
                              {missing.map(indicatorName).join('、')}
                            </>
                          ) : (
                            t('allSubmitted')
                          )}
                        </td>
                        <td class={absent.length > 0 ? 'flag' : 'ok'}>
                          {absent.length > 0 ? (
                            <strong>
                              ⚠ {absent.map((id) => `${staffName.get(id) ?? ''} ${id}`.trim()).join('、')}
                            </strong>
                          ) : (
                            t('none')
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t('total')}</th>
                    <td class="num">{r.totals.lines}</td>
                    <td class="num">{formatFen(r.totals.basic)}</td>
                    <td class="num">{formatFen(r.totals.reward)}</td>
                    <td class="num">{formatFen(r.totals.adjustment)}</td>
                    <td class="num">{formatFen(r.totals.gross)}</td>
                    <td class="num">{formatFen(r.totals.holdback)}</td>
                    <td colSpan={3} />
                  </tr>
                </tfoot>
              </table>
            </div>

            <div class="table-scroll">
              <table class="data matrix">
                <caption>{t('indicators')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('institution')}</th>
                    {indicatorIds.map((id) => (
                      <th scope="col" key={id} title={id}>
                        {indicatorName(id)}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {r.institutions.map((i) => (
                    <tr key={i.institutionId}>
                      <th scope="row">{i.name}</th>
                      {indicatorIds.map((id) => {
                        const x = i.yearToDate.find((y) => y.indicatorId === id);
                        if (!x) return <td key={id} class="na" />;
                        return (
                          <td key={id} class={`st st-${x.status}`}>
                            <span class="st-score">{x.score}</span>{' '}
                            <span class="st-label">{t(`st_${x.status}` as MessageKey)}</span>
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      }}
    </Async>
  );
}
