/**
 * Pay slips (工资条): one person's pay of one period, with the short "why" beside each amount, and one
 * person's year in one view (every month, quarter and the annual bonus; the year's slip). JSON for the
 * API and the console, printable A4 HTML through the reports' page layout. Pure.
 */
import type { PersonExplanation } from './explain.js';
import { showExact } from './explain-text.js';
import { html } from './html/escape.js';
import { money, page, table, yuan } from './html/layout.js';

export interface SlipItem {
  /** basic | reward | quarterlySurplus | annualBonus | adjustment | leaderSalary */
  key: string;
  label: string;
  amount: number;
  /** One line on where it comes from. */
  note: string;
}

export interface PaySlip {
  kind: 'monthly' | 'quarterly' | 'annual';
  period: string;
  revision: number;
  datasetVersion: number;
  staff: { staffId: string; name: string; department: string; post: string };
  institution: { id: string; name: string };
  items: SlipItem[];
  gross: number;
  reconciles: boolean;
}

const LABELS: Record<string, string> = {
  basic: '基础性绩效 basic',
  reward: '奖励性绩效 reward',
  quarterlySurplus: '季度结余奖励 quarterly surplus reward',
  annualBonus: '年度考核奖励 annual bonus',
  adjustment: '调整 adjustment',
  allowance: '补贴 allowance (§9.5)',
  fiscalTopUp: '财政保底补足 fiscal top-up (§9.2)',
  leaderSalary: '院长年薪 leader salary (county finance)',
};

export function paySlip(p: PersonExplanation): PaySlip {
  const items: SlipItem[] = [];
  if (p.basic)
    items.push({
      key: 'basic',
      label: LABELS.basic!,
      amount: p.basic.amount,
      note: p.basic.onPayroll
        ? '岗位标准，按月保底 monthly post standard'
        : '本月无工作量行 no workload row this month',
    });
  const share = p.share;
  items.push({
    key: p.component,
    label: LABELS[p.component]!,
    amount: p.amount,
    note: share
      ? `${p.department ? `科室 ${p.department.name}（P_d ${showExact(p.department.points)}）：` : ''}点数 points ${showExact(p.points.total)} ÷ Σ ${showExact(p.split.totalWeight)} × ${p.department ? '科室池 department pool' : '池 pool'} ${yuan(p.split.pool)}${p.department?.mode === 'manual' ? '（科主任分配 set by the head）' : ''}`
      : '本期无点数 no points this period',
  });
  if (p.allowance)
    items.push({
      key: 'allowance',
      label: LABELS.allowance!,
      amount: p.allowance.amount,
      note: p.allowance.detail
        ? `${p.allowance.detail.kind} → ${p.allowance.detail.hostInstitutionId}，每月 ${yuan(p.allowance.detail.monthlyAllowance)}`
        : '本月无派驻 no secondment this month',
    });
  if (p.fiscalTopUp)
    items.push({
      key: 'fiscalTopUp',
      label: LABELS.fiscalTopUp!,
      amount: p.fiscalTopUp.amount,
      note: p.fiscalTopUp.detail
        ? `max(0, ${yuan(p.fiscalTopUp.detail.due)} − ${yuan(p.fiscalTopUp.detail.basicPlusReward)})，县财政 county finance`
        : '仅公益一类在岗人员 funding-1 staff on the payroll only',
    });
  for (const a of p.adjustments)
    items.push({
      key: 'adjustment',
      label: LABELS.adjustment!,
      amount: a.amount,
      note: `${a.reason}（${a.refPeriod}）`,
    });
  if (p.leaderSalary)
    items.push({
      key: 'leaderSalary',
      label: LABELS.leaderSalary!,
      amount: p.leaderSalary.salary,
      note: `${yuan(p.leaderSalary.targetAnnualSalary)} × ${p.leaderSalary.coefficient}`,
    });
  return {
    kind: p.lineage.kind,
    period: p.lineage.period,
    revision: p.lineage.revision,
    datasetVersion: p.lineage.datasetVersion,
    staff: {
      staffId: p.staff.staffId,
      name: p.staff.name,
      department: p.staff.department,
      post: p.staff.post,
    },
    institution: { id: p.institution.id, name: p.institution.name },
    items,
    // The leader salary is paid by county finance, not on this sheet: it is shown, not added.
    gross: p.gross,
    reconciles: p.reconciles,
  };
}

