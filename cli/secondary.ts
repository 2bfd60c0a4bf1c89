/**
 * `medcomm secondary …`: the department heads' split of a manual month (科室二次分配, DOMAIN.md §9.1) —
 * status, a department's pool and people (with the rule split as a starting file), submit a head's amounts
 * from a CSV, approve or reject (another user of the institution), and the office's close.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { preloadWorkflows, type StoreOptions, withRuntime } from './context.js';
import { table } from './format.js';

type Globals = StoreOptions & { community?: string };

const yuan = (fen: number) => (fen / 100).toFixed(2);

export function registerSecondaryCommand(program: Command): void {
  const globals = (): Globals => program.opts();
  const service = () => import('../shared/app/secondary-service.js');
  const secondary = program
    .command('secondary')
    .description(
      '科室二次分配（手工模式）：科室主任分配、机构审核、办公室关闭窗口 / the department heads’ split of a manual month',
    );

  secondary
    .command('status')
    .description('本月各机构、各科室的分配状态 / every waiting institution and department of a month')
    .argument('<period>', '月份 YYYY-MM')
    .action(async (period: string) => {
      await withRuntime(globals(), async (rt) => {
        const { windowStatus } = await service();
        const status = await windowStatus(rt.repos, { period, ...community(globals()) });
        if (!status.window) {
          console.log(`${period}: 没有科室二次分配窗口 / no secondary-distribution window`);
          return;
        }
        const w = status.window;
        console.log(
          `${period} r${status.revision}: 窗口 window ${w.status}${w.closedAt ? ` (${w.closedBy}, ${w.closedAt})` : ''}`,
        );
        console.log(
          table(
            ['institution', 'department', 'pool ¥', 'people', 'status', 'submitted by', 'decided by'],
            status.institutions.flatMap((i) =>
              i.departments.map((d) => [
                i.institutionId,
                d.departmentId,
                yuan(d.pool),
                d.people,
                d.status,
                d.submittedBy ?? '',
                d.decidedBy ?? '',
              ]),
            ),
          ),
        );
      });
    });

  secondary
    .command('show')
    .description(
      '一个科室的奖励池、人员与按规则的默认分配；--out 写出可编辑的 amounts.csv / a department’s pool and people',
    )
    .argument('<period>', '月份 YYYY-MM')
    .requiredOption('--institution <id>', '机构编码 institution id')
    .requiredOption('--department <id>', '科室编码 department id')
    .option('--out <file>', '写出 amounts.csv（按规则的默认金额）write amounts.csv with the rule split')
    .action(async (period: string, o: { institution: string; department: string; out?: string }) => {
      await withRuntime(globals(), async (rt) => {
        const { departmentView } = await service();
        const view = await departmentView(
          rt.repos,
          { period, institutionId: o.institution, departmentId: o.department, ...community(globals()) },
          { by: 'cli' },
        );
        const d = view.department;
        console.log(
          `${o.institution}/${d.departmentId} ${d.name} ${period}: 奖励池 pool ¥${yuan(d.pool)}, ${d.members.length} 人 people` +
            (d.cap === undefined ? '' : `, 个人上限 cap ¥${yuan(d.cap)}`),
        );
        const submitted = view.submission?.amounts;
        console.log(
          table(
            ['staffId', 'name', 'rule ¥', ...(submitted ? [`${view.submission!.status} ¥`] : [])],
            d.members.map((m) => [
              m.staffId,
              m.name,
              yuan(m.rule),
              ...(submitted ? [yuan(submitted[m.staffId] ?? 0)] : []),
            ]),
          ),
        );
        if (o.out) {
          const lines = [
            'staffId,name,amount',
            ...d.members.map((m) => `${m.staffId},${m.name},${yuan(m.rule)}`),
          ];
          await writeFile(resolve(o.out), `\uFEFF${lines.join('\r\n')}\r\n`, { mode: 0o600 });
          console.log(`已写出 Written ${resolve(o.out)}`);
        }
      });
    });

  secondary
    .command('submit')
    .description(
      '科室主任提交本科室的分配（按人到分，合计等于奖励池）/ a head submits the department’s amounts',
    )
    .argument('<period>', '月份 YYYY-MM')
    .requiredOption('--institution <id>', '机构编码 institution id')
    .requiredOption('--department <id>', '科室编码 department id')
    .requiredOption('--file <amounts.csv>', 'staffId,amount（元 yuan）')
    .requiredOption('--as <user>', '科室主任 the department head')
    .action(
      async (period: string, o: { institution: string; department: string; file: string; as: string }) => {
        const { parseAmountsCsv } = await service();
        const amounts = parseAmountsCsv(await readFile(resolve(o.file)), o.file);
        await withRuntime(globals(), async (rt) => {
          const { submitSplit } = await service();
          const s = await submitSplit(
            rt.repos,
            {
              period,
              institutionId: o.institution,
              departmentId: o.department,
              amounts,
              ...community(globals()),
            },
            { by: o.as },
          );
          console.log(
            `${o.institution}/${o.department} ${period}: 已提交 submitted (v${s.version}) by ${s.submittedBy}; 待本机构另一位用户审核 awaiting approval by another user of the institution`,
          );
        });
      },
    );

  for (const verb of ['approve', 'reject'] as const) {
    secondary
      .command(verb)
      .description(
        verb === 'approve'
          ? '审核通过一个科室的分配（不能是提交人）/ approve a department’s split (not its submitter)'
          : '驳回一个科室的分配（须填写原因）/ reject a department’s split (with a reason)',
      )
      .argument('<period>', '月份 YYYY-MM')
      .requiredOption('--institution <id>', '机构编码 institution id')
      .requiredOption('--department <id>', '科室编码 department id')
      .requiredOption('--as <user>', '本机构用户 a user of the institution')
      .option('--reason <text>', '驳回原因 reason')
      .action(
        async (
          period: string,
          o: { institution: string; department: string; as: string; reason?: string },
        ) => {
          await withRuntime(globals(), async (rt) => {
            const { decideSplit } = await service();
            const s = await decideSplit(
              rt.repos,
              {
                period,
                institutionId: o.institution,
                departmentId: o.department,
                approve: verb === 'approve',
                ...(o.reason ? { reason: o.reason } : {}),
                ...community(globals()),
              },
              { by: o.as },
            );
            console.log(`${o.institution}/${o.department} ${period}: ${s.status} by ${s.decidedBy}`);
          });
        },
      );
  }

  secondary
    .command('close')
    .description(
      '关闭分配窗口：未获审核通过的科室按规则分配，本月随即发放并锁定 / close the window; the month then pays and locks',
    )
    .argument('<period>', '月份 YYYY-MM')
    .requiredOption('--as <user>', '办公室用户 office user')
    .action(async (period: string, o: { as: string }) => {
      // The close resumes the month: load its state machine while the database starts.
      void preloadWorkflows();
      await withRuntime(globals(), async (rt) => {
        const { closeWindow } = await service();
        const closed = await closeWindow(
          rt.repos,
          rt.workflows,
          { period, ...community(globals()) },
          { by: o.as },
        );
        const cycle = await rt.repos.cycles.get(closed.communityId, 'monthly', period);
        console.log(
          `${period}: 窗口已关闭 window closed; ${closed.approved} 个科室按审核通过的分配 departments paid as approved, 其余按规则 the rest by the rule split; 月调度 monthly cycle: ${cycle?.status ?? '?'}`,
        );
      });
    });
}

const community = (g: Globals) => (g.community ? { communityId: g.community } : {});
