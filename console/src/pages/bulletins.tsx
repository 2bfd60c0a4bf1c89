/**
 * Bulletins (通报) of completed cycles: each quarter's ranking within peer groups with the change against
 * the previous quarter, the red list and the surplus pools, a bar chart of scores and the trend by
 * quarter; and the annual appraisal. Amounts in the report documents are integer fen.
 */
import { useState } from 'preact/hooks';
import type { AnnualAppraisalReport, CycleView, QuarterlyBulletinReport, Trend } from '../api/types';
import { BarChart, DistributionStrips, PeerTrendChart } from '../components/charts';
import { type Column, DataTable } from '../components/data-table';
import { indicatorNamer, ReportChooser, ReportPage, useReport, Warnings } from '../components/report';
import {
  AppraisalTable,
  institutionColumn,
  KeyValues,
  poolColumns,
  scoreColumns,
} from '../components/settlement-table';
import { Async, Notice, SelectField } from '../components/ui';
import { type MessageKey, useI18n } from '../i18n';
import { formatMoney } from '../money';
import { explainLink } from './explain';

export function BulletinsPage() {
  const { t } = useI18n();
  return (
    <ReportPage
      title={t('page_bulletins')}
      intro={t('bulletinsIntro')}
      none={t('noReports')}
      kinds={['quarterly', 'annual']}
    >
      {(cycles) => <Chooser cycles={cycles} />}
    </ReportPage>
  );
}

const keyOf = (c: CycleView) => `${c.kind}/${c.period}`;

function Chooser({ cycles }: { cycles: CycleView[] }) {
  const { t } = useI18n();
  return (
    <ReportChooser
      id="bulletin-choice"
      label={t('chooseReport')}
      options={cycles.map((c) => ({
        value: keyOf(c),
        label: (
          <>
            {c.period} {t(`kind_${c.kind}` as MessageKey)}
          </>
        ),
      }))}
      printable={(chosen) => `/api/reports/${chosen}?format=html`}
    >
      {(chosen) => {
        const [kind, period] = chosen.split('/') as ['quarterly' | 'annual', string];
        return kind === 'quarterly' ? (
          <Quarter key={period} period={period} />
        ) : (
          <Annual key={period} period={period} />
        );
      }}
    </ReportChooser>
  );
}

function changeText(change: string | null): string {
  if (change === null) return '—';
  return change.startsWith('-') ? change : `+${change}`;
}

/** The institutions' scores, highest first. */
function ScoresChart({
  title,
  institutions,
}: {
  title: string;
  institutions: { name: string; score: string; grade: string }[];
}) {
  return (
    <BarChart
      title={title}
      bars={[...institutions]
        .sort((a, b) => Number(b.score) - Number(a.score))
        .map((i) => ({ label: i.name, value: Number(i.score), note: i.grade }))}
    />
  );
}

const KIND_NAMES: Record<string, [string, string]> = {
  county_hospital: ['县人民医院', 'County hospital'],
  county_tcm: ['县中医院', 'County TCM hospital'],
  county_mch: ['县妇幼保健院', 'County MCH hospital'],
  county_other: ['其他县级医院', 'Other county hospital'],
  township: ['乡镇卫生院', 'Township centre'],
  community: ['社区卫生服务中心', 'Community centre'],
  village: ['村卫生室', 'Village clinic'],
  public_health: ['专业公共卫生机构', 'Public-health centre'],
  emergency: ['急救中心', 'Emergency centre'],
};

type Placed = { institutionId: string; name: string; kind: string; peerGroup: string; score: string };

/** One institution's trend against its peer group's median and interquartile band (not 31 lines). */
function TrendChart({ trend, institutions }: { trend: Trend; institutions: readonly Placed[] }) {
  const { t } = useI18n();
  const [chosen, setChosen] = useState(institutions[0]?.institutionId ?? '');
  if (trend.periods.length === 0 || trend.series.length === 0) return null;
  const peerOf = new Map(institutions.map((i) => [i.institutionId, i.peerGroup]));
  const series = trend.series.map((s) => ({
    id: s.institutionId,
    name: s.name,
    values: s.scores.map((v) => (v === null ? null : Number(v))),
  }));
  const selected = series.find((s) => s.id === chosen) ?? series[0]!;
  const peers = series.filter((s) => peerOf.get(s.id) === peerOf.get(selected.id));
  return (
    <div>
      <SelectField
        id="trend-institution"
        label={t('trendOf')}
        value={selected.id}
        options={series.map((s) => ({ value: s.id, label: `${s.name} ${s.id}` }))}
        onChange={setChosen}
      />
      <PeerTrendChart
        title={`${t('trendChart')} · ${selected.name}`}
        categories={trend.periods}
        selected={selected}
        peers={peers}
        labels={{ median: t('peerMedian'), band: t('peerQuartiles') }}
      />
    </div>
  );
}

