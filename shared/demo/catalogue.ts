/**
 * The demo's default indicator catalogue (indicators.csv), drawn from the national 2024 紧密型县域医共体
 * monitoring set, the 二级公立医院 performance set and basic public-health services, with the seed
 * policies' own targets where they give one. Each entry also says how the generator invents plausible
 * monthly values for it; that part never reaches the CSV.
 */
import type { InstitutionKind } from '../schemas/dataset.js';

/** What the generator knows about an institution when it invents a value. */
export interface ValueContext {
  kind: InstitutionKind;
  headcount: number;
  servedPopulation: number;
}

/**
 * How to invent a value for achievement level a (0 = poor, 1 = on target, > 1 = better than target).
 * `bad` is the value at a = 0 and `good` the value at a = 1, whatever the direction.
 */
export type ValueGen =
  | { type: 'ratio'; bad: number; good: number; max?: number; den: (c: ValueContext) => number }
  | { type: 'value'; bad: number; good: number; decimals: number; min?: number; max?: number }
  | { type: 'count'; bad: (c: ValueContext) => number; good: (c: ValueContext) => number }
  | { type: 'events'; base: number; slope: number }
  | { type: 'flag' };

export interface DemoIndicator {
  id: string;
  nameZh: string;
  nameEn: string;
  dimension: 'public_benefit' | 'medical' | 'insurance' | 'public_health' | 'satisfaction' | 'development';
  appliesTo: '*' | readonly InstitutionKind[];
  cadence: 'monthly' | 'quarterly' | 'annual';
  direction: 'higher' | 'lower';
  aggregation: 'ratio' | 'sum' | 'mean' | 'min' | 'max' | 'last';
  method: 'yes_no' | 'ge_target' | 'le_target' | 'linear' | 'bands' | 'deduct' | 'bonus' | 'actual';
  weight: string;
  target?: string;
  floor?: string;
  params?: string;
  gen: ValueGen;
}

const COUNTY: readonly InstitutionKind[] = ['county_hospital', 'county_tcm', 'county_mch', 'county_other'];
const PRIMARY_AND_CDC: readonly InstitutionKind[] = ['township', 'public_health'];
/** Served population, or a headcount-based stand-in for institutions that serve no population of their own. */
const pop = (c: ValueContext, perHead: number) =>
  c.servedPopulation > 0 ? c.servedPopulation : c.headcount * perHead;

