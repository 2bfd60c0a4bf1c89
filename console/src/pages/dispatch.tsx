/**
 * The monthly dispatch report (调度表): per institution what was paid, what is held back, which
 * submissions are missing (highlighted) and the year-to-date status of every indicator.
 */
import type { MonthlyDispatchReport } from '../api/types';
import { type Column, DataTable } from '../components/data-table';
import { indicatorNamer, ReportChooser, ReportPage, useReport, Warnings } from '../components/report';
import { institutionColumn, moneyColumn } from '../components/settlement-table';
import { Async } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n';
import { formatMoney } from '../money';
import { explainLink } from './explain';

export function DispatchPage() {
  const { t } = useI18n();
  return (
    <ReportPage
      title={t('page_dispatch')}
      intro={t('dispatchIntro')}
      none={t('noMonths')}
      kinds={['monthly']}
    >
      {(cycles) => (
        <ReportChooser
          id="dispatch-month"
          label={t('chooseMonth')}
          options={cycles.map((c) => ({ value: c.period, label: c.period }))}
          printable={(month) => `/api/reports/monthly/${month}?format=html`}
        >
          {(month) => <Report period={month} />}
        </ReportChooser>
      )}
    </ReportPage>
  );
}

type Institution = MonthlyDispatchReport['institutions'][number];

function Report({ period }: { period: string }) {
  const { t, lang } = useI18n();
  const loaded = useReport<MonthlyDispatchReport>('monthly', period);
  return (
    <Async loaded={loaded}>
      {(answer) => {
        const r = answer.report;
        const indicatorName = indicatorNamer(r.indicators, lang);
        const staffName = new Map(r.staff.map((s) => [s.staffId, s.name]));
        const flagged = (ids: string[]) => (ids.length > 0 ? 'flag' : 'ok');
        const paid = (key: keyof Institution['paid']) => ({
          ...moneyColumn(t, key, formatMoney, { totals: r.totals }),
          cell: (i: Institution) => formatMoney(i.paid[key]),
        });
        const columns: Column<Institution>[] = [
          // A click on an institution: how its month's pool was derived and split.
          institutionColumn(t, (id) => explainLink(period, { institution: id })),
          { header: t('headcount'), num: true, cell: (i) => i.headcount, total: r.totals.lines },
          paid('basic'),
          paid('reward'),
          paid('adjustment'),
          paid('gross'),
          moneyColumn(t, 'holdback', formatMoney, { totals: r.totals }),
          { header: t('ytdScore'), num: true, cell: (i) => i.dispatch.yearToDate.score },
          {
            header: t('missingSubmissions'),
            cellClass: (i) => flagged(i.dispatch.missingSubmissions),
            cell: ({ dispatch: { missingSubmissions: missing } }) =>
              missing.length > 0 ? (
                <>
                  <strong>⚠ {t('missingCount', { n: missing.length })}</strong>：
                  {missing.map(indicatorName).join('、')}
                </>
              ) : (
                t('allSubmitted')
              ),
          },
          {
            header: t('staffWithoutWorkload'),
            cellClass: (i) => flagged(i.dispatch.staffWithoutWorkload),
            cell: ({ dispatch: { staffWithoutWorkload: absent } }) =>
              absent.length > 0 ? (
                <strong>⚠ {absent.map((id) => `${staffName.get(id) ?? ''} ${id}`.trim()).join('、')}</strong>
              ) : (
                t('none')
              ),
          },
        ];
        const matrix: Column<Institution>[] = [
          { header: t('institution'), rowHeader: true, cell: (i) => i.name },
          ...r.indicators.map(({ indicatorId: id }): Column<Institution> => {
            const line = (i: Institution) => i.yearToDate.find((y) => y.indicatorId === id);
            return {
              key: id,
              header: indicatorName(id),
              title: id,
              cellClass: (i) => {
                const x = line(i);
                return x ? `st st-${x.status}` : 'na';
              },
              cell: (i) => {
                const x = line(i);
                return (
                  x && (
                    <>
                      <span class="st-score">{x.score}</span>{' '}
                      <span class="st-label">{t(`st_${x.status}` as MessageKey)}</span>
                    </>
                  )
                );
              },
            };
          }),
        ];
        return (
          <div>
            <p class="meta">
              {r.community.name} · {r.period} · {t('revision', { n: r.revision })} · {t('datasetVersion')} v
              {r.datasetVersion}
            </p>
            <Warnings warnings={r.warnings} listClass="warnings" />
            <DataTable
              caption={
                <>
                  {t('page_dispatch')} {r.period}
                </>
              }
              columns={columns}
              rows={r.institutions}
              rowKey={(i) => i.institutionId}
              rowClass={(i) =>
                i.dispatch.missingSubmissions.length + i.dispatch.staffWithoutWorkload.length > 0
                  ? 'missing'
                  : undefined
              }
            />
            <DataTable
              caption={t('indicators')}
              tableClass="data matrix"
              columns={matrix}
              rows={r.institutions}
              rowKey={(i) => i.institutionId}
            />
          </div>
        );
      }}
    </Async>
  );
}