/** Score distributions as small multiples, one strip per kind of institution. */
function Distributions({ title, institutions }: { title: string; institutions: readonly Placed[] }) {
  const { lang } = useI18n();
  const kinds = [...new Set(institutions.map((i) => i.kind))];
  return (
    <DistributionStrips
      title={title}
      groups={kinds.map((kind) => ({
        label: KIND_NAMES[kind]?.[lang === 'zh' ? 0 : 1] ?? kind,
        values: institutions
          .filter((i) => i.kind === kind)
          .map((i) => ({ name: i.name, value: Number(i.score) })),
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
  const loaded = useReport<QuarterlyBulletinReport>('quarterly', period);
  return (
    <Async loaded={loaded}>
      {({ report: r }) => {
        const byId = new Map(r.institutions.map((i) => [i.institutionId, i]));
        const indicatorName = indicatorNamer(r.indicators, lang);
        const columns: Column<QuarterlyBulletinReport['institutions'][number]>[] = [
          { header: t('rank'), num: true, cell: (i) => t('ofPeers', { rank: i.rank, count: i.peerCount }) },
          institutionColumn(t, (id) => explainLink(period, { institution: id })),
          ...scoreColumns(t),
          { header: t('change'), num: true, cell: (i) => changeText(i.change) },
          ...poolColumns(t, formatMoney),
          {
            header: t('missingIndicators'),
            cell: (i) => i.missingIndicators.map(indicatorName).join('、') || t('none'),
            cellClass: (i) => (i.missingIndicators.length > 0 ? 'flag' : undefined),
          },
        ];
        return (
          <div>
            <Source source={r.source} />
            {r.redList.length > 0 && (
              <Notice tone="warning">
                <strong>{t('redList')}</strong>：{r.redList.map((x) => `${x.name}（${x.score}）`).join('、')}
              </Notice>
            )}
            <div class="charts">
              <ScoresChart title={`${t('scoresChart')} ${r.period}`} institutions={r.institutions} />
              <TrendChart trend={r.trend} institutions={r.institutions} />
              <Distributions title={`${t('distributionChart')} ${r.period}`} institutions={r.institutions} />
            </div>
            {r.peerGroups.map((g) => (
              <DataTable
                key={g.peerGroup}
                caption={lang === 'zh' ? g.label : t(`peer_${g.peerGroup}` as MessageKey)}
                columns={columns}
                rows={g.institutionIds
                  .map((id) => byId.get(id)!)
                  .filter(Boolean)
                  .sort((a, b) => a.rank - b.rank)}
                rowKey={(i) => i.institutionId}
                rowClass={(i) => (i.redListed ? 'red-list' : undefined)}
              />
            ))}
            <KeyValues
              caption={t('totals')}
              rows={[
                [t('surplus'), formatMoney(r.totals.surplus)],
                [t('fundExtraction'), formatMoney(r.totals.fundExtraction)],
                [t('pool'), formatMoney(r.totals.pool), 'pool'],
              ]}
            />
          </div>
        );
      }}
    </Async>
  );
}

function Annual({ period }: { period: string }) {
  const { t } = useI18n();
  const loaded = useReport<AnnualAppraisalReport>('annual', period);
  return (
    <Async loaded={loaded}>
      {({ report: a }) => (
        <div>
          <Source source={a.source} />
          <p class="headline">
            {t('communityScore')}：<strong>{a.communityScore}</strong>（{a.communityGrade}）
          </p>
          <Warnings warnings={a.warnings} />
          <div class="charts">
            <ScoresChart title={`${t('scoresChart')} ${period}`} institutions={a.institutions} />
            <TrendChart trend={a.trend} institutions={a.institutions} />
            <Distributions title={`${t('distributionChart')} ${period}`} institutions={a.institutions} />
          </div>
          <AppraisalTable
            rows={a.institutions}
            money={formatMoney}
            payPart
            totals={a.totals}
            link={(id) => explainLink(period, { institution: id })}
          />
          {a.leaders.length > 0 && (
            <DataTable
              caption={t('leaders')}
              columns={[
                { header: t('institution'), cell: (l) => l.institutionName },
                {
                  header: t('leaderName'),
                  rowHeader: true,
                  cell: (l) => (
                    <>
                      {l.name} <span class="id">{l.staffId}</span>
                    </>
                  ),
                },
                { header: t('coefficient'), num: true, cell: (l) => l.coefficient },
                { header: t('salary'), num: true, cell: (l) => formatMoney(l.salary) },
              ]}
              rows={a.leaders}
              rowKey={(l) => l.staffId}
            />
          )}
        </div>
      )}
    </Async>
  );
}