const KIND_TITLES = { monthly: '月度', quarterly: '季度', annual: '年度' } as const;

export function renderSlipHtml(slip: PaySlip): string {
  const body = html`<dl class="kv"><dt>姓名 name</dt><dd>${slip.staff.name}</dd><dt>工号 staff id</dt><dd>${slip.staff.staffId}</dd>
<dt>单位 institution</dt><dd>${slip.institution.name}（${slip.institution.id}）</dd><dt>科室 department</dt><dd>${slip.staff.department}</dd></dl>
${table(
  ['项目 item', '金额（元）amount', '说明 how'],
  slip.items.map((i) => [i.label, money(i.amount), i.note]),
  [
    '应发合计 gross',
    money(slip.gross),
    slip.reconciles ? '与发放结果一致 matches the pay sheet' : '⚠ 与发放结果不一致',
  ],
)}
<p class="note">金额由来的完整说明：medcomm explain ${slip.period} ${slip.staff.staffId}，或控制台「金额说明」。</p>`;
  return page({
    title: `${KIND_TITLES[slip.kind]}工资条 Pay slip ${slip.period}`,
    subtitle: `${slip.institution.name} · ${slip.staff.name} · 第 ${slip.revision} 次运行 · 数据版本 v${slip.datasetVersion}`,
    body,
    sources: [],
    signatures: false,
  });
}

/** One person's year: what each completed cycle paid them. */
export interface StaffYear {
  year: number;
  staff: { staffId: string; name: string; department: string; post: string };
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

export function staffYearTotals(y: Omit<StaffYear, 'totals'>): StaffYear['totals'] {
  const basic = y.months.reduce((a, m) => a + m.basic, 0);
  const reward = y.months.reduce((a, m) => a + m.reward, 0);
  const adjustment = y.months.reduce((a, m) => a + m.adjustment, 0);
  const quarterlySurplus = y.quarters.reduce((a, q) => a + q.quarterlySurplus, 0);
  const annualBonus = y.annual?.annualBonus ?? 0;
  return {
    basic,
    reward,
    adjustment,
    quarterlySurplus,
    annualBonus,
    gross: basic + reward + adjustment + quarterlySurplus + annualBonus,
  };
}

export function renderStaffYearHtml(y: StaffYear): string {
  const rows = [
    ...y.months.map((m) => [
      m.period,
      money(m.basic),
      money(m.reward),
      '',
      '',
      money(m.adjustment),
      money(m.gross),
    ]),
    ...y.quarters.map((q) => [
      q.period,
      '',
      '',
      money(q.quarterlySurplus),
      '',
      '',
      money(q.quarterlySurplus),
    ]),
    ...(y.annual
      ? [[y.annual.period, '', '', '', money(y.annual.annualBonus), '', money(y.annual.annualBonus)]]
      : []),
  ];
  const t = y.totals;
  const body = html`<dl class="kv"><dt>姓名 name</dt><dd>${y.staff.name}</dd><dt>工号 staff id</dt><dd>${y.staff.staffId}</dd>
<dt>单位 institution</dt><dd>${y.institution.name}（${y.institution.id}）</dd><dt>科室 department</dt><dd>${y.staff.department}</dd></dl>
${table(
  ['期间 period', '基础性绩效', '奖励性绩效', '季度结余奖励', '年度考核奖励', '调整', '应发合计'],
  rows,
  [
    '全年合计 year',
    money(t.basic),
    money(t.reward),
    money(t.quarterlySurplus),
    money(t.annualBonus),
    money(t.adjustment),
    money(t.gross),
  ],
)}
${y.annual?.leaderSalary ? html`<p class="note">院长年薪（县财政发放，不在本表合计内）leader salary paid by county finance: ${yuan(y.annual.leaderSalary)} 元</p>` : ''}
<p class="note">仅列出已完成的周期 only completed cycles are listed.</p>`;
  return page({
    title: `${y.year} 年度工资条 Pay slips of the year`,
    subtitle: `${y.institution.name} · ${y.staff.name}`,
    body,
    sources: [],
    signatures: false,
  });
}
