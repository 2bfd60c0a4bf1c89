/**
 * The words of the cycle board's lifecycle parts (years, the start confirmation, corrections) and of
 * finance's correction reviews, in Chinese and English — the same pattern as i18n.ts (a Chinese table
 * whose keys the English one must all have), kept apart so the pages of issue 11 do not edit the
 * console's shared table while others do. The language is the console's (useI18n).
 */
import { type Lang, useI18n } from './i18n';

const zh = {
  chooseYear: '年度',
  importedLine: '{by} 于 {at} 导入',
  startedLine: '{by} 于 {at} 开始',
  updatedLine: '更新于 {at}',
  decidedLine: '{verdict}：{by}，{at}',
  verdict_approved: '审核通过',
  verdict_rejected: '驳回',
  datasetV: '数据集 v{n}',
  waitingForData: '等待数据',
  waitingForDataHint: '{period} 还没有任何工作量数据（workload.csv），导入后才能开始',
  missingHint: '{n} 个机构没有本月数据',
  schedulerWaiting: '自动运行等待数据：自 {since} 起已尝试 {attempts} 次，最近 {last}',
  acknowledgedMissing: '已确认无数据、本月未发放：{ids}',
  // the start confirmation
  confirmTitle: '确认开始 {period} 月调度',
  confirmIntro:
    '开始后将按以下数据计算 {period} 的绩效并锁定该月的工作量与调整数据；之后只能通过更正（补发/扣回）修改。',
  confirmMonth: '月份',
  headcount: '有工作量数据的人数',
  peopleOnSheet: '工资表人数',
  totalGross: '应发合计',
  postedHere: '本月将一并发放以下已审核更正的差额：',
  correctionName: '更正 {period} r{n}',
  differenceOf: '差额 {amount}（{people} 人）',
  missingTitle: '以下 {n} 个机构本月没有工作量数据，本月将不发放其绩效：',
  staffCount: '在册人数',
  acknowledge: '我已确认以上机构本月不发放绩效',
  acknowledgeFirst: '请先勾选确认',
  confirmStart: '确认开始 {period}',
  cancel: '取消',
  // corrections on the board
  correct: '更正',
  correctionTitle: '更正 {period}（{kind}）',
  correctionIntro:
    '选择包含更正后数据的数据集文件夹（与导入相同的文件）。系统按同样规则重新计算该期间，作为新的更正版本；差额经财务审核后作为调整计入下一个未开始的月份（补发/扣回），已发放的月份不变。',
  correctionReason: '更正原因',
  submitCorrection: '提交更正',
  uploading: '正在上传文件…',
  recomputing: '正在重新计算…',
  correctionStarted: '更正 {period} r{n} 已提交，待财务审核：差额合计 {amount}，涉及 {people} 人',
  correctionIssues: '更正数据有 {n} 个问题，未提交',
  correctionsTitle: '{year} 年的更正',
  noCorrections: '本年度还没有更正。',
  correctionsOfPeriod: '更正',
  revisionCol: '版本',
  oldTotal: '原金额',
  newTotal: '更正后',
  difference: '差额',
  people: '人数',
  postedTo: '计入月份',
  decision: '审核',
  started: '发起',
  // finance's correction reviews
  correctionReviewsTitle: '待审核的更正（补发/扣回）',
  correctionReviewsIntro:
    '已完成期间的更正：每人各项金额的差额（更正后 − 原金额）。审核通过后差额作为调整计入下一个未开始的月份。',
  noCorrectionReviews: '没有待审核的更正。',
  baseRevision: '更正第 {n} 次运行的结果',
  differencesOf: '{institution} 各人差额',
  institutionDifferences: '各机构差额',
  institutionCol: '机构',
  linesCol: '行数',
  differencesCut:
    '差额明细共 {lines} 行，超出一次可显示的范围：下面列出前 {shown} 个机构的 {linesShown} 行，其余 {rest} 个机构请逐个打开。',
  showDifferences: '{institution}：显示各人差额',
  component: '项目',
  comp_allowance: '补贴',
  comp_fiscalTopUp: '财政保底补足',
  notYourCorrection: '您不能审核此更正',
  notBy: '须由 {by} 以外的财务人员审核（双人复核）',
  approveCorrection: '审核通过更正 {period}',
  rejectCorrection: '驳回更正 {period}',
  confirmApproveCorrection:
    '确认审核通过更正 {period} r{n}？差额合计 {amount}（{people} 人）将计入下一个未开始的月份发放。',
  confirmRejectCorrection: '确认驳回更正 {period} r{n}？差额合计 {amount} 将不发放。',
  correctionApproved: '更正 {period} r{n} 已审核通过，差额计入 {month}',
  correctionRejected: '更正 {period} r{n} 已驳回',
};

export type LifecycleKey = keyof typeof zh;

