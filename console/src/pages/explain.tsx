/**
 * Why this amount (issue 14): a person's or an institution's explanation of a completed cycle, every step
 * to the fen; "my pay" for staff (their year, each period's slip and explanation); publication (公示) for
 * the office and what is published for everyone; the auditor's trail and its check.
 *
 * Exact ratios arrive as fractions: they are shown as decimals, the exact fraction on hover.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson, openPrintable, postJson, runJob } from '../api/client';
import type { Group, Me } from '../api/types';
import { DataTable } from '../components/data-table';
import { Async, ErrorAlert, Notice, PageHeader, SelectField, useLoad } from '../components/ui';
import { useI18n } from '../i18n';
import { formatMoney } from '../money';

// ── the shapes of shared/reports/explain.ts (written out, as api/types.ts does) ────────────────────────

interface Exact {
  exact: string;
  decimal: string;
}
interface PointsRow {
  period: string;
  workPoints: string;
  quality: string;
  attendedDays: string;
  scheduledDays: string;
  postCoefficient: string;
  flags: { flag: string; rate: string }[];
  tiltCap: string;
  tilt: Exact;
  points: Exact;
}
interface SplitLine {
  weight: Exact;
  exactShare: Exact;
  floor: number;
  remainder: Exact;
  remainderRank: number | null;
  extraFen: number;
  amount: number;
}
interface SplitSummary {
  pool: number;
  totalWeight: Exact;
  leftover: number;
  recipients: number;
  undistributed: number;
}
type Pool =
  | {
      kind: 'monthly';
      approvedTotal: number;
      rosterSize: number;
      basicMonthlyTotal: number;
      basicPayroll: number;
      rewardTotal: number;
      basicShare: Exact | null;
      basicShareOutOfRange: boolean;
      basicShareRange: [string, string];
      month: number;
      monthBase: number;
      remainderMonths: number;
      monthExtraFen: number;
      pool: number;
      holdbackRate: string;
      holdbackExact: Exact;
      holdback: number;
      distributable: number;
      undistributed: number;
    }
  | {
      kind: 'quarterly';
      months: string[];
      revenue: { category: string; amount: number }[];
      eligibleRevenue: number;
      operatingCost: number;
      excluded: { category: string; amount: number }[];
      surplus: number;
      fundExtractionRate: string;
      fundExtraction: number;
      rewardShare: string;
      pool: number;
    }
  | {
      kind: 'annual';
      score: string;
      grade: string;
      coefficient: string;
      reserveRelease: string;
      reserveMonths: { period: string; holdback: number; undistributed: number }[];
      reserve: number;
      released: number;
      toDevelopmentFund: number;
      insurance: {
        payPart: number;
        score: string;
        headcount: number;
        tier: string;
        weight: Exact;
        totalWeight: Exact;
        split: SplitLine;
      } | null;
      insurancePayPart: number;
      pool: number;
    };
interface IndicatorLine {
  indicatorId: string;
  nameZh: string;
  nameEn: string;
  method: string;
  weight: string;
  effectiveTarget: Exact | null;
  numerator: Exact | null;
  denominator: Exact | null;
  value: Exact | null;
  missing: boolean;
  due: boolean;
  bonus: boolean;
  score: Exact;
  rounded: string;
}
interface ScoreExplanation {
  months: string[];
  indicators: IndicatorLine[];
  weightTotal: Exact;
  scoreTotal: Exact;
  bonusTotal: Exact;
  bonusCap: string;
  exactScore: Exact;
  score: string;
  grade: string;
}
interface Lineage {
  kind: string;
  period: string;
  revision: number;
  datasetVersion: number;
}
interface PersonExplanation {
  lineage: Lineage;
  staff: { staffId: string; name: string; department: string; post: string; basicMonthly: number };
  institution: { id: string; name: string };
  component: 'reward' | 'quarterlySurplus' | 'annualBonus';
  basic: { basicMonthly: number; onPayroll: boolean; amount: number } | null;
  points: { rows: PointsRow[]; total: Exact };
  pool: Pool;
  split: SplitSummary;
  share: SplitLine | null;
  /** §9.1 the person's department (P_d, X_d and the second level), when the institution has departments. */
  department?: {
    departmentId: string;
    name: string;
    coefficient: string;
    memberPoints: Exact;
    points: Exact;
    totalPoints: Exact;
    share: SplitLine;
    pool: number;
    mode: 'rule' | 'manual';
  } | null;
  adjustments: { amount: number; reason: string; refPeriod: string }[];
  /** §9.5 the allowance and the secondment it comes from (monthly, datasets with secondments). */
  allowance?: {
    amount: number;
    detail: {
      hostInstitutionId: string;
      kind: string;
      from: string;
      to: string | null;
      monthlyAllowance: number;
      onPayroll: boolean;
    } | null;
  } | null;
  /** §9.2 county finance's top-up to the floor (monthly, schemes with a floor). */
  fiscalTopUp?: {
    amount: number;
    detail: {
      floor: number;
      attendedDays: string;
      scheduledDays: string;
      due: number;
      basicPlusReward: number;
    } | null;
  } | null;
  leaderSalary: { targetAnnualSalary: number; coefficient: string; salary: number } | null;
  amount: number;
  adjustment: number;
  gross: number;
  reconciles: boolean;
  score: ScoreExplanation | null;
}
interface InstitutionExplanation {
  lineage: Lineage;
  institution: { id: string; name: string; kind: string };
  pool: Pool;
  split: SplitSummary;
  lines: {
    staffId: string;
    name: string;
    department: string;
    points: Exact;
    split: SplitLine | null;
    amount: number;
    gross: number;
    reconciles: boolean;
  }[];
  score: ScoreExplanation | null;
  reconciles: boolean;
  differences: string[];
}
interface StaffYear {
  year: number;
  staff: { staffId: string; name: string };
  institution: { id: string; name: string };
  months: { period: string; basic: number; reward: number; adjustment: number; gross: number }[];
  quarters: { period: string; quarterlySurplus: number }[];
  annual: { period: string; annualBonus: number; leaderSalary: number | null } | null;
  totals: {
    basic: number;
    reward: number;
    adjustment: number;
    quarterlySurplus: number;
    annualBonus: number;
    gross: number;
  };
}
interface Publication {
  kind: 'quarterly' | 'annual';
  period: string;
  revision: number;
  from: string;
  to: string;
  publishedBy: string;
  publishedAt: string;
  open: boolean;
}

