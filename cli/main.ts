/**
 * `medcomm`: the command line of MedComm Pay on the embedded default (DynamoDB Local under ./.medcomm or
 * $MEDCOMM_HOME, the cycles in the local Step Functions interpreter). Every command prints a clear
 * bilingual message and exits non-zero on failure.
 */
// Start only what a command needs: modules beyond commander are imported inside the actions (help and
// argument errors load nothing else; test/e2e/cli-startup.test.ts checks what each command loads).
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import type { CycleRecord } from '../shared/store/cycles.js';
import type { Repositories } from '../shared/store/index.js';
import type { CycleKind } from '../shared/store/keys.js';
import { registerAccountsCommand } from './accounts.js';
import { registerAppealCommand } from './appeal.js';
import {
  type CliRuntime as LocalRuntime,
  preloadWorkflows,
  prestartDatabase,
  type StoreOptions,
  withRuntime,
} from './context.js';
import { registerExplainCommand } from './explain.js';
import { registerExportCommand } from './export.js';
import { table } from './format.js';
import { registerSchemeCommand } from './scheme.js';
import { registerSecondaryCommand } from './secondary.js';
import { registerServeCommand } from './serve-command.js';
import { registerSettingsCommand } from './settings.js';
import { registerSimulateCommand } from './simulate.js';
import { statusTable } from './status.js';

const program = new Command('medcomm')
  .description('MedComm Pay — 医共体绩效考核与薪酬分配 / appraisal and pay for a county medical community')
  .option(
    '--home <dir>',
    '数据目录 data folder for the embedded DynamoDB (default $MEDCOMM_HOME or ./.medcomm)',
  )
  .option(
    '--endpoint <url>',
    '使用其他 DynamoDB 端点 use another DynamoDB endpoint instead of the embedded one',
  )
  .option('--table <name>', 'DynamoDB 表名 table name', 'medcomm')
  .option(
    '--community <id>',
    '医共体编码 community id (required when the store holds several; default: the only one)',
  )
  .showHelpAfterError();

const storeOptions = (): StoreOptions & { community?: string } => program.opts();

// Commands that run cycles load the state machines while the database starts; no other command loads them.
const CYCLE_COMMANDS = new Set(['run', 'approve', 'reject', 'year', 'demo', 'correct']);
// Commands that open the data folder's database start it first, so the JVM boots while they load.
const DATABASE_COMMANDS = new Set([
  'status',
  'export',
  'explain',
  'audit',
  'import',
  'run',
  'correct',
  'year',
]);
program.hook('preAction', (_program, action) => {
  if (CYCLE_COMMANDS.has(action.name())) preloadWorkflows();
  let command = action;
  while (command.parent && command.parent !== program) command = command.parent;
  if (DATABASE_COMMANDS.has(command.name()) && !action.opts().fresh) prestartDatabase(storeOptions());
});

/** "2026-03" → monthly, "2026-Q1" → quarterly, "2026" → annual. */
function kindOf(period: string): CycleKind {
  if (/^\d{4}-\d{2}$/.test(period)) return 'monthly';
  if (/^\d{4}-Q[1-4]$/.test(period)) return 'quarterly';
  if (/^\d{4}$/.test(period)) return 'annual';
  throw new Error(
    `无法识别的周期 "${period}"（应为 YYYY-MM、YYYY-Qn 或 YYYY）/ unknown cycle "${period}" (expected YYYY-MM, YYYY-Qn or YYYY)`,
  );
}

/** `--allow-missing all` or `--allow-missing C01,T03`: institutions the starter accepts to pay nothing. */
function allowMissingOption(value: string | undefined): readonly string[] | 'all' | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === 'all') return 'all';
  return value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
}

const ALLOW_MISSING_HELP =
  '确认这些没有工作量数据的机构本月不发放绩效 acknowledge institutions without workload rows (paid nothing this month): all | ID,ID…';

