/** The closing summary of a year (demo and `medcomm year`): scores, grades, money paid and settlements. */
import { loadYear, type YearData } from '../shared/reports/index.js';
import type { Repositories } from '../shared/store/index.js';
import { table, yuan } from './format.js';

/** `data`: the year already loaded (loadYear) by a caller that writes its results too; read here otherwise. */
export async function yearSummary(
  repos: Repositories,
  communityId: string,
  year: number,
  data?: YearData,
): Promise<string> {
  const { monthly, quarterly, annual } = data ?? (await loadYear(repos, communityId, year));
  const paid = { basic: 0, reward: 0, adjustment: 0, quarterlySurplus: 0, annualBonus: 0, leaders: 0 };
  for (const m of monthly) {
    for (const r of m.results) {
      for (const l of r.lines) {
        paid.basic += l.basic;
        paid.reward += l.reward;
        paid.adjustment += l.adjustment;
      }
    }
  }
  for (const q of quarterly) {
    for (const a of q.allocations) for (const l of a.lines) paid.quarterlySurplus += l.amount;
  }
  const out: string[] = [];
  if (annual) {
    for (const a of annual.allocations) for (const l of a.lines) paid.annualBonus += l.amount;
    const { settlement } = annual;
    paid.leaders = settlement.leaders.reduce((acc, l) => acc + l.salary, 0);
    const nameOf = new Map(annual.dataset.institutions.map((i) => [i.id, i.name]));
    out.push(
      `医共体综合得分 Community score: ${settlement.communityScore}  等级 grade: ${settlement.communityGrade}`,
      '',
    );
    out.push(
      table(
        [
          '机构 institution',
          '名称 name',
          '得分 score',
          '等级 grade',
          '系数 coef.',
          '年度奖励池 bonus pool',
          '下年核定 next T',
        ],
        settlement.institutions.map((i) => [
          i.institutionId,
          nameOf.get(i.institutionId) ?? '',
          i.score,
          i.grade,
          i.coefficient,
          yuan(i.annualBonusPool),
          yuan(i.nextApprovedTotal),
        ]),
      ),
      '',
    );
    const ins = settlement.insurance;
    if (ins.outcome === 'surplus') {
      out.push(
        `医保结余 Insurance surplus ${yuan(ins.surplus)}: 留用 retained ${yuan(ins.retained)}, 返还 returned ${yuan(ins.returned)}, 用于绩效 to pay ${yuan(ins.payPart)}, 发展基金 development ${yuan(ins.developmentPart)}`,
      );
    } else if (ins.outcome === 'overspend') {
      out.push(
        `医保超支 Insurance overspend ${yuan(ins.overspend)}: 合理 reasonable ${yuan(ins.reasonable)}, 基金分担 fund bears ${yuan(ins.fundBears)}, 医共体承担 community bears ${yuan(ins.communityBears)}`,
      );
    } else out.push('医保收支平衡 Insurance budget met exactly: nothing to settle');
    const ph = settlement.publicHealth;
    const clawback = ph.rows.filter((r) => r.settlement < 0).reduce((a, r) => a + r.settlement, 0);
    const topUp = ph.rows.filter((r) => r.settlement > 0).reduce((a, r) => a + r.settlement, 0);
    out.push(
      `公卫经费 Public-health funds ${yuan(ph.total)}: 补拨 top-ups ${yuan(topUp)}, 扣回 clawbacks ${yuan(-clawback)}, 医共体留存 kept by community ${yuan(ph.retainedByCommunity)}`,
      '',
    );
  }
  out.push(
    table(
      ['类别 kind of pay', '金额 amount'],
      [
        ['基础性绩效 basic', yuan(paid.basic)],
        ['奖励性绩效 monthly reward', yuan(paid.reward)],
        ['调整 adjustments', yuan(paid.adjustment)],
        ['季度结余奖励 quarterly surplus reward', yuan(paid.quarterlySurplus)],
        ['年度考核奖励 annual bonus', yuan(paid.annualBonus)],
        ['院长年薪 leader salaries', yuan(paid.leaders)],
        ['合计 total', yuan(Object.values(paid).reduce((a, b) => a + b, 0))],
      ],
    ),
  );
  return out.join('\n');
}