// ── small pieces ────────────────────────────────────────────────────────────────────────────────────

/** Chinese first (the console's default), English second: the words of these pages. */
function useWords() {
  const { lang } = useI18n();
  return (zh: string, en: string) => (lang === 'zh' ? zh : en);
}

/** ¥ and thousands separators; the fen are integer. */
export const Yuan = ({ fen }: { fen: number }) => <span class="money">{formatMoney(fen)}</span>;

/** A ratio as a decimal; the exact fraction on hover (and for screen readers) where it differs. */
export function Ratio({ x }: { x: Exact }) {
  const trimmed = x.decimal.replace(/\.?0+$/, '') || '0';
  if (!x.exact.includes('/')) return <span>{x.exact}</span>;
  return (
    <abbr class="exact" title={`= ${x.exact}`}>
      {trimmed}…
    </abbr>
  );
}

/** The hash's query (`#/explain?period=2026-03&staff=C01-0001`). */
function hashQuery(): URLSearchParams {
  const q = location.hash.split('?')[1] ?? '';
  return new URLSearchParams(q);
}

export const explainLink = (period: string, who: { staff?: string; institution?: string }) =>
  `#/explain?period=${encodeURIComponent(period)}&${who.staff ? `staff=${encodeURIComponent(who.staff)}` : `institution=${encodeURIComponent(who.institution ?? '')}`}`;

const useMe = () => useLoad(() => getJson<Me & { institutionId?: string; staffId?: string }>('/api/me'), []);
const UNSCOPED: Group[] = ['office', 'hr', 'finance', 'auditor'];

// ── the explanation ─────────────────────────────────────────────────────────────────────────────────

function Step({ label, children }: { label: ComponentChildren; children: ComponentChildren }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{children}</td>
    </tr>
  );
}

