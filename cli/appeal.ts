/**
 * `medcomm appeal …`: appeals (申诉/复核, issue 14) on the command line — a member institution files one
 * while the period's publication window is open; the office lists them and accepts (with the corrected
 * rows, opening a correction for finance) or rejects them (never the appellant).
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Appeal } from '../shared/store/appeals.js';
import type { Repositories } from '../shared/store/index.js';
import { type StoreOptions, withRuntime } from './context.js';
import { table, yuan } from './format.js';

type Globals = StoreOptions & { community?: string };

const kindOf = (period: string) => {
  if (/^\d{4}$/.test(period)) return 'annual' as const;
  if (/^\d{4}-Q[1-4]$/.test(period)) return 'quarterly' as const;
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) return 'monthly' as const;
  throw new Error(
    `无法识别的期间 "${period}"（应为 YYYY-MM、YYYY-Qn 或 YYYY）/ unknown period "${period}" (expected YYYY-MM, YYYY-Qn or YYYY)`,
  );
};

const targetText = (a: Pick<Appeal, 'target'>) =>
  a.target.type === 'indicator' ? `指标 indicator ${a.target.indicatorId}` : `职工 staff ${a.target.staffId}`;

export function describeAppeal(a: Appeal): string {
  const correction = a.correction
    ? ` → 更正 correction ${a.correction.kind} ${a.correction.period} r${a.correction.revision}`
    : '';
  const decision = a.decision ? ` — ${a.decision.by}: ${a.decision.reason}` : '';
  return `申诉 appeal ${a.id} ${a.period} ${a.institutionId} ${targetText(a)}: ${a.status}${decision}${correction}`;
}

export function registerAppealCommand(program: Command): void {
  const globals = (): Globals => program.opts();
  const community = async (repos: Repositories) =>
    (await import('../shared/app/cycle-service.js')).resolveCommunity(repos, globals().community);
  const service = () => import('../shared/app/appeal-service.js');

  program
    .command('publish')
    .description(
      '公示已完成的季度或年度结果（成员单位、职工可见，可在公示期内申诉）/ publish a completed quarter or year for a window (members and staff see it, and may appeal)',
    )
    .argument('<period>', 'YYYY-Qn | YYYY')
    .option('--from <date-time>', '公示开始（默认现在）window opens (default now), ISO 8601')
    .requiredOption('--to <date-time>', '公示结束 window closes, ISO 8601 (e.g. 2026-04-15T00:00:00+08:00)')
    .requiredOption('--as <user>', '发布人（办公室）office user')
    .action(async (period: string, o) => {
      const kind = kindOf(period);
      if (kind === 'monthly')
        throw new Error('只公示季度或年度结果 / only a quarter or a year is published (YYYY-Qn | YYYY)');
      for (const [name, value] of [
        ['--from', o.from],
        ['--to', o.to],
      ] as const)
        if (value !== undefined && Number.isNaN(Date.parse(value)))
          throw new Error(`${name} 不是日期时间 / ${name} is not a date-time: ${value}`);
      const { publish } = await import('../shared/app/publication-service.js');
      await withRuntime(globals(), async (rt) => {
        const p = await publish(rt.repos, {
          communityId: await community(rt.repos),
          kind,
          period,
          ...(o.from ? { from: o.from } : {}),
          to: o.to,
          by: o.as,
        });
        console.log(`已公示 Published ${p.kind} ${p.period} r${p.revision}: ${p.from} — ${p.to}`);
      });
    });

  const appeal = program
    .command('appeal')
    .description(
      '申诉/复核：成员单位在公示期内申诉，办公室受理（发起更正）或驳回 / appeals: a member files during publication, the office accepts (a correction) or rejects',
    );

  appeal
    .command('file')
    .description('在公示期内提出申诉 / file an appeal while the period is published')
    .argument('<period>', 'YYYY-MM | YYYY-Qn | YYYY')
    .requiredOption('--institution <id>', '申诉机构（本单位）the appealing institution (your own)')
    .option('--indicator <id>', '申诉的指标（季度、年度）the indicator contested (quarter or year)')
    .option('--staff <id>', '申诉的职工明细 the person whose line is contested')
    .requiredOption('--reason <text>', '申诉理由 why')
    .option('--attachment <name...>', '附件名称 attachment names')
    .requiredOption('--as <user>', '申诉人（成员单位）member user filing')
    .action(async (period: string, o) => {
      if (Boolean(o.indicator) === Boolean(o.staff))
        throw new Error('须指明 --indicator 或 --staff 之一 / name one of --indicator or --staff');
      await withRuntime(globals(), async (rt) => {
        const filed = await (await service()).fileAppeal(rt.repos, {
          communityId: await community(rt.repos),
          kind: kindOf(period),
          period,
          institutionId: o.institution,
          target: o.indicator
            ? { type: 'indicator', indicatorId: o.indicator }
            : { type: 'person', staffId: o.staff },
          reason: o.reason,
          attachments: o.attachment ?? [],
          by: o.as,
        });
        console.log(describeAppeal(filed));
      });
    });

  appeal
    .command('list')
    .description('列出申诉及其状态 / the appeals and their state')
    .option('--year <yyyy>', '年度 year')
    .option('--institution <id>', '只看某机构 one institution only')
    .action(async (o) => {
      await withRuntime(globals(), async (rt) => {
        const appeals = await (await service()).listAppeals(rt.repos, await community(rt.repos), {
          ...(o.year ? { year: Number(o.year) } : {}),
          ...(o.institution ? { institutionId: o.institution } : {}),
        });
        if (appeals.length === 0) {
          console.log('没有申诉 No appeals');
          return;
        }
        console.log(
          table(
            ['id', 'period', 'institution', 'target', 'status', 'filed', 'decided', 'correction'],
            appeals.map((a) => [
              a.id,
              a.period,
              a.institutionId,
              a.target.type === 'indicator' ? a.target.indicatorId : a.target.staffId,
              a.status,
              `${a.filedBy} ${a.filedAt.slice(0, 16)}`,
              a.decision ? `${a.decision.by}: ${a.decision.reason}` : '',
              a.correction ? `${a.correction.kind} ${a.correction.period} r${a.correction.revision}` : '',
            ]),
          ),
        );
      });
    });

  appeal
    .command('accept')
    .description(
      '受理申诉：以更正后的行发起更正（差额经财务审核后计入下一个未开始的月份）/ accept: correct the period with the rows given (finance reviews; the next open month pays)',
    )
    .argument('<id>', '申诉编号 appeal id (YYYY-nnnn)')
    .requiredOption('--reason <text>', '受理理由 why')
    .requiredOption(
      '--rows <file...>',
      '更正后的行：workload.csv、adjustments.csv（月度）或 finance.csv、indicator-values.csv（季度）/ the corrected rows as CSV files named like the import’s',
    )
    .requiredOption('--as <user>', '处理人（办公室，非申诉人）office user, not the appellant')
    .action(async (id: string, o) => {
      const rows: Record<string, Uint8Array> = {};
      for (const file of o.rows as string[]) rows[basename(file)] = await readFile(resolve(file));
      const { recomputePeriod } = await import('../functions/recompute-period.js');
      await withRuntime(globals(), async (rt) => {
        const { appeal: decided, correction } = await (await service()).acceptAppeal(
          rt.repos,
          recomputePeriod,
          { communityId: await community(rt.repos), id, by: o.as, reason: o.reason, rows },
        );
        console.log(describeAppeal(decided));
        console.log(
          `更正 correction ${correction.kind} ${correction.period} r${correction.revision}: 差额 difference ${yuan(correction.totals.difference)}，${correction.totals.people} 人 people — ` +
            `等待财务审核 awaiting finance: medcomm approve ${correction.period} --correction --as <finance user>`,
        );
      });
    });

  appeal
    .command('reject')
    .description('驳回申诉（须说明理由）/ reject an appeal, with a reason')
    .argument('<id>', '申诉编号 appeal id (YYYY-nnnn)')
    .requiredOption('--reason <text>', '驳回理由 why')
    .requiredOption('--as <user>', '处理人（办公室，非申诉人）office user, not the appellant')
    .action(async (id: string, o) => {
      await withRuntime(globals(), async (rt) => {
        const decided = await (await service()).rejectAppeal(rt.repos, {
          communityId: await community(rt.repos),
          id,
          by: o.as,
          reason: o.reason,
        });
        console.log(describeAppeal(decided));
      });
    });
}
