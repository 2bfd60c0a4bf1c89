/**
 * `medcomm export`: pay sheets, reports and bank files of completed cycles, one at a time or a whole year.
 * Every export is recorded in the audit trail with who ran it (--as). Without --out, text goes to stdout
 * (so it can be piped) and binary XLSX only when stdout is not a terminal.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { BANK_FORMAT_NAMES } from '../shared/export/bank-format-names.js';
import type { ExportedFile, ExportRequest } from '../shared/reports/index.js';
import type { Repositories } from '../shared/store/index.js';
import { type CliRuntime, type StoreOptions, withRuntime } from './context.js';

// Loaded when an export runs, not when the command line is parsed (help, other commands).
const reports = () => import('../shared/reports/index.js');
type Reports = Awaited<ReturnType<typeof reports>>;

type GlobalOptions = StoreOptions & { community?: string };

async function deliver(file: ExportedFile, out: string | undefined): Promise<void> {
  if (out) {
    const path = resolve(out);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // Pay and bank accounts: readable by this user only, also when an older file is overwritten.
    await writeFile(path, file.content, { mode: 0o600 });
    await chmod(path, 0o600);
    console.error(
      `已导出 Exported ${file.cycle.kind} ${file.cycle.period} r${file.cycle.revision} → ${path}`,
    );
    return;
  }
  if (typeof file.content !== 'string' && process.stdout.isTTY) {
    throw new Error(
      'XLSX 是二进制文件，请用 --out 指定文件 / XLSX is binary: give --out FILE (or redirect stdout to a file)',
    );
  }
  await new Promise<void>((done, fail) =>
    process.stdout.write(file.content, (error) => (error ? fail(error) : done())),
  );
}

const target = (out: string | undefined) => (out ? resolve(out) : 'stdout');

export function registerExportCommand(program: Command): void {
  const globals = (): GlobalOptions => program.opts();
  const community = async (rt: CliRuntime) =>
    (await import('../shared/app/cycle-service.js')).resolveCommunity(rt.repos, globals().community);

  const exp = program
    .command('export')
    .description(
      '导出工资表、报告和银行代发文件（均记入审计）/ export pay sheets, reports and bank files (audited)',
    );

  exp
    .command('next-year')
    .description(
      '由年考核结果生成下一年度的 institutions.csv（核定总量 T′）、leaders.csv（院长年薪）和 scheme.json / ' +
        "the next year's starting institutions.csv (totals T′), leaders.csv (leader salaries) and scheme.json",
    )
    .argument('<year>', '已完成年考核的年度 the appraised year')
    .requiredOption('--out <dir>', '输出目录 output folder')
    .option('--as <user>', '操作人 who exports', 'office')
    .action(async (year: string, o) => {
      const [{ nextYearFiles }, { mkdir, writeFile }, { join }] = await Promise.all([
        import('../shared/app/next-year.js'),
        import('node:fs/promises'),
        import('node:path'),
      ]);
      await withRuntime(globals(), async (rt) => {
        const communityId = await community(rt);
        const files = await nextYearFiles(rt.repos, communityId, Number(year));
        await mkdir(resolve(o.out), { recursive: true });
        for (const [name, text] of Object.entries(files)) await writeFile(join(resolve(o.out), name), text);
        await rt.repos.audit.append(communityId, {
          actor: o.as,
          action: 'export.next-year',
          subject: `annual ${year}`,
          details: { files: Object.keys(files).join(' ') },
        });
        console.log(
          `已写出 ${Number(year) + 1} 年起始文件 Wrote the ${Number(year) + 1} starting files to ${resolve(o.out)}: ${Object.keys(files).join(', ')}`,
        );
      });
    });

  /** `export <name> <kind> <period>`: one file of a completed cycle, audited, then delivered (and `after`). */
  const single = <R extends ExportRequest, F extends ExportedFile>(spec: {
    name: string;
    description: string;
    kinds: string[];
    /** The first is the default. */
    formats: string[];
    /** In place of the --format choices above (the bank's: any format name, default the community's). */
    formatOption?: Option;
    /** --as: who exports (optional or required). */
    as: Option;
    run: (repos: Repositories, request: R) => Promise<F>;
    after?: (file: F) => void | Promise<void>;
    /** Handles the request itself (true) instead of run/deliver, e.g. a bank format of several files. */
    instead?: (repos: Repositories, request: R, out: string | undefined) => Promise<boolean>;
  }) =>
    exp
      .command(spec.name)
      .description(spec.description)
      .addArgument(exp.createArgument('<kind>', spec.kinds.join(' | ')).choices(spec.kinds))
      .argument('<period>', 'YYYY-MM | YYYY-Qn | YYYY')
      .addOption(
        spec.formatOption ??
          new Option('--format <format>', '格式 format').choices(spec.formats).default(spec.formats[0]),
      )
      .option('--out <file>', '输出文件（默认标准输出）output file (default stdout)')
      .addOption(spec.as)
      .action(async (kind: string, period: string, o) => {
        await withRuntime(globals(), async (rt) => {
          const request = {
            communityId: await community(rt),
            kind,
            period,
            format: o.format,
            by: o.as,
            target: target(o.out),
          };
          // Commander has checked kind and format against the choices.
          if (await spec.instead?.(rt.repos, request as unknown as R, o.out)) return;
          const file = await spec.run(rt.repos, request as unknown as R);
          await deliver(file, o.out);
          await spec.after?.(file);
        });
      });

  const SHEET_KINDS = ['monthly', 'quarterly', 'annual', 'leaders'];
  const exportedBy = () => new Option('--as <user>', '导出人 who exports').default('cli');

  single({
    name: 'sheet',
    description: '工资表 / a pay sheet (monthly, quarterly surplus, annual bonus, leader salaries)',
    kinds: SHEET_KINDS,
    formats: ['csv', 'xlsx', 'json'],
    as: exportedBy(),
    run: async (repos, request: Parameters<Reports['exportSheet']>[1]) =>
      (await reports()).exportSheet(repos, request),
  });

  single({
    name: 'report',
    description:
      '报告：月调度表、季通报、年度考核与结算报告 / a report (monthly dispatch, quarterly bulletin, annual appraisal)',
    kinds: ['monthly', 'quarterly', 'annual'],
    formats: ['html', 'json'],
    as: exportedBy(),
    run: async (repos, request: Parameters<Reports['exportReport']>[1]) =>
      (await reports()).exportReport(repos, request),
  });

  single({
    name: 'bank',
    description:
      '银行代发文件（仅供人事，含完整账号）/ the bank-transfer file for HR (full accounts; always audited)',
    kinds: SHEET_KINDS,
    // csv/xlsx: HR's copy to check; the named formats: the files a bank takes (--out is then a folder).
    formats: ['csv', 'xlsx', ...BANK_FORMAT_NAMES],
    // Any name: the community may have formats of its own (medcomm settings bank-format --file).
    formatOption: new Option(
      '--format <format>',
      `格式：csv、xlsx（人事核对用）或银行格式名称（${BANK_FORMAT_NAMES.join('、')} 或本医共体自定义的）；默认为医共体设置的格式（medcomm settings bank-format），未设置则为 csv / ` +
        "format: csv, xlsx (HR's copy) or a bank format's name; default: the community's setting, else csv",
    ),
    instead: async (repos, request: Parameters<Reports['exportBank']>[1], out) => {
      const { bankFormatFor } = await import('../shared/app/bank-export.js');
      // No --format: the community's chosen format (issue 16), else HR's CSV as before any setting.
      const format = await bankFormatFor(repos, request.communityId, request.format as string | undefined);
      request.format = format as typeof request.format; // run() below reads it for csv and xlsx
      if (format === 'csv' || format === 'xlsx') return false;
      if (!out)
        throw new Error(
          '银行格式可能有多个文件，请用 --out 指定文件夹 / a bank format may write several files: give --out DIR',
        );
      const { exportBankFormat } = await import('../shared/app/bank-export.js');
      const { fenToYuanString } = await import('../shared/export/money-format.js');
      const exported = await exportBankFormat(repos, { ...request, format });
      const dir = resolve(out);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      for (const file of [...exported.files, exported.summary]) {
        const path = resolve(dir, file.name);
        await writeFile(path, file.content, { mode: 0o600 });
        await chmod(path, 0o600);
        console.error(`已导出 Exported → ${path}`);
      }
      console.error(
        `银行代发 Bank transfer (${format}): ${exported.lines} 笔 lines, 合计 total ¥${fenToYuanString(exported.total)}; 汇总 summary ${exported.summary.name}`,
      );
      for (const n of exported.notTransferred) {
        console.error(
          `  未列入 not in the file: ${n.staffId} ${n.name} ${n.institutionId} ¥${fenToYuanString(n.amount)} (${n.reason})`,
        );
      }
      return true;
    },
    as: new Option(
      '--as <user>',
      '导出人（记入审计）who exports (recorded in the audit trail)',
    ).makeOptionMandatory(),
    run: async (repos, request: Parameters<Reports['exportBank']>[1]) =>
      (await reports()).exportBank(repos, request),
    after: async (file) => {
      const [{ fenToYuanString }, { NOT_TRANSFERRED_REASONS }] = await Promise.all([
        import('../shared/export/index.js'),
        reports(),
      ]);
      console.error(
        `银行代发 Bank transfer: ${file.lines} 笔 lines, 合计 total ¥${fenToYuanString(file.total)}`,
      );
      if (file.notTransferred.length > 0) {
        console.error(
          `以下 ${file.notTransferred.length} 人未列入代发文件，请另行处理 / not in the bank file, settle them another way:`,
        );
        for (const n of file.notTransferred) {
          console.error(
            `  ${n.staffId} ${n.name} ${n.institutionId} ¥${fenToYuanString(n.amount)} — ${NOT_TRANSFERRED_REASONS[n.reason]}`,
          );
        }
      }
    },
  });

  exp
    .command('all')
    .description(
      '导出全年：结果 JSON、CSV/XLSX 工资表、报告、银行代发文件 / everything for a year into a folder',
    )
    .requiredOption('--year <yyyy>', '年度 year')
    .requiredOption('--out <dir>', '输出目录 output folder')
    .option(
      '--format <format>',
      '银行文件格式（默认为医共体设置的格式；csv/xlsx：只写人事核对用的副本）/ ' +
        "the bank files' format (default: the community's setting; csv or xlsx: only HR's copies)",
    )
    .option('--as <user>', '导出人 who exports', 'cli')
    .action(async (o) => {
      const year = Number(o.year);
      if (!/^\d{4}$/.test(String(o.year)))
        throw new Error(`--year 应为四位年份 / --year must be YYYY, got "${o.year}"`);
      const out = resolve(o.out);
      const [{ loadYear, writeReportsAndSheets }, { writeYearResults }, { FileWorkers }] = await Promise.all([
        reports(),
        import('../shared/app/results-writer.js'),
        import('../shared/reports/file-workers.js'),
      ]);
      await withRuntime(globals(), async (rt) => {
        const communityId = await community(rt);
        // A year's workbooks: one thread builds them while this one writes the rest.
        const workers = FileWorkers.start(1);
        const { results, reports } = await (async () => {
          const data = await loadYear(rt.repos, communityId, year);
          const results = await writeYearResults(rt.repos, communityId, year, out, data);
          const reports = await writeReportsAndSheets(rt.repos, communityId, year, out, {
            by: o.as,
            data,
            workers,
            ...(o.format === undefined ? {} : { bankFormat: String(o.format) }),
          });
          return { results, reports };
        })().finally(() => workers.close());
        const files = new Set([...results.files, ...reports.files]);
        console.log(`已导出 Exported ${files.size} files for ${communityId} ${year} under ${out}`);
        for (const n of reports.notTransferred)
          console.log(`  ${n.file}: ${n.rows.length} 人未列入银行代发 not in the bank file`);
      });
    });
}
