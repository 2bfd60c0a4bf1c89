/**
 * Bulletins (通报) of completed cycles: each quarter's ranking within peer groups with the change against
 * the previous quarter, the red list and the surplus pools, a bar chart of scores and the trend by
 * quarter; and the annual appraisal. Amounts in the report documents are integer fen.
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson, openPrintable } from '../api/client';
import type {
  AnnualAppraisalReport,
  CycleView,
  QuarterlyBulletinReport,
  ReportAnswer,
  Trend,
  YearOverview,
} from '../api/types';
import { BarChart, LineChart } from '../components/charts';
import { Async, ErrorAlert, Notice, PageHeader, useLoad } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n';
import { formatFen } from '../money';

export function BulletinsPage() {
  const { t } = useI18n();
  const available = useLoad(
    async () =>
      (await getJson<YearOverview>('/api/cycles')).cycles.filter(
        (c) => c.kind !== 'monthly' && c.status === 'completed',
      ),
    [],
  );
  return (
    <section>
      <PageHeader title={t('page_bulletins')} intro={t('bulletinsIntro')} />
      <Async loaded={available}>
        {(cycles) => (cycles.length === 0 ? <Notice>{t('noReports')}</Notice> : <Chooser cycles={cycles} />)}
      </Async>
    </section>
  );
}

const keyOf = (c: CycleView) => `${c.kind}/${c.period}`;

function Chooser({ cycles }: { cycles: CycleView[] }) {
  const { t } = useI18n();
  const last = keyOf(cycles.at(-1)!);
  const [chosen, setChosen] = useState(last);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    if (!cycles.some((c) => keyOf(c) === chosen)) setChosen(last);
  }, [cycles, chosen, last]);
  const [kind, period] = chosen.split('/') as ['quarterly' | 'annual', string];
  const printable = () => openPrintable(`/api/reports/${kind}/${period}?format=html`).catch(setError);
  return (
    <div>
      <div class="toolbar">
        <div class="field inline">
          <label for="bulletin-choice">{t('chooseReport')}</label>
          <select id="bulletin-choice" value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
            {cycles.map((c) => (
              <option key={keyOf(c)} value={keyOf(c)}>
                {c.period} {t(`kind_${c.kind}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" onClick={printable}>
          {t('printable')}
        </button>
      </div>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {kind === 'quarterly' ? (
        <Quarter key={period} period={period} />
      ) : (
        <Annual key={period} period={period} />
      )}
    </div>
  );
}

function changeText(change: string | null): string {
  if (change === null) return '—';
  return change.startsWith('-') ? change : `+${change}`;
}

function TrendChart({ trend }: { trend: Trend }) {
  const { t } = useI18n();
  if (trend.periods.length === 0) return null;
  return (
    <LineChart
      title={t('trendChart')}
      categories={trend.periods}
      series={trend.series.map((s) => ({
        name: s.name,
        values: s.scores.map((v) => (v === null ? null : Number(v))),
      }))}
    />
  );
}

function Source({ source }: { source: QuarterlyBulletinReport['source'] }) {
  const { t } = useI18n();
  return (
    <p class="meta">
      {source.period} · {t('revision', { n: source.revision })} · {t('datasetVersion')} v
      {source.datasetVersion} · {t('startedBy')} {source.startedBy}
      {source.approvedBy ? ` · ${t('approvedBy')} ${source.approvedBy}` : ''}
    </p>
  );
}

function Quarter({ period }: { period: string }) {
  const { t, lang } = useI18n();
  const loaded = useLoad(
    () => getJson<ReportAnswer<QuarterlyBulletinReport>>(`/api/reports/quarterly/${period}`),
    [period],
  );
  return (
    <Async loaded={loaded}>
      {({ report: r }) => {
        const byId = new Map(r.institutions.map((i) => [i.institutionId, i]));
        const info = new Map(r.indicators.map((i) => [i.indicatorId, i]));
        const indicatorName = (id: string) => {
          const x = info.get(id);
          return x ? (lang === 'zh' ? x.name : x.nameEn) : id;
        };
        return (
          <div>
            <Source source={r.source} />
            {r.redList.length > 0 && (
              <Notice tone="warning">
                <strong>{t('redList')}</strong>：{r.redList.map((x) => `${x.name}（${x.score}）`).join('、')}
              </Notice>
            )}
            <div class="charts">
              <BarChart
                title={`${t('scoresChart')} ${r.period}`}
                bars={[...r.institutions]
                  .sort((a, b) => Number(b.score) - Number(a.score))
                  .map((i) => ({ label: i.name, value: Number(i.score), note: i.grade }))}
              />
              <TrendChart trend={r.trend} />
            </div>
            {r.peerGroups.map((g) => (
              <div class="table-scroll" key={g.peerGroup}>
                <table class="data">
                  <caption>{lang === 'zh' ? g.label : t(`peer_${g.peerGroup}` as MessageKey)}</caption>
                  <thead>
                    <tr>
                      <th scope="col" class="num">
                        {t('rank')}
                      </th>
                      <th scope="col">{t('institution')}</th>
                      <th scope="col" class="num">
                        {t('score')}
                      </th>
                      <th scope="col">{t('grade')}</th>
                      <th scope="col" class="num">
                        {t('change')}
                      </th>
                      <th scope="col" class="num">
                        {t('surplus')}
                      </th>
                      <th scope="col" class="num">
                        {t('fundExtraction')}
                      </th>
                      <th scope="col" class="num">
                        {t('pool')}
                      </th>
                      <th scope="col">{t('missingIndicators')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {g.institutionIds
                      .map((id) => byId.get(id)!)
                      .filter(Boolean)
                      .sort((a, b) => a.rank - b.rank)
                      .map((i) => (
                        <tr key={i.institutionId} class={i.redListed ? 'red-list' : undefined}>
                          <td class="num">{t('ofPeers', { rank: i.rank, count: i.peerCount })}</td>
                          <th scope="row">
                            {i.name} <span class="id">{i.institutionId}</span>
                          </th>
                          <td class="num">{i.score}</td>
                          <td>{i.grade}</td>
                          <td class="num">{changeText(i.change)}</td>
                          <td class="num">{formatFen(i.surplus)}</td>
                          <td class="num">{formatFen(i.fundExtraction)}</td>
                          <td class="num">{formatFen(i.pool)}</td>
                          <td class={i.missingIndicators.length > 0 ? 'flag' : undefined}>
                            {i.missingIndicators.map(indicatorName).join('、') || t('none')}
                          </td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
            ))}
            <table class="data kv">
              <caption>{t('totals')}</caption>
              <tbody>
                <tr>
                  <th scope="row">{t('surplus')}</th>
                  <td class="num">{formatFen(r.totals.surplus)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('fundExtraction')}</th>
                  <td class="num">{formatFen(r.totals.fundExtraction)}</td>
                </tr>
                <tr>
                  <th scope="row">{t('pool')}</th>
                  <td class="num" data-total="pool">
                    {formatFen(r.totals.pool)}
                  </td>
                </tr>
              </tbody>
            </table>
          </div>
        );
      }}
    </Async>
  );
}

function Annual({ period }: { period: string }) {
  const { t } = useI18n();
  const loaded = useLoad(
    () => getJson<ReportAnswer<AnnualAppraisalReport>>(`/api/reports/annual/${period}`),
    [period],
  );
  return (
    <Async loaded={loaded}>
      {({ report: a }) => (
        <div>
          <Source source={a.source} />
          <p class="headline">
            {t('communityScore')}：<strong>{a.communityScore}</strong>（{a.communityGrade}）
          </p>
          {a.warnings.length > 0 && (
            <Notice tone="warning">
              <strong>{t('warnings')}</strong>
              <ul>
                {a.warnings.map((w) => (
                  <li key={`${w.code}/${w.institutionId}`}>{w.message}</li>
                ))}
              </ul>
            </Notice>
          )}
          <div class="charts">
            <BarChart
              title={`${t('scoresChart')} ${period}`}
              bars={[...a.institutions]
                .sort((x, y) => Number(y.score) - Number(x.score))
                .map((i) => ({ label: i.name, value: Number(i.score), note: i.grade }))}
            />
            <TrendChart trend={a.trend} />
          </div>
          <div class="table-scroll">
            <table class="data">
              <caption>{t('settlementInstitutions')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('institution')}</th>
                  <th scope="col" class="num">
                    {t('score')}
                  </th>
                  <th scope="col">{t('grade')}</th>
                  <th scope="col" class="num">
                    {t('coefficient')}
                  </th>
                  <th scope="col" class="num">
                    {t('reserve')}
                  </th>
                  <th scope="col" class="num">
                    {t('reserveReleased')}
                  </th>
                  <th scope="col" class="num">
                    {t('payPart')}
                  </th>
                  <th scope="col" class="num">
                    {t('annualBonusPool')}
                  </th>
                  <th scope="col" class="num">
                    {t('nextApprovedTotal')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {a.institutions.map((i) => (
                  <tr key={i.institutionId} class={i.redListed ? 'red-list' : undefined}>
                    <th scope="row">
                      {i.name} <span class="id">{i.institutionId}</span>
                    </th>
                    <td class="num">{i.score}</td>
                    <td>{i.grade}</td>
                    <td class="num">{i.coefficient}</td>
                    <td class="num">{formatFen(i.reserve)}</td>
                    <td class="num">{formatFen(i.reserveReleased)}</td>
                    <td class="num">{formatFen(i.insurancePayPart)}</td>
                    <td class="num">{formatFen(i.annualBonusPool)}</td>
                    <td class="num">{formatFen(i.nextApprovedTotal)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={4}>
                    {t('total')}
                  </th>
                  <td class="num">{formatFen(a.totals.reserve)}</td>
                  <td class="num">{formatFen(a.totals.reserveReleased)}</td>
                  <td class="num">{formatFen(a.totals.insurancePayPart)}</td>
                  <td class="num">{formatFen(a.totals.annualBonusPool)}</td>
                  <td class="num">{formatFen(a.totals.nextApprovedTotal)}</td>
                </tr>
              </tfoot>
            </table>
          </div>
          {a.leaders.length > 0 && (
            <div class="table-scroll">
              <table class="data">
                <caption>{t('leaders')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('institution')}</th>
                    <th scope="col">{t('leaderName')}</th>
                    <th scope="col" class="num">
                      {t('coefficient')}
                    </th>
                    <th scope="col" class="num">
                      {t('salary')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {a.leaders.map((l) => (
                    <tr key={l.staffId}>
                      <td>{l.institutionName}</td>
                      <th scope="row">
                        {l.name} <span class="id">{l.staffId}</span>
                      </th>
                      <td class="num">{l.coefficient}</td>
                      <td class="num">{formatFen(l.salary)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </Async>
  );
}