async function progressBar(label: string): Promise<SingleBar> {
  const { SingleBar } = await import('cli-progress');
  return new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} {step}`,
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
    noTTYOutput: false,
    notTTYSchedule: 5000,
  });
}

/** `target`: the community and year asked for (a folder without scheme.json takes that year's scheme in force). */
async function doImport(
  rt: LocalRuntime,
  dir: string,
  by: string,
  target: { communityId?: string; year?: number } = {},
) {
  const { importDataset } = await import('../shared/app/import-service.js');
  const bar = await progressBar('导入 import');
  let started = false;
  try {
    const outcome = await importDataset(
      rt.repos,
      { dir: resolve(dir) },
      by,
      (done, total) => {
        if (!started) bar.start(total, 0, { step: 'items' });
        started = true;
        bar.update(done);
      },
      target,
    );
    return outcome;
  } finally {
    if (started) bar.stop();
  }
}

function printImport(outcome: Awaited<ReturnType<typeof doImport>>) {
  console.log(
    `已导入 Imported ${outcome.pointer.communityId} ${outcome.pointer.year}, 数据版本 dataset v${outcome.pointer.version}`,
  );
  console.log(
    table(
      ['文件 file', '行数 rows', '编码 encoding'],
      outcome.summary.map((s) => [s.file, s.rows, s.encoding ?? '']),
    ),
  );
  if (outcome.accountChanges.length > 0) {
    console.log(
      `银行账号变更 ${outcome.accountChanges.length} 人，下一次银行代发前须由另一位人事人员确认（medcomm accounts confirm ${outcome.pointer.version}）/ ` +
        `${outcome.accountChanges.length} bank account(s) changed; HR (not the importer) confirms before the next bank file:`,
    );
    console.log(
      table(
        ['工号 staff', '姓名 name', '机构 institution', '原账号 before', '新账号 after'],
        outcome.accountChanges.map((c) => [c.staffId, c.name, c.institutionId, c.before, c.after]),
      ),
    );
  }
}

async function runWithProgress(
  rt: LocalRuntime,
  communityId: string,
  year: number,
  by: string,
  approver: string,
  allowMissing?: readonly string[] | 'all',
  secondary?: (cycle: CycleRecord) => Promise<void>,
  completed?: (cycle: CycleRecord) => void,
) {
  const { runYear } = await import('../shared/app/year-runner.js');
  const bar = await progressBar('年度 year');
  bar.start(17, 0, { step: '' });
  try {
    await runYear(rt.repos, rt.workflows, {
      communityId,
      year,
      by,
      approver,
      ...(allowMissing ? { allowMissing } : {}),
      ...(secondary ? { secondary } : {}),
      ...(completed ? { onCompleted: completed } : {}),
      onStep: (step, index) => bar.update(index, { step: `${step.kind} ${step.period}` }),
    });
    bar.update(17, { step: 'done' });
  } finally {
    bar.stop();
  }
}

/** What `year` and `demo` write as the cycles complete (cli/year-files-thread.ts), and the summary. */
async function resultWriters() {
  return { YearFilesThread: (await import('./year-files-thread.js')).YearFilesThread };
}

/**
 * The year's cycles with their files written as each completes, the year's own at the end, and the
 * year's summary: the files on a thread of their own at low priority, with the CPU the cycles leave.
 */
async function runAndWriteYear(
  writers: Awaited<ReturnType<typeof resultWriters>>,
  { repos, endpoint }: { repos: Repositories; endpoint: string | undefined },
  { communityId, year, out }: { communityId: string; year: number; out: string },
  options: import('../shared/reports/year-files.js').YearFilesOptions,
  runCycles: (completed: (cycle: CycleRecord) => void) => Promise<void>,
  beforeFinish?: () => void,
) {
  if (endpoint === undefined) throw new Error('the year is written from a database with an endpoint');
  const thread = await writers.YearFilesThread.start(repos, {
    endpoint,
    tableName: repos.table.name,
    communityId,
    year,
    outDir: out,
    options: {
      ...(options.by === undefined ? {} : { by: options.by }),
      ...(options.bankFormat === undefined ? {} : { bankFormat: options.bankFormat }),
      ...(options.reports === undefined ? {} : { reports: options.reports }),
    },
  });
  try {
    try {
      await runCycles((cycle) => thread.completed(cycle));
    } catch (error) {
      await thread.abandon();
      throw error;
    }
    beforeFinish?.();
    return await thread.finish();
  } finally {
    await thread.close();
  }
}

async function describeCycle(
  repos: Repositories,
  communityId: string,
  kind: CycleKind,
  period: string,
): Promise<string> {
  const cycle = await repos.cycles.get(communityId, kind, period);
  if (!cycle) return `${kind} ${period}: 未开始 not started`;
  const waits =
    cycle.status === 'awaiting_review'
      ? `；等待财务审核（须由 ${cycle.startedBy} 以外的用户）/ awaiting finance review by someone other than ${cycle.startedBy}: medcomm approve ${period} --as <user>`
      : '';
  const error = cycle.error ? ` — ${cycle.error.name}: ${cycle.error.message}` : '';
  return `${kind} ${period} r${cycle.revision}: ${cycle.status}${waits}${error}`;
}

program
  .command('generate')
  .description('生成演示县数据集 / generate a demo county dataset (format v1)')
  .requiredOption('--out <dir>', '输出目录 output folder')
  .option('--seed <n>', '随机种子 seed', '2026')
  .option('--staff <n>', '每县职工数 staff per county', '3500')
  .option('--townships <n>', '乡镇卫生院数 township centres', '25')
  .option('--counties <n>', '县数（市级基准）counties (a city for benchmarks)', '1')
  .option('--months <n>', '包含的月份数 months of data', '12')
  .option('--year <n>', '年度 year', '2026')
  .addOption(
    new Option('--insurance <outcome>', '医保结果 insurance outcome')
      .choices(['surplus', 'overspend'])
      .default('surplus'),
  )
  .addOption(
    new Option('--format <format>', '文件格式 format: csv, or xlsx (一个工作簿 one workbook + scheme.json)')
      .choices(['csv', 'xlsx'])
      .default('csv'),
  )
  .action(async (o) => {
    const { generateCounty, writeDataset } = await import('../shared/demo/index.js');
    const files = generateCounty({
      seed: Number(o.seed),
      staff: Number(o.staff),
      townships: Number(o.townships),
      counties: Number(o.counties),
      months: Number(o.months),
      year: Number(o.year),
      insuranceOutcome: o.insurance,
    });
    if (o.format === 'xlsx') {
      const { datasetWorkbook, DATASET_WORKBOOK_NAME } = await import('../shared/dataset/workbook.js');
      const { writeFile } = await import('node:fs/promises');
      await writeDataset(o.out, { 'scheme.json': files['scheme.json'] });
      await writeFile(resolve(o.out, DATASET_WORKBOOK_NAME), await datasetWorkbook(files));
      console.log(`已生成 Generated scheme.json and ${DATASET_WORKBOOK_NAME} in ${resolve(o.out)}`);
      return;
    }
    await writeDataset(o.out, files);
    console.log(`已生成 Generated ${Object.keys(files).length} files in ${resolve(o.out)}`);
  });

program
  .command('template')
  .description('写出空白的 Excel 数据集模板 / write an empty Excel dataset template')
  .requiredOption('--out <file>', '输出文件，如 模板.xlsx / output file, e.g. 模板.xlsx')
  .action(async (o) => {
    const { templateWorkbook } = await import('../shared/dataset/workbook.js');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(resolve(o.out), await templateWorkbook());
    console.log(`已写出模板 Template written: ${resolve(o.out)}`);
  });

program
  .command('import')
  .description('导入数据集（全部校验通过才写入）/ import a dataset folder (all or nothing)')
  .argument('[dir]', '数据集目录 dataset folder')
  .option('--as <user>', '操作人 who imports', 'office')
  .option(
    '--recover',
    '清除中断的导入留下的导入锁（记入审计）/ clear the lease an interrupted import left (audited)',
    false,
  )
  .option(
    '--sweep',
    '删除失败的导入留下、没有任何版本引用的数据块（记入审计）/ remove the blobs failed imports left that no version refers to (audited)',
    false,
  )
  .option(
    '--year <n>',
    '年度：数据集没有 scheme.json 时采用该年度的现行方案（默认取自 insurance.csv / period）；与 --recover 同用 / the year: a folder without scheme.json takes its scheme in force (default: from insurance.csv or the periods); with --recover: the year',
  )
  .action(async (dir: string | undefined, o) => {
    if (o.recover) {
      if (!o.year) throw new Error('--recover 需要 --year / --recover needs --year');
      const [{ recoverImport }, { resolveCommunity }] = await Promise.all([
        import('../shared/app/import-service.js'),
        import('../shared/app/cycle-service.js'),
      ]);
      await withRuntime(storeOptions(), async (rt) => {
        const communityId = await resolveCommunity(rt.repos, storeOptions().community);
        const { cleared } = await recoverImport(rt.repos, communityId, Number(o.year), o.as);
        console.log(
          cleared
            ? `已清除 ${cleared.by} 于 ${cleared.startedAt} 开始的导入锁 / cleared the lease of the import ${cleared.by} started at ${cleared.startedAt}`
            : `${communityId} ${o.year} 没有导入锁 / no import lease for ${communityId} ${o.year}`,
        );
      });
      return;
    }
    if (o.sweep) {
      const { resolveCommunity } = await import('../shared/app/cycle-service.js');
      await withRuntime(storeOptions(), async (rt) => {
        const communityId = await resolveCommunity(rt.repos, storeOptions().community);
        const swept = await rt.repos.datasets.sweep(communityId, o.as);
        console.log(
          swept
            ? `已清理失败的导入 ${swept.versions.map((v) => `v${v}`).join(' ')}：删除 ${swept.blobs} 个数据块（${swept.pages} 页）/ swept failed versions ${swept.versions.map((v) => `v${v}`).join(' ')}: ${swept.blobs} blobs (${swept.pages} pages) removed`
            : `${communityId} 没有需要清理的数据块 / nothing to sweep for ${communityId}`,
        );
      });
      return;
    }
    if (!dir) throw new Error('需要数据集目录 / a dataset folder is needed');
    if (o.year !== undefined && !/^\d{4}$/.test(String(o.year)))
      throw new Error(`--year 应为四位年份 / --year must be YYYY, got "${o.year}"`);
    const target = {
      ...(storeOptions().community ? { communityId: storeOptions().community } : {}),
      ...(o.year ? { year: Number(o.year) } : {}),
    };
    await withRuntime(storeOptions(), async (rt) => printImport(await doImport(rt, dir, o.as, target)));
  });

program
  .command('run')
  .description('运行一个周期（月调度/季通报/年考核）/ run a cycle')
  .addArgument(
    new Command()
      .createArgument('<kind>', 'monthly | quarterly | annual')
      .choices(['monthly', 'quarterly', 'annual']),
  )
  .argument('<period>', 'YYYY-MM | YYYY-Qn | YYYY')
  .requiredOption('--as <user>', '发起人 who starts the cycle')
  .option(
    '--resume',
    '续跑中断的周期（进程意外退出后）/ run an interrupted cycle again after its process died',
    false,
  )
  .option('--allow-missing <ids>', ALLOW_MISSING_HELP)
  .action(async (kind: CycleKind, period: string, o) => {
    if (kindOf(period) !== kind)
      throw new Error(`期间 ${period} 不是 ${kind} 周期 / period ${period} is not a ${kind} period`);
    const { resolveCommunity, resumeInterruptedCycle, startCycle, stillRunning } = await import(
      '../shared/app/cycle-service.js'
    );
    await withRuntime(storeOptions(), async (rt) => {
      const communityId = await resolveCommunity(rt.repos, storeOptions().community);
      if (o.resume) {
        await resumeInterruptedCycle(rt.repos, rt.workflows, { communityId, kind, period, by: o.as });
        console.log(await describeCycle(rt.repos, communityId, kind, period));
        return;
      }
      const allowMissing = allowMissingOption(o.allowMissing);
      const { created, cycle } = await startCycle(rt.repos, rt.workflows, {
        communityId,
        kind,
        period,
        by: o.as,
        ...(allowMissing ? { allowMissing } : {}),
      });
      if (!created && cycle.status === 'running') {
        // What runs it (a live process, by its run lease), or that nothing does and --resume may.
        const why = await stillRunning(rt.repos, rt.workflows, cycle);
        console.log(
          why ??
            '该周期显示为运行中，但没有进程在运行它（已中断）：请加 --resume 续跑 / the cycle shows as running but no process runs it (interrupted): add --resume',
        );
      } else if (!created)
        console.log('该周期已存在，不会重新计算 / this cycle already exists and is not recomputed');
      console.log(await describeCycle(rt.repos, communityId, kind, period));
    });
  });

for (const verb of ['approve', 'reject'] as const) {
  const cmd = program
    .command(verb)
    .description(
      verb === 'approve'
        ? '财务审核通过 / approve a cycle awaiting finance review'
        : '财务驳回 / reject a cycle awaiting finance review',
    )
    .argument('<cycle>', '周期 YYYY-Qn | YYYY（更正 with --correction: YYYY-MM | YYYY-Qn）')
    .requiredOption('--as <user>', '财务审核人（不能是发起人）finance user (not the starter)')
    .option(
      '--correction',
      '审核该期间待审核的更正 / decide the correction of the period awaiting review',
      false,
    );
  if (verb === 'reject') cmd.requiredOption('--reason <text>', '驳回原因 reason');
  cmd.action(async (period: string, o) => {
    const kind = kindOf(period);
    if (o.correction) {
      if (kind === 'annual') throw new Error('年考核没有更正 / annual cycles have no corrections');
      const [{ decideCorrection }, { resolveCommunity }] = await Promise.all([
        import('../shared/app/correction-service.js'),
        import('../shared/app/cycle-service.js'),
      ]);
      await withRuntime(storeOptions(), async (rt) => {
        const communityId = await resolveCommunity(rt.repos, storeOptions().community);
        const decided = await decideCorrection(rt.repos, {
          communityId,
          kind,
          period,
          by: o.as,
          approve: verb === 'approve',
          reason: o.reason,
        });
        console.log(correctionLine(decided));
      });
      return;
    }
    const { decideReview, resolveCommunity } = await import('../shared/app/cycle-service.js');
    await withRuntime(storeOptions(), async (rt) => {
      const communityId = await resolveCommunity(rt.repos, storeOptions().community);
      await decideReview(rt.repos, rt.workflows, {
        communityId,
        kind,
        period,
        by: o.as,
        approve: verb === 'approve',
        reason: o.reason,
      });
      console.log(await describeCycle(rt.repos, communityId, kind, period));
    });
  });
}

program
  .command('correct')
  .description(
    '更正已完成的月份或季度（补发/扣回），差额经财务审核后计入下一个未开始的月份 / correct a completed month or quarter; ' +
      'after finance approves, the differences are paid in the next open month',
  )
  .addArgument(
    new Command().createArgument('<kind>', 'monthly | quarterly').choices(['monthly', 'quarterly']),
  )
  .argument('<period>', 'YYYY-MM | YYYY-Qn')
  .requiredOption('--data <dir>', '含更正后数据的数据集目录 dataset folder holding the corrected rows')
  .requiredOption('--as <user>', '发起人 who corrects')
  .option('--reason <text>', '更正原因 why')
  .action(async (kind: 'monthly' | 'quarterly', period: string, o) => {
    if (kindOf(period) !== kind)
      throw new Error(`期间 ${period} 不是 ${kind} 周期 / period ${period} is not a ${kind} period`);
    const [{ startCorrection }, { recomputePeriod }] = await Promise.all([
      import('../shared/app/correction-service.js'),
      import('../functions/recompute-period.js'),
    ]);
    await withRuntime(storeOptions(), async (rt) => {
      const record = await startCorrection(rt.repos, recomputePeriod, {
        ...(storeOptions().community ? { communityId: storeOptions().community } : {}),
        kind,
        period,
        source: { dir: resolve(o.data) },
        by: o.as,
        ...(o.reason ? { reason: o.reason } : {}),
      });
      console.log(correctionLine(record));
      console.log(
        `等待财务审核（须由 ${o.as} 以外的用户）/ awaiting finance review by someone other than ${o.as}: medcomm approve ${period} --correction --as <user>`,
      );
    });
  });

/** One line on a correction: its revision, state, totals and where it was posted. */
function correctionLine(c: {
  kind: string;
  period: string;
  revision: number;
  status: string;
  totals: { old: number; new: number; difference: number; people: number };
  postedTo?: string;
}): string {
  const yuan = (fen: number) => (fen / 100).toFixed(2);
  return (
    `更正 correction ${c.kind} ${c.period} r${c.revision}: ${c.status} — 原 old ${yuan(c.totals.old)}, 新 new ${yuan(c.totals.new)}, ` +
    `差额 difference ${yuan(c.totals.difference)} (${c.totals.people} 人 people)` +
    (c.postedTo ? `；计入 posted to ${c.postedTo}` : '')
  );
}

program
  .command('status')
  .description('各周期状态及等待事项 / every cycle and what it waits for')
  .argument('[period]', '只看某期间 only this period (prefix)')
  .option('--year <n>', '年度（默认最近导入的年度）year (default: the latest imported)')
  .action(async (period: string | undefined, o) => {
    const [{ resolveCommunity }, { yearOverview }] = await Promise.all([
      import('../shared/app/cycle-service.js'),
      import('../shared/api/cycle-views.js'),
    ]);
    await withRuntime(storeOptions(), async (rt) => {
      const communityId = await resolveCommunity(rt.repos, storeOptions().community);
      const asked = o.year ? Number(o.year) : period ? Number(period.slice(0, 4)) : undefined;
      const current = await rt.repos.datasets.current(communityId, asked);
      const years = await rt.repos.datasets.years(communityId);
      console.log(
        `${communityId} ${current?.year ?? asked ?? ''} 数据版本 dataset v${current?.version ?? '-'} (${current?.importedBy ?? '-'} ${current?.importedAt ?? ''})` +
          (years.length > 1 ? `；年度 years: ${years.join(', ')}（--year）` : ''),
      );
      const year = current?.year ?? asked;
      if (year === undefined) return;
      const { schemeStatusLine } = await import('../shared/app/scheme-service.js');
      console.log(await schemeStatusLine(rt.repos, communityId, year));
      console.log(statusTable(await yearOverview(rt.repos, communityId, year), period));
      const corrections = await rt.repos.corrections.list(communityId, year);
      for (const c of corrections) console.log(correctionLine(c));
    });
  });

program
  .command('year')
  .description(
    '导入并运行全年所有周期，输出结果 / import, run every cycle of the year with approvals, write the results',
  )
  .requiredOption('--data <dir>', '数据集目录 dataset folder')
  .requiredOption('--out <dir>', '结果目录 output folder')
  .requiredOption('--as <user>', '发起人 office user who starts the cycles')
  .requiredOption('--approve-as <user>', '财务审核人 finance user who approves')
  .option('--fresh', '使用临时内存数据库 use a throw-away in-memory database', false)
  .option('--allow-missing <ids>', ALLOW_MISSING_HELP)
  .option(
    '--no-reports',
    '只写 §8.1 JSON 和 CSV 工资表 / only the §8.1 JSON and CSV pay sheets (no HTML reports, XLSX, bank files)',
  )
  .option(
    '--format <format>',
    "银行文件格式（默认为医共体设置的格式）/ the bank files' format (default: the community's setting)",
  )
  .action(async (o) => {
    const writers = await resultWriters();
    await withRuntime({ ...storeOptions(), inMemory: o.fresh }, async (rt) => {
      const imported = await doImport(rt, o.data, o.as);
      printImport(imported);
      const { communityId, year } = imported.pointer;
      // An unknown bank format is refused before the year runs, not after.
      if (o.reports && o.format !== undefined && o.format !== 'csv' && o.format !== 'xlsx') {
        await (await import('../shared/app/bank-export.js')).bankFormatOf(rt.repos, communityId, o.format);
      }
      const { summary, results, reports } = await runAndWriteYear(
        writers,
        rt,
        { communityId, year, out: resolve(o.out) },
        {
          by: o.as,
          reports: o.reports,
          ...(o.format === undefined ? {} : { bankFormat: String(o.format) }),
        },
        (completed) =>
          runWithProgress(
            rt,
            communityId,
            year,
            o.as,
            o.approveAs,
            allowMissingOption(o.allowMissing),
            undefined,
            completed,
          ),
      );
      console.log(summary);
      console.log(
        `\n结果已写入 Results written: ${results.files.length + (reports?.files.length ?? 0)} files under ${resolve(o.out)}`,
      );
    });
  });

program
  .command('demo')
  .description('演示：生成示例县并运行全年 / the demo: generate a sample county and run its whole year')
  .option('--out <dir>', '输出目录 output folder', 'out')
  .option('--seed <n>', '随机种子 seed', '2026')
  .option('--staff <n>', '职工数 staff', '3500')
  .action(async (o) => {
    const out = resolve(o.out);
    const home = join(out, '.medcomm');
    // The demo always starts from a clean slate: its own database under the output folder, started now
    // so that its JVM boots (~1–3 s) on the other core while the modules load and the county is generated.
    const daemon = await import('../shared/local/daemon.js');
    // The last demo's database is not kept: it is dropped, not first moved into the folder removed next.
    await daemon.stopDaemon(home, { discard: true });
    await rm(home, { recursive: true, force: true });
    // Its database is kept in memory while the year runs and moved into the folder when its daemon stops
    // (a demo's database is made afresh every run: its SQLite syncs would buy nothing). The daemon stays up
    // for the commands the demo suggests next, as every command's does, and stops when idle or on `stop`.
    const scratch =
      !storeOptions().endpoint && !process.env.MEDCOMM_DYNAMODB_ENDPOINT && daemon.daemonEnabled();
    if (scratch) daemon.prestartDaemon(home, { scratch });
    const [{ generateCounty, writeDataset }, writers] = await Promise.all([
      import('../shared/demo/index.js'),
      resultWriters(),
    ]);
    const dataDir = join(out, 'dataset');
    // The demo county uses every DOMAIN.md §9 addition (departments in manual mode, floor, secondments, veto, …).
    await writeDataset(
      dataDir,
      generateCounty({ seed: Number(o.seed), staff: Number(o.staff), v2: true, secondary: 'manual' }),
    );
    console.log(`示例县数据 Sample county dataset: ${dataDir}`);
    await withRuntime({ ...storeOptions(), home }, async (rt) => {
      const imported = await doImport(rt, dataDir, 'office-demo');
      printImport(imported);
      const { communityId, year } = imported.pointer;
      // §9.1 the demo's department heads submit, institution users approve, the office closes each month.
      const { demoSecondary } = await import('../shared/demo/secondary.js');
      const { summary, results, reports } = await runAndWriteYear(
        writers,
        rt,
        { communityId, year, out },
        { by: 'office-demo' },
        (completed) =>
          runWithProgress(
            rt,
            communityId,
            year,
            'office-demo',
            'finance-demo',
            undefined,
            (cycle) => demoSecondary(rt.repos, rt.workflows, cycle, 'office-demo'),
            completed,
          ),
        () => console.error('写出报表与 XLSX 工资表 Writing reports, XLSX sheets and bank files…'),
      );
      console.log(`\n${summary}`);
      console.log(
        `\n结果已写入 Results: ${results.files.length + (reports?.files.length ?? 0)} files under ${out}: monthly/, quarterly/, annual/ — ` +
          'JSON (§8.1), CSV and XLSX pay sheets, printable HTML reports (report.html, bulletin-report.html, appraisal-report.html), bank files for HR',
      );
      console.log(`查看状态 See the cycles: MEDCOMM_HOME=${home} npx medcomm status`);
      if (scratch)
        console.log(
          `数据库保持运行，空闲 ${daemon.idleSeconds()} 秒后停止并存入 ${home} / The database stays up for the next commands, and moves into ${home} when it stops (after ${daemon.idleSeconds()} idle seconds, or now: MEDCOMM_HOME=${home} npx medcomm stop)`,
        );
      console.log(
        `网页控制台 Web console: npm run console:build && MEDCOMM_HOME=${home} npx medcomm serve  (then open http://127.0.0.1:8787)`,
      );
    });
  });