function PoolSteps({ pool }: { pool: Pool }) {
  const w = useWords();
  if (pool.kind === 'monthly')
    return (
      <table class="steps">
        <tbody>
          <Step label={w('核定绩效工资总量 T', 'Approved total T')}>
            <Yuan fen={pool.approvedTotal} />
          </Step>
          <Step label={w('基础性绩效年总额', 'Basic payroll of the year')}>
            12 × <Yuan fen={pool.basicMonthlyTotal} /> ({pool.rosterSize} {w('人', 'staff')}) ={' '}
            <Yuan fen={pool.basicPayroll} />
          </Step>
          <Step label={w('奖励性绩效年总额 R = T − 基础', 'Reward total R = T − basic payroll')}>
            <Yuan fen={pool.rewardTotal} />
          </Step>
          <Step label={w('基础性占比 α', 'Basic share α')}>
            {pool.basicShare ? <Ratio x={pool.basicShare} /> : '—'}
            {pool.basicShareOutOfRange && (
              <span class="warn">
                {' '}
                ⚠ {w('超出', 'outside')} [{pool.basicShareRange.join(', ')}]
              </span>
            )}
          </Step>
          <Step label={w(`${pool.month} 月奖励池 M`, `Month ${pool.month} pool M`)}>
            floor(R/12) <Yuan fen={pool.monthBase} /> + {pool.monthExtraFen} {w('分', 'fen')} ({pool.month} ≤
            R mod 12 = {pool.remainderMonths}) = <Yuan fen={pool.pool} />
          </Step>
          <Step label={w('年度预留 H', 'Holdback H')}>
            round(M × {pool.holdbackRate}) = <Yuan fen={pool.holdback} />
          </Step>
          <Step label={w('可分配 D = M − H', 'Distributable D = M − H')}>
            <Yuan fen={pool.distributable} />
          </Step>
        </tbody>
      </table>
    );
  if (pool.kind === 'quarterly')
    return (
      <table class="steps">
        <tbody>
          <Step label={w('医疗服务收入', 'Eligible service revenue')}>
            {pool.revenue.map((r, i) => (
              <span key={r.category}>
                {i > 0 && ' + '}
                {r.category} <Yuan fen={r.amount} />
              </span>
            ))}{' '}
            = <Yuan fen={pool.eligibleRevenue} />
          </Step>
          <Step label={w('运营成本', 'Operating cost')}>
            <Yuan fen={pool.operatingCost} />
          </Step>
          <Step label={w('不计入（脱钩）', 'Excluded (decoupled)')}>
            {pool.excluded.map((r) => r.category).join(', ') || '—'}
          </Step>
          <Step label={w('结余 S', 'Surplus S')}>
            <Yuan fen={pool.surplus} />
          </Step>
          <Step label={w('发展基金提取 F', 'Development fund extraction F')}>
            round(S × {pool.fundExtractionRate}) = <Yuan fen={pool.fundExtraction} />
          </Step>
          <Step label={w('结余奖励池 Q', 'Surplus reward pool Q')}>
            round((S − F) × {pool.rewardShare}) = <Yuan fen={pool.pool} />
          </Step>
        </tbody>
      </table>
    );
  return (
    <table class="steps">
      <tbody>
        <Step label={w('年度得分与等级', 'Annual score and grade')}>
          {pool.score} · {pool.grade} · {w('系数', 'coefficient')} {pool.coefficient}
        </Step>
        <Step label={w('年度预留 A', 'Reserve A')}>
          {pool.reserveMonths.length} {w('个月', 'months')} = <Yuan fen={pool.reserve} />
        </Step>
        <Step label={w('兑现', 'Released')}>
          round(A × {pool.reserveRelease}) = <Yuan fen={pool.released} />;{' '}
          {w('转入发展基金', 'to the development fund')} <Yuan fen={pool.toDevelopmentFund} />
        </Step>
        {pool.insurance && (
          <Step label={w('医保结余用于绩效部分', 'Insurance pay part')}>
            <Yuan fen={pool.insurance.payPart} /> × {pool.insurance.score} × {pool.insurance.headcount} ×{' '}
            {pool.insurance.tier} ÷ <Ratio x={pool.insurance.totalWeight} /> ={' '}
            <Yuan fen={pool.insurance.split.amount} />
          </Step>
        )}
        <Step label={w('年度考核奖励池', 'Annual bonus pool')}>
          <Yuan fen={pool.pool} />
        </Step>
      </tbody>
    </table>
  );
}

function ShareSteps({ split, share }: { split: SplitSummary; share: SplitLine | null }) {
  const w = useWords();
  if (split.undistributed > 0)
    return <Notice>{w('无人有点数，池未分配', 'Nobody had points: the pool was not distributed')}</Notice>;
  if (!share) return <p>{w('本期无点数', 'No points this period')}</p>;
  return (
    <table class="steps">
      <tbody>
        <Step label={w('份额 = 池 × 点数 ÷ Σ点数', 'Share = pool × points ÷ Σ points')}>
          <Yuan fen={split.pool} /> × <Ratio x={share.weight} /> ÷ <Ratio x={split.totalWeight} /> ={' '}
          <Ratio x={share.exactShare} /> {w('分', 'fen')}
        </Step>
        <Step label={w('取整与尾差', 'Floor and leftover fen')}>
          <Yuan fen={share.floor} />; {w('余数', 'remainder')} <Ratio x={share.remainder} />,{' '}
          {w('排第', 'rank')} {share.remainderRank ?? '—'} / {w('尾差', 'leftover')} {split.leftover}{' '}
          {w('分', 'fen')} → +{share.extraFen}
        </Step>
        <Step label={w('金额', 'Amount')}>
          <strong>
            <Yuan fen={share.amount} />
          </strong>
        </Step>
      </tbody>
    </table>
  );
}

function ScoreTable({ score }: { score: ScoreExplanation }) {
  const w = useWords();
  const { lang } = useI18n();
  return (
    <div>
      <h3>
        {w('机构得分', 'Institution score')} {score.score} · {score.grade}
      </h3>
      <DataTable
        id="explain-indicators"
        columns={[
          {
            header: w('指标', 'Indicator'),
            rowHeader: true,
            cell: (i: IndicatorLine) =>
              `${lang === 'zh' ? i.nameZh : i.nameEn || i.nameZh} (${i.indicatorId})`,
          },
          { header: w('方法', 'Method'), cell: (i) => i.method },
          { header: w('权重', 'Weight'), num: true, cell: (i) => i.weight },
          {
            header: w('目标', 'Target'),
            num: true,
            cell: (i) => (i.effectiveTarget ? <Ratio x={i.effectiveTarget} /> : '—'),
          },
          {
            header: w('分子/分母', 'Numerator / denominator'),
            num: true,
            cell: (i) =>
              i.numerator && i.denominator ? (
                <>
                  <Ratio x={i.numerator} /> / <Ratio x={i.denominator} />
                </>
              ) : (
                '—'
              ),
          },
          {
            header: w('值', 'Value'),
            num: true,
            cell: (i) =>
              i.value ? <Ratio x={i.value} /> : i.due ? w('缺报', 'missing') : w('未到期', 'not due'),
          },
          {
            header: w('得分', 'Score'),
            num: true,
            cell: (i) => <abbr title={`= ${i.score.exact}`}>{i.rounded}</abbr>,
          },
        ]}
        rows={score.indicators}
        rowKey={(i) => i.indicatorId}
      />
      <p class="meta">
        S = min(100, 100 × Σs <Ratio x={score.scoreTotal} /> ÷ Σw <Ratio x={score.weightTotal} /> + min(
        {score.bonusCap}, <Ratio x={score.bonusTotal} />
        )) = <Ratio x={score.exactScore} /> → <strong>{score.score}</strong>
      </p>
    </div>
  );
}