export const DEMO_INDICATORS: readonly DemoIndicator[] = [
  {
    id: 'county_visit_rate',
    nameZh: '县域内就诊率',
    nameEn: 'In-county visit rate',
    dimension: 'public_benefit',
    appliesTo: COUNTY,
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'linear',
    weight: '8',
    target: '0.90', // seed 000: 县域内就诊率达到90%左右
    floor: '0.80',
    gen: { type: 'ratio', bad: 0.78, good: 0.92, den: (c) => c.headcount * 45 },
  },
  {
    id: 'county_inpatient_rate',
    nameZh: '县域内住院率',
    nameEn: 'In-county inpatient rate',
    dimension: 'public_benefit',
    appliesTo: COUNTY,
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'ge_target',
    weight: '8',
    target: '0.85', // seed 000: 住院率达到85%左右
    gen: { type: 'ratio', bad: 0.62, good: 0.87, den: (c) => c.headcount * 3 },
  },
  {
    id: 'primary_visit_share',
    nameZh: '基层诊疗人次占比（基层就诊率）',
    nameEn: 'Primary-care visit share',
    dimension: 'public_benefit',
    appliesTo: ['township'],
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'ge_target',
    weight: '10',
    target: '0.65', // seed 000: 基层就诊率达到65%左右
    gen: { type: 'ratio', bad: 0.4, good: 0.68, den: (c) => pop(c, 60) * 0.1 },
  },
  {
    id: 'referrals_down',
    nameZh: '下转患者人次（双向转诊）',
    nameEn: 'Patients referred down (two-way referral)',
    dimension: 'medical',
    appliesTo: COUNTY,
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'sum',
    method: 'ge_target',
    weight: '6',
    target: '600', // annual; prorated by |W|/12
    gen: { type: 'count', bad: () => 18, good: () => 52 },
  },
  {
    id: 'surgery_grade34',
    nameZh: '三四级手术占比',
    nameEn: 'Grade 3–4 operations share',
    dimension: 'medical',
    appliesTo: ['county_hospital', 'county_tcm', 'county_other'],
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'linear',
    weight: '8',
    target: '0.35',
    floor: '0.15',
    gen: { type: 'ratio', bad: 0.1, good: 0.37, den: (c) => c.headcount * 0.25 },
  },
  {
    id: 'inpatient_cost_growth',
    nameZh: '住院患者次均费用增幅（%）',
    nameEn: 'Growth of inpatient cost per stay (%)',
    dimension: 'insurance',
    appliesTo: COUNTY,
    cadence: 'monthly',
    direction: 'lower',
    aggregation: 'mean',
    method: 'le_target',
    weight: '6',
    target: '5',
    gen: { type: 'value', bad: 11, good: 3.5, decimals: 2 },
  },
  {
    id: 'insurance_in_county',
    nameZh: '医保基金县域内支出占比',
    nameEn: 'Insurance fund spent inside the county',
    dimension: 'insurance',
    appliesTo: COUNTY,
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'linear',
    weight: '8',
    target: '0.90',
    floor: '0.70',
    gen: { type: 'ratio', bad: 0.66, good: 0.92, den: (c) => c.headcount * 20 },
  },
  {
    id: 'insurance_primary',
    nameZh: '医保基金县域内基层医疗卫生机构支出占比',
    nameEn: 'Insurance fund spent at primary level',
    dimension: 'insurance',
    appliesTo: ['township'],
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'linear',
    weight: '6',
    target: '0.25',
    floor: '0.10',
    gen: { type: 'ratio', bad: 0.07, good: 0.27, den: (c) => pop(c, 60) * 0.05 },
  },
  {
    id: 'quality_defects',
    nameZh: '医疗质量安全缺陷（例）',
    nameEn: 'Quality and safety defects',
    dimension: 'medical',
    appliesTo: [...COUNTY, 'township', 'emergency'],
    cadence: 'monthly',
    direction: 'lower',
    aggregation: 'sum',
    method: 'deduct',
    weight: '8',
    params: '0.5', // points deducted per defect
    gen: { type: 'events', base: 0.08, slope: 0.55 },
  },
  {
    id: 'core_trained',
    nameZh: '培养临床骨干医师人数',
    nameEn: 'Core clinicians trained',
    dimension: 'development',
    appliesTo: COUNTY,
    cadence: 'annual',
    direction: 'higher',
    aggregation: 'sum',
    method: 'ge_target',
    weight: '4',
    target: '3', // seed 003: 每年培养至少3名临床骨干医师
    gen: { type: 'count', bad: () => 0.6, good: () => 3.2 },
  },
  {
    id: 'seconded_staff',
    nameZh: '下派驻点帮扶人员数（≥6个月）',
    nameEn: 'Staff seconded to townships for 6+ months',
    dimension: 'development',
    appliesTo: COUNTY,
    cadence: 'annual',
    direction: 'higher',
    aggregation: 'last',
    method: 'ge_target',
    weight: '4',
    target: '5', // seed 003: 派驻至少5名，时间不少于6个月
    gen: { type: 'count', bad: () => 1.5, good: () => 5.5 },
  },
  {
    id: 'gp_per_10k',
    nameZh: '每万常住人口全科医生数',
    nameEn: 'General practitioners per 10,000 residents',
    dimension: 'development',
    appliesTo: ['township'],
    cadence: 'annual',
    direction: 'higher',
    aggregation: 'last',
    method: 'ge_target',
    weight: '5',
    target: '2', // seed 004: 每万常住人口拥有全科医生2名以上
    gen: { type: 'value', bad: 1.1, good: 2.3, decimals: 2, min: 0.3 },
  },
  {
    id: 'family_doctor_contract',
    nameZh: '家庭医生签约服务履约',
    nameEn: 'Family-doctor contracts honoured',
    dimension: 'public_benefit',
    appliesTo: ['township'],
    cadence: 'annual',
    direction: 'higher',
    aggregation: 'last',
    method: 'yes_no',
    weight: '4',
    gen: { type: 'flag' },
  },
  {
    id: 'hypertension_managed',
    nameZh: '高血压患者规范管理率',
    nameEn: 'Hypertension patients managed to standard',
    dimension: 'public_health',
    appliesTo: PRIMARY_AND_CDC,
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'ge_target',
    weight: '8',
    target: '0.65',
    gen: {
      type: 'ratio',
      bad: 0.4,
      good: 0.7,
      den: (c) => (c.kind === 'township' ? c.servedPopulation * 0.04 : c.servedPopulation * 0.01),
    },
  },
  {
    id: 'diabetes_managed',
    nameZh: '2型糖尿病患者规范管理率',
    nameEn: 'Type 2 diabetes patients managed to standard',
    dimension: 'public_health',
    appliesTo: PRIMARY_AND_CDC,
    cadence: 'quarterly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'linear',
    weight: '6',
    target: '0.65',
    floor: '0.40',
    gen: {
      type: 'ratio',
      bad: 0.32,
      good: 0.68,
      den: (c) => (c.kind === 'township' ? c.servedPopulation * 0.012 : c.servedPopulation * 0.004),
    },
  },
  {
    id: 'records_in_use',
    nameZh: '电子健康档案使用率',
    nameEn: 'Electronic health records in use',
    dimension: 'public_health',
    appliesTo: PRIMARY_AND_CDC,
    cadence: 'quarterly',
    direction: 'higher',
    aggregation: 'mean',
    method: 'bands',
    weight: '5',
    params: '0.6:1;0.5:0.8;0.4:0.5',
    gen: { type: 'value', bad: 0.28, good: 0.64, decimals: 3, max: 0.95 },
  },
  {
    id: 'public_health_tasks',
    nameZh: '基本公共卫生服务项目任务完成率',
    nameEn: 'Basic public-health service tasks completed',
    dimension: 'public_health',
    appliesTo: PRIMARY_AND_CDC,
    cadence: 'quarterly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'ge_target',
    weight: '10',
    target: '0.95',
    gen: { type: 'ratio', bad: 0.68, good: 0.97, max: 1, den: (c) => c.servedPopulation * 0.25 },
  },
  {
    id: 'maternal_managed',
    nameZh: '孕产妇系统管理率',
    nameEn: 'Maternal care system-management rate',
    dimension: 'public_health',
    appliesTo: ['county_mch', 'township'],
    cadence: 'quarterly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'ge_target',
    weight: '6',
    target: '0.90',
    gen: { type: 'ratio', bad: 0.7, good: 0.95, den: (c) => pop(c, 1.2) * 0.0028 },
  },
  {
    id: 'infectious_reporting',
    nameZh: '法定传染病报告及时率',
    nameEn: 'Notifiable diseases reported on time',
    dimension: 'public_health',
    appliesTo: ['public_health'],
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'ratio',
    method: 'ge_target',
    weight: '8',
    target: '0.99',
    gen: { type: 'ratio', bad: 0.88, good: 0.995, max: 1, den: (c) => c.servedPopulation * 0.0006 },
  },
  {
    id: 'response_time',
    nameZh: '院前急救平均反应时间（分钟）',
    nameEn: 'Mean pre-hospital emergency response time (minutes)',
    dimension: 'medical',
    appliesTo: ['emergency'],
    cadence: 'monthly',
    direction: 'lower',
    aggregation: 'mean',
    method: 'linear',
    weight: '15',
    target: '12',
    floor: '20',
    gen: { type: 'value', bad: 22, good: 11.5, decimals: 1, min: 7 },
  },
  {
    id: 'emergency_drill',
    nameZh: '突发公共卫生事件应急演练开展',
    nameEn: 'Public-health emergency drill held',
    dimension: 'public_health',
    appliesTo: ['public_health', 'emergency'],
    cadence: 'quarterly',
    direction: 'higher',
    aggregation: 'last',
    method: 'yes_no',
    weight: '4',
    gen: { type: 'flag' },
  },
  {
    id: 'satisfaction',
    nameZh: '患者满意度',
    nameEn: 'Patient satisfaction',
    dimension: 'satisfaction',
    appliesTo: '*',
    cadence: 'quarterly',
    direction: 'higher',
    aggregation: 'mean',
    method: 'actual',
    weight: '8',
    gen: { type: 'value', bad: 66, good: 93, decimals: 1, max: 99.5 },
  },
  {
    id: 'telemedicine',
    nameZh: '远程会诊开展例数',
    nameEn: 'Telemedicine consultations',
    dimension: 'development',
    appliesTo: [...COUNTY, 'township'],
    cadence: 'monthly',
    direction: 'higher',
    aggregation: 'sum',
    method: 'bonus',
    weight: '3',
    params: '0.05', // bonus points per consultation, capped at the weight
    gen: { type: 'count', bad: (c) => c.headcount / 400, good: (c) => 1 + c.headcount / 80 },
  },
  {
    id: 'vacancy_rate',
    nameZh: '编制空缺率',
    nameEn: 'Establishment vacancy rate',
    dimension: 'development',
    appliesTo: '*',
    cadence: 'annual',
    direction: 'lower',
    aggregation: 'last',
    method: 'le_target',
    weight: '3',
    target: '0.10', // seed 000 names the vacancy rate as a 医共体 indicator
    gen: { type: 'value', bad: 0.24, good: 0.07, decimals: 3, min: 0.01 },
  },
];

export function appliesToKind(indicator: DemoIndicator, kind: InstitutionKind): boolean {
  return indicator.appliesTo === '*' || indicator.appliesTo.includes(kind);
}

/** Whether data for the indicator is due in month m (1–12): monthly always, quarterly in 3/6/9/12, annual in 12. */
export function dueInMonth(indicator: DemoIndicator, month: number): boolean {
  if (indicator.cadence === 'monthly') return true;
  if (indicator.cadence === 'quarterly') return month % 3 === 0;
  return month === 12;
}