const audit = program.command('audit').description('审计记录 / the audit trail');
audit
  .command('verify')
  .description(
    '校验审计链（含链外锚点）、每个已完成周期的封存和数据块哈希 / check the keyed chain and its anchor, every completed cycle against its seal, and the dataset blobs',
  )
  .action(async () => {
    const [{ resolveCommunity }, { describeAudit, verifyAudit }] = await Promise.all([
      import('../shared/app/cycle-service.js'),
      import('../shared/app/audit-verify.js'),
    ]);
    await withRuntime(storeOptions(), async (rt) => {
      const communityId = await resolveCommunity(rt.repos, storeOptions().community);
      const report = await verifyAudit(rt.repos, communityId);
      for (const line of describeAudit(report)) (report.ok ? console.log : console.error)(line);
      if (!report.ok) process.exitCode = 1;
    });
  });
audit
  .command('list')
  .description('列出审计记录 / list the audit trail')
  .action(async () => {
    const { resolveCommunity } = await import('../shared/app/cycle-service.js');
    await withRuntime(storeOptions(), async (rt) => {
      const communityId = await resolveCommunity(rt.repos, storeOptions().community);
      const entries = await rt.repos.audit.entries(communityId);
      console.log(
        table(
          ['#', 'at', 'actor', 'action', 'subject'],
          entries.map((e) => [e.sequence, e.at, e.actor, e.action, e.subject]),
        ),
      );
    });
  });