const COMPONENT_WORDS: Record<string, [string, string]> = {
  reward: ['奖励性绩效', 'Reward pay'],
  quarterlySurplus: ['季度结余奖励', 'Quarterly surplus reward'],
  annualBonus: ['年度考核奖励', 'Annual bonus'],
};

export function PersonExplained({ period, staffId }: { period: string; staffId: string }) {
  const w = useWords();
  const { lang } = useI18n();
  const loaded = useLoad(
    () =>
      getJson<PersonExplanation>(
        `/api/explain/${encodeURIComponent(period)}/staff/${encodeURIComponent(staffId)}`,
      ),
    [period, staffId],
  );
  // Nothing of the previous person or period stays on screen while the next loads.
  if (loaded.loading) return <Async loaded={{ ...loaded, data: undefined }}>{() => null}</Async>;
  return (
    <Async loaded={loaded}>
      {(p) => (
        <article class="explanation" data-testid="person-explanation">
          <h2>
            {p.staff.name} ({p.staff.staffId}) · {p.institution.name} ({p.institution.id}) ·{' '}
            {p.lineage.period}
          </h2>
          <p class="headline">
            {w('应发合计', 'Gross')}{' '}
            <strong data-testid="explained-gross">
              <Yuan fen={p.gross} />
            </strong>{' '}
            {p.reconciles ? (
              <span class="ok">✓ {w('与发放结果一致', 'matches what was paid')}</span>
            ) : (
              <span class="warn">⚠ {w('与发放结果不一致', 'does not match what was paid')}</span>
            )}
          </p>
          <h3>
            {w('点数', 'Points')} ={' '}
            {w(
              '工作量 × 质量/100 × 出勤/应出勤 × 岗位系数 × 倾斜',
              'work points × quality/100 × attended/scheduled × post coefficient × tilt',
            )}
          </h3>
          <DataTable
            id="explain-points"
            columns={[
              { header: w('月份', 'Month'), rowHeader: true, cell: (r: PointsRow) => r.period },
              { header: w('工作量', 'Work points'), num: true, cell: (r) => r.workPoints },
              { header: w('质量', 'Quality'), num: true, cell: (r) => r.quality },
              {
                header: w('出勤/应出勤', 'Attended / scheduled'),
                num: true,
                cell: (r) => `${r.attendedDays}/${r.scheduledDays}`,
              },
              { header: w('岗位系数', 'Post coefficient'), num: true, cell: (r) => r.postCoefficient },
              {
                header: w('倾斜', 'Tilt'),
                num: true,
                cell: (r) => (
                  <span title={r.flags.map((f) => `${f.flag} +${f.rate}`).join(', ') || undefined}>
                    <Ratio x={r.tilt} />
                  </span>
                ),
              },
              {
                header: w('点数', 'Points'),
                num: true,
                cell: (r) => <Ratio x={r.points} />,
                total: <Ratio x={p.points.total} />,
              },
            ]}
            rows={p.points.rows}
            rowKey={(r) => r.period}
          />
          <h3>{w('奖励池', 'The pool')}</h3>
          <PoolSteps pool={p.pool} />
          <h3>{COMPONENT_WORDS[p.component]![lang === 'zh' ? 0 : 1]}</h3>
          {p.department && (
            <p data-testid="explained-department">
              {w('科室', 'Department')} {p.department.name} ({p.department.departmentId}): P<sub>d</sub> ={' '}
              {p.department.coefficient} × <Ratio x={p.department.memberPoints} /> ={' '}
              <Ratio x={p.department.points} />; {w('科室池', 'department pool')} X<sub>d</sub> ={' '}
              {w('池', 'pool')} × P<sub>d</sub> ÷ ΣP (<Ratio x={p.department.totalPoints} />) ={' '}
              <Yuan fen={p.department.pool} />
              {p.department.mode === 'manual'
                ? w('；科内由科主任分配（经审批）', '; split within the department by its head (approved)')
                : w('；科内按点数分配', '; split within the department by points')}
            </p>
          )}
          <ShareSteps split={p.split} share={p.share} />
          {p.basic && (
            <p>
              {w('基础性绩效', 'Basic pay')}: <Yuan fen={p.basic.amount} />{' '}
              {!p.basic.onPayroll && w('（本月无工作量行）', '(no workload row this month)')}
            </p>
          )}
          {p.adjustments.length > 0 && (
            <ul class="adjustments">
              {p.adjustments.map((a) => (
                <li key={`${a.refPeriod}${a.reason}`}>
                  {w('调整', 'Adjustment')} <Yuan fen={a.amount} />: {a.reason} ({w('更正', 'corrects')}{' '}
                  {a.refPeriod})
                </li>
              ))}
            </ul>
          )}
          {p.allowance && (
            <p data-testid="explained-allowance">
              {w('补贴', 'Allowance')}: <Yuan fen={p.allowance.amount} />
              {p.allowance.detail
                ? ` (${p.allowance.detail.kind} → ${p.allowance.detail.hostInstitutionId}, ${p.allowance.detail.from}–${p.allowance.detail.to ?? '…'}${p.allowance.detail.onPayroll ? '' : w('，本月无工作量行', ', not on this month’s payroll')})`
                : w('（本月无派驻）', ' (no secondment this month)')}
            </p>
          )}
          {p.fiscalTopUp && (
            <p data-testid="explained-top-up">
              {w('财政保底补足（县财政）', 'Fiscal top-up (county finance)')}:{' '}
              {p.fiscalTopUp.detail ? (
                <>
                  max(0, round(
                  <Yuan fen={p.fiscalTopUp.detail.floor} /> × {p.fiscalTopUp.detail.attendedDays}/
                  {p.fiscalTopUp.detail.scheduledDays}) − <Yuan fen={p.fiscalTopUp.detail.basicPlusReward} />)
                  ={' '}
                </>
              ) : null}
              <Yuan fen={p.fiscalTopUp.amount} />
            </p>
          )}
          {p.leaderSalary && (
            <p>
              {w('院长年薪（县财政发放）', 'Leader salary (paid by county finance)')}: round(
              <Yuan fen={p.leaderSalary.targetAnnualSalary} /> × {p.leaderSalary.coefficient}) ={' '}
              <Yuan fen={p.leaderSalary.salary} />
            </p>
          )}
          {p.score && <ScoreTable score={p.score} />}
          <p class="meta">
            {p.lineage.kind} {p.lineage.period} r{p.lineage.revision} · {w('数据版本', 'dataset')} v
            {p.lineage.datasetVersion}
          </p>
        </article>
      )}
    </Async>
  );
}