const en: Record<LifecycleKey, string> = {
  chooseYear: 'Year',
  importedLine: 'imported by {by} on {at}',
  startedLine: 'started by {by} on {at}',
  updatedLine: 'updated {at}',
  decidedLine: '{verdict} by {by} on {at}',
  verdict_approved: 'approved',
  verdict_rejected: 'rejected',
  datasetV: 'dataset v{n}',
  waitingForData: 'Waiting for data',
  waitingForDataHint: '{period} has no workload rows yet (workload.csv); import them before starting it',
  missingHint: '{n} institutions have no rows this month',
  schedulerWaiting: 'The schedule waits for data: {attempts} tries since {since}, last {last}',
  acknowledgedMissing: 'Acknowledged without data, paid nothing this month: {ids}',
  confirmTitle: 'Start the monthly cycle of {period}?',
  confirmIntro:
    'Starting computes {period} on these figures and locks the month’s workload and adjustments; afterwards only a correction changes them.',
  confirmMonth: 'Month',
  headcount: 'People with workload rows',
  peopleOnSheet: 'People on the sheet',
  totalGross: 'Gross total',
  postedHere: 'This month also pays the differences of these approved corrections:',
  correctionName: 'Correction {period} r{n}',
  differenceOf: 'difference {amount} ({people} people)',
  missingTitle: 'These {n} institutions have no workload rows this month and are paid nothing for it:',
  staffCount: 'Staff',
  acknowledge: 'I acknowledge that these institutions are paid nothing this month',
  acknowledgeFirst: 'Tick the acknowledgement first',
  confirmStart: 'Start {period}',
  cancel: 'Cancel',
  correct: 'Correct',
  correctionTitle: 'Correct {period} ({kind})',
  correctionIntro:
    'Choose a dataset folder holding the corrected rows (the same files as an import). The period is recomputed with the same rules as a new correction revision; after finance approves, each difference is paid as an adjustment in the next open month. Months already paid stay as paid.',
  correctionReason: 'Reason for the correction',
  submitCorrection: 'Submit the correction',
  uploading: 'Uploading the files…',
  recomputing: 'Recomputing…',
  correctionStarted:
    'Correction {period} r{n} submitted for finance review: difference {amount} in total, {people} people',
  correctionIssues: 'The corrected data has {n} issues; nothing was submitted',
  correctionsTitle: 'Corrections of {year}',
  noCorrections: 'No corrections this year.',
  correctionsOfPeriod: 'Corrections',
  revisionCol: 'Revision',
  oldTotal: 'Old',
  newTotal: 'New',
  difference: 'Difference',
  people: 'People',
  postedTo: 'Posted to',
  decision: 'Decision',
  started: 'Started',
  correctionReviewsTitle: 'Corrections awaiting review',
  correctionReviewsIntro:
    'Corrections of completed periods: each person’s difference (new − old) per component. Approved, the differences are paid as adjustments in the next open month.',
  noCorrectionReviews: 'No corrections awaiting review.',
  baseRevision: 'corrects revision {n}',
  differencesOf: 'Differences at {institution}',
  institutionDifferences: 'Difference by institution',
  institutionCol: 'Institution',
  linesCol: 'Lines',
  differencesCut:
    'The differences run to {lines} lines, more than one page can carry: the lines of the first {shown} institutions ({linesShown} lines) are below; open the other {rest} one by one.',
  showDifferences: '{institution}: show each person’s difference',
  component: 'Component',
  comp_allowance: 'Allowance',
  comp_fiscalTopUp: 'Fiscal top-up',
  notYourCorrection: 'You may not decide this correction',
  notBy: 'It must be decided by someone other than {by} (four eyes)',
  approveCorrection: 'Approve correction {period}',
  rejectCorrection: 'Reject correction {period}',
  confirmApproveCorrection:
    'Approve correction {period} r{n}? Its differences, {amount} in total for {people} people, are paid in the next open month.',
  confirmRejectCorrection: 'Reject correction {period} r{n}? Its differences ({amount}) are not paid.',
  correctionApproved: 'Correction {period} r{n} approved; the differences are paid in {month}',
  correctionRejected: 'Correction {period} r{n} rejected',
};

const TABLES: Record<Lang, Record<LifecycleKey, string>> = { zh, en };

export type LifecycleTranslate = (key: LifecycleKey, params?: Record<string, string | number>) => string;

/** The console's language and translator, with this module's words as `l`. */
export function useLifecycleI18n() {
  const context = useI18n();
  const table = TABLES[context.lang];
  const l: LifecycleTranslate = (key, params) =>
    params
      ? table[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
      : table[key];
  /** An ISO instant as the reader's date and time. */
  const when = (iso: string | undefined) =>
    iso ? new Date(iso).toLocaleString(context.lang === 'zh' ? 'zh-CN' : 'en') : '';
  return { ...context, l, when };
}