program
  .command('stop')
  .description(
    "停止数据目录的常驻数据库（空闲几分钟后也会自动停止）/ stop the data folder's warm database (it also stops when idle)",
  )
  .action(async () => {
    const [{ stopDaemon }, { defaultHome }] = await Promise.all([
      import('../shared/local/daemon.js'),
      import('../shared/local/runtime.js'),
    ]);
    const home = resolve(storeOptions().home ?? defaultHome());
    console.log(
      (await stopDaemon(home))
        ? `已停止数据库 Stopped the database of ${home}`
        : `没有运行中的数据库 No database running for ${home}`,
    );
  });

registerExportCommand(program);
registerExplainCommand(program, storeOptions);
registerServeCommand(program);
registerSimulateCommand(program, storeOptions);
registerAccountsCommand(program, storeOptions);
registerSchemeCommand(program);
registerSecondaryCommand(program);
registerAppealCommand(program);
registerSettingsCommand(program, storeOptions);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const { DatasetInvalidError, formatIssueGroups } = await import('../shared/dataset/index.js');
  if (error instanceof DatasetInvalidError) {
    console.error(
      `数据集有 ${error.issues.length} 个问题，未导入，已有数据未改变 / dataset rejected with ${error.issues.length} issue(s); nothing stored was changed`,
    );
    console.error(formatIssueGroups(error.issues)); // a rule broken on many rows: one line, five rows
  } else {
    console.error(
      error instanceof Error
        ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
        : String(error),
    );
    if (process.env.MEDCOMM_DEBUG && error instanceof Error) console.error(error.stack);
  }
  process.exitCode = 1;
}