export function InstitutionExplained({ period, institutionId }: { period: string; institutionId: string }) {
  const w = useWords();
  const loaded = useLoad(
    () =>
      getJson<InstitutionExplanation>(
        `/api/explain/${encodeURIComponent(period)}/institutions/${encodeURIComponent(institutionId)}`,
      ),
    [period, institutionId],
  );
  if (loaded.loading) return <Async loaded={{ ...loaded, data: undefined }}>{() => null}</Async>;
  return (
    <Async loaded={loaded}>
      {(e) => (
        <article class="explanation" data-testid="institution-explanation">
          <h2>
            {e.institution.name} ({e.institution.id}) · {e.lineage.period}
          </h2>
          <p class="headline">
            {e.reconciles ? (
              <span class="ok">✓ {w('全部与发放结果一致', 'everything matches what was paid')}</span>
            ) : (
              <span class="warn">⚠ {e.differences.join('; ')}</span>
            )}
          </p>
          <h3>{w('奖励池', 'The pool')}</h3>
          <PoolSteps pool={e.pool} />
          {e.score && <ScoreTable score={e.score} />}
          <h3>{w('人员', 'People')}</h3>
          <DataTable
            id="explain-people"
            columns={[
              {
                header: w('姓名', 'Name'),
                rowHeader: true,
                cell: (l: InstitutionExplanation['lines'][number]) => (
                  <a href={explainLink(period, { staff: l.staffId })}>
                    {l.name} <span class="id">{l.staffId}</span>
                  </a>
                ),
              },
              { header: w('科室', 'Department'), cell: (l) => l.department },
              { header: w('点数', 'Points'), num: true, cell: (l) => <Ratio x={l.points} /> },
              { header: w('尾差', 'Leftover fen'), num: true, cell: (l) => (l.split?.extraFen ? '+1' : '') },
              {
                header: w('金额', 'Amount'),
                num: true,
                cell: (l) => <Yuan fen={l.amount} />,
                total: <Yuan fen={e.lines.reduce((a, l) => a + l.amount, 0)} />,
              },
            ]}
            rows={e.lines}
            rowKey={(l) => l.staffId}
          />
        </article>
      )}
    </Async>
  );
}

// ── the pages ───────────────────────────────────────────────────────────────────────────────────────

export function ExplainPage({ groups }: { groups: Group[] }) {
  const w = useWords();
  const me = useMe();
  const query = hashQuery();
  const [period, setPeriod] = useState(query.get('period') ?? '');
  const [id, setId] = useState(query.get('staff') ?? query.get('institution') ?? '');
  const [asked, setAsked] = useState<{ period: string; staff?: string; institution?: string } | null>(
    query.get('period') && (query.get('staff') || query.get('institution'))
      ? {
          period: query.get('period')!,
          staff: query.get('staff') ?? undefined,
          institution: query.get('institution') ?? undefined,
        }
      : null,
  );
  // Follow links (a click on a person or an institution elsewhere changes the hash).
  useEffect(() => {
    const changed = () => {
      const q = hashQuery();
      if (q.get('period') && (q.get('staff') || q.get('institution'))) {
        setPeriod(q.get('period')!);
        setId(q.get('staff') ?? q.get('institution')!);
        setAsked({
          period: q.get('period')!,
          staff: q.get('staff') ?? undefined,
          institution: q.get('institution') ?? undefined,
        });
      }
    };
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  const scopedStaff = !groups.some((g) => UNSCOPED.includes(g)) && groups.includes('staff');
  const submit = (e: Event) => {
    e.preventDefault();
    const staffId = scopedStaff ? me.data?.staffId : undefined;
    const isInstitution = !scopedStaff && /^[^-]+$/.test(id.trim());
    const next = isInstitution
      ? { period: period.trim(), institution: id.trim() }
      : { period: period.trim(), staff: staffId ?? id.trim() };
    location.hash = explainLink(next.period, next);
    setAsked(next);
  };
  return (
    <section>
      <PageHeader
        title={w('金额说明', 'Why this amount')}
        intro={w(
          '任一人员或机构、任一已完成期间：每一步算到分。点击工资表中的人员或通报中的机构也会来到这里。',
          'Any person or institution, any completed period: every step to the fen. Clicking a person on a pay sheet or an institution in a bulletin brings you here too.',
        )}
      />
      <form class="toolbar" onSubmit={submit}>
        <div class="field inline">
          <label for="explain-period">{w('期间', 'Period')}</label>
          <input
            id="explain-period"
            value={period}
            placeholder="2026-03 / 2026-Q1 / 2026"
            onInput={(e) => setPeriod(e.currentTarget.value)}
          />
        </div>
        {!scopedStaff && (
          <div class="field inline">
            <label for="explain-id">{w('工号或机构编码', 'Staff id or institution id')}</label>
            <input
              id="explain-id"
              value={id}
              placeholder="C01-0001 / C01"
              onInput={(e) => setId(e.currentTarget.value)}
            />
          </div>
        )}
        <button type="submit">{w('说明', 'Explain')}</button>
      </form>
      {asked?.institution && <InstitutionExplained period={asked.period} institutionId={asked.institution} />}
      {asked?.staff && <PersonExplained period={asked.period} staffId={asked.staff} />}
      {groups.includes('member') && asked && (
        // A member contests what it sees here during the publication window (the appeals page files it).
        <p class="toolbar">
          <a
            class="button"
            href={`#/appeals?${new URLSearchParams({ period: asked.period, ...(asked.staff ? { staff: asked.staff } : {}) })}`}
          >
            {w('对此结果申诉', 'Appeal this result')}
          </a>
        </p>
      )}
    </section>
  );
}

/** Staff (and HR for anyone): a person's year in one view, each period's slip and its explanation. */
export function MyPayPage({ groups }: { groups: Group[] }) {
  const w = useWords();
  const me = useMe();
  const scoped = !groups.some((g) => UNSCOPED.includes(g));
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [staffId, setStaffId] = useState(hashQuery().get('staff') ?? '');
  const who = scoped ? me.data?.staffId : staffId.trim();
  return (
    <section>
      <PageHeader
        title={w('我的工资条', 'My pay slips')}
        intro={w(
          '全年每期应发与金额说明；工资条可打印。',
          'Every period of the year with its explanation; each slip prints.',
        )}
      />
      <div class="toolbar">
        <div class="field inline">
          <label for="slip-year">{w('年度', 'Year')}</label>
          <input id="slip-year" value={year} size={6} onInput={(e) => setYear(e.currentTarget.value)} />
        </div>
        {!scoped && (
          <div class="field inline">
            <label for="slip-staff">{w('工号', 'Staff id')}</label>
            <input id="slip-staff" value={staffId} onInput={(e) => setStaffId(e.currentTarget.value)} />
          </div>
        )}
      </div>
      {who && /^\d{4}$/.test(year) ? <Year staffId={who} year={year} /> : scoped && !me.data ? null : null}
    </section>
  );
}

function Year({ staffId, year }: { staffId: string; year: string }) {
  const w = useWords();
  const loaded = useLoad(
    () => getJson<StaffYear>(`/api/slips/${encodeURIComponent(staffId)}/history/${year}`),
    [staffId, year],
  );
  const [chosen, setChosen] = useState<string>();
  const [error, setError] = useState<unknown>();
  useEffect(() => setChosen(undefined), [staffId, year]);
  if (loaded.loading) return <Async loaded={{ ...loaded, data: undefined }}>{() => null}</Async>;
  const print = (path: string) => openPrintable(path).catch(setError);
  return (
    <Async loaded={loaded}>
      {(y) => {
        const rows = [
          ...y.months.map((m) => ({
            period: m.period,
            basic: m.basic,
            reward: m.reward,
            q: 0,
            a: 0,
            adjustment: m.adjustment,
            gross: m.gross,
          })),
          ...y.quarters.map((q) => ({
            period: q.period,
            basic: 0,
            reward: 0,
            q: q.quarterlySurplus,
            a: 0,
            adjustment: 0,
            gross: q.quarterlySurplus,
          })),
          ...(y.annual
            ? [
                {
                  period: y.annual.period,
                  basic: 0,
                  reward: 0,
                  q: 0,
                  a: y.annual.annualBonus,
                  adjustment: 0,
                  gross: y.annual.annualBonus,
                },
              ]
            : []),
        ];
        return (
          <div>
            <h2>
              {y.staff.name} ({y.staff.staffId}) · {y.institution.name} · {y.year}
            </h2>
            <div class="toolbar">
              <button
                type="button"
                onClick={() => print(`/api/slips/${encodeURIComponent(staffId)}/history/${year}?format=html`)}
              >
                {w('打印全年工资条', 'Print the year')}
              </button>
            </div>
            <ErrorAlert error={error} onClose={() => setError(undefined)} />
            <DataTable
              id="slip-year-table"
              columns={[
                {
                  header: w('期间', 'Period'),
                  rowHeader: true,
                  cell: (r: (typeof rows)[number]) => (
                    <button
                      type="button"
                      class="link"
                      aria-pressed={chosen === r.period}
                      onClick={() => setChosen(r.period)}
                    >
                      {r.period}
                    </button>
                  ),
                },
                {
                  header: w('基础性绩效', 'Basic'),
                  num: true,
                  cell: (r) => <Yuan fen={r.basic} />,
                  total: <Yuan fen={y.totals.basic} />,
                },
                {
                  header: w('奖励性绩效', 'Reward'),
                  num: true,
                  cell: (r) => <Yuan fen={r.reward} />,
                  total: <Yuan fen={y.totals.reward} />,
                },
                {
                  header: w('季度结余奖励', 'Quarterly surplus'),
                  num: true,
                  cell: (r) => <Yuan fen={r.q} />,
                  total: <Yuan fen={y.totals.quarterlySurplus} />,
                },
                {
                  header: w('年度考核奖励', 'Annual bonus'),
                  num: true,
                  cell: (r) => <Yuan fen={r.a} />,
                  total: <Yuan fen={y.totals.annualBonus} />,
                },
                {
                  header: w('调整', 'Adjustment'),
                  num: true,
                  cell: (r) => <Yuan fen={r.adjustment} />,
                  total: <Yuan fen={y.totals.adjustment} />,
                },
                {
                  header: w('应发合计', 'Gross'),
                  num: true,
                  cell: (r) => <Yuan fen={r.gross} />,
                  total: <Yuan fen={y.totals.gross} />,
                  totalId: 'gross',
                },
              ]}
              rows={rows}
              rowKey={(r) => r.period}
            />
            {chosen && (
              <div>
                <div class="toolbar">
                  <button
                    type="button"
                    onClick={() => print(`/api/slips/${encodeURIComponent(staffId)}/${chosen}?format=html`)}
                  >
                    {w('打印工资条', 'Print the slip')} {chosen}
                  </button>
                </div>
                <PersonExplained period={chosen} staffId={staffId} />
              </div>
            )}
          </div>
        );
      }}
    </Async>
  );
}

export function PublicationsPage({ groups }: { groups: Group[] }) {
  const w = useWords();
  const { lang } = useI18n();
  const loaded = useLoad(() => getJson<{ publications: Publication[] }>('/api/publications'), []);
  const mayPublish = groups.includes('office');
  const [kind, setKind] = useState<'quarterly' | 'annual'>('quarterly');
  const [period, setPeriod] = useState('');
  const [days, setDays] = useState('7');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const publish = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setDone(undefined);
    const to = new Date(Date.now() + Number(days) * 86_400_000).toISOString();
    if (!window.confirm(w(`公示 ${period}，为期 ${days} 天？`, `Publish ${period} for ${days} days?`)))
      return;
    try {
      await postJson('/api/publications', { kind, period: period.trim(), to });
      setDone(w(`已公示 ${period}`, `Published ${period}`));
      await loaded.reload();
    } catch (err) {
      setError(err);
    }
  };
  const when = (iso: string) => new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
  return (
    <section>
      <PageHeader
        title={w('结果公示', 'Publication')}
        intro={w(
          '公示期内，成员单位可查看本单位的得分、指标与奖励池，职工可查看本人的工资条与金额说明。',
          'During the window member institutions see their own scores, indicators and pools, and staff their own slips and explanations.',
        )}
      />
      {mayPublish && (
        <form class="toolbar" onSubmit={publish}>
          <SelectField
            id="publish-kind"
            label={w('类型', 'Kind')}
            value={kind}
            options={[
              { value: 'quarterly', label: w('季度通报', 'Quarterly bulletin') },
              { value: 'annual', label: w('年度考核', 'Annual result') },
            ]}
            onChange={setKind}
          />
          <div class="field inline">
            <label for="publish-period">{w('期间', 'Period')}</label>
            <input
              id="publish-period"
              value={period}
              placeholder={kind === 'annual' ? '2026' : '2026-Q1'}
              onInput={(e) => setPeriod(e.currentTarget.value)}
            />
          </div>
          <div class="field inline">
            <label for="publish-days">{w('公示天数', 'Days')}</label>
            <input
              id="publish-days"
              type="number"
              min="1"
              value={days}
              size={4}
              onInput={(e) => setDays(e.currentTarget.value)}
            />
          </div>
          <button type="submit">{w('公示', 'Publish')}</button>
        </form>
      )}
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      <Async loaded={loaded}>
        {(data) =>
          data.publications.length === 0 ? (
            <Notice>{w('尚无公示', 'Nothing published yet')}</Notice>
          ) : (
            <DataTable
              id="publications"
              columns={[
                { header: w('期间', 'Period'), rowHeader: true, cell: (p: Publication) => p.period },
                { header: w('运行', 'Run'), cell: (p) => `r${p.revision}` },
                { header: w('开始', 'Opens'), cell: (p) => when(p.from) },
                { header: w('结束', 'Closes'), cell: (p) => when(p.to) },
                { header: w('公示人', 'By'), cell: (p) => p.publishedBy },
                {
                  header: w('状态', 'State'),
                  cell: (p) => (p.open ? w('公示中', 'open') : w('已结束或未开始', 'closed')),
                },
              ]}
              rows={data.publications}
              rowKey={(p) => p.period}
            />
          )
        }
      </Async>
    </section>
  );
}

interface AuditEntry {
  sequence: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  hash: string;
}

/** The auditor: the hash-chained trail, a page at a time, and its check. */
export function AuditPage() {
  const w = useWords();
  const [after, setAfter] = useState(0);
  const [history, setHistory] = useState<number[]>([]);
  // The check is a job (issue 12: a province's chain, seals and blobs take minutes): started, then followed.
  const verify = useLoad(async () => {
    const job = await runJob<{ ok: boolean; entries: number; brokenAt?: number; problem?: string }>(
      '/api/audit/verify',
    );
    return job.result!.json!;
  }, []);
  const page = useLoad(
    () =>
      getJson<{ total: number; entries: AuditEntry[]; next?: string }>(`/api/audit?after=${after}&limit=50`),
    [after],
  );
  return (
    <section>
      <PageHeader
        title={w('审计', 'Audit')}
        intro={w(
          '每一次导入、运行、审核、公示与导出，哈希链相连。',
          'Every import, run, decision, publication and export, hash-chained.',
        )}
      />
      <Async loaded={verify}>
        {(v) =>
          v.ok ? (
            <Notice tone="success">
              <span data-testid="audit-verify">
                {w(`审计链完整：${v.entries} 条`, `Audit chain intact: ${v.entries} entries`)}
              </span>
            </Notice>
          ) : (
            <div class="alert alert-error" role="alert" data-testid="audit-verify">
              {w(`审计链断裂于第 ${v.brokenAt} 条`, `Audit chain broken at entry ${v.brokenAt}`)}: {v.problem}
            </div>
          )
        }
      </Async>
      {page.loading ? (
        <Async loaded={{ ...page, data: undefined }}>{() => null}</Async>
      ) : (
        <Async loaded={page}>
          {(p) => (
            <div>
              <DataTable
                id="audit-entries"
                columns={[
                  { header: '#', num: true, rowHeader: true, cell: (e: AuditEntry) => e.sequence },
                  { header: w('时间', 'At'), cell: (e) => e.at.replace('T', ' ').slice(0, 19) },
                  { header: w('用户', 'Who'), cell: (e) => e.actor },
                  { header: w('操作', 'Action'), cell: (e) => e.action },
                  { header: w('对象', 'Subject'), cell: (e) => e.subject },
                  {
                    header: w('哈希', 'Hash'),
                    cell: (e) => <code title={e.hash}>{e.hash.slice(0, 12)}</code>,
                  },
                ]}
                rows={p.entries}
                rowKey={(e) => e.sequence}
              />
              <div class="toolbar">
                <button
                  type="button"
                  disabled={history.length === 0}
                  onClick={() => {
                    setAfter(history.at(-1) ?? 0);
                    setHistory(history.slice(0, -1));
                  }}
                >
                  {w('上一页', 'Previous')}
                </button>
                <span class="meta">
                  {p.entries[0]?.sequence ?? 0}–{p.entries.at(-1)?.sequence ?? 0} / {p.total}
                </span>
                <button
                  type="button"
                  disabled={!p.next}
                  onClick={() => {
                    setHistory([...history, after]);
                    setAfter(p.entries.at(-1)!.sequence);
                  }}
                >
                  {w('下一页', 'Next')}
                </button>
              </div>
            </div>
          )}
        </Async>
      )}
    </section>
  );
}
