/** `medcomm simulate` (模拟测算) and `medcomm scheme …`: try a draft scheme on a year, and the scheme lifecycle. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type StoreOptions, withRuntime } from './context.js';

/** 12345 fen → "+123.45" (integer arithmetic). */
function signedYuan(fen: number): string {
  const abs = Math.abs(fen);
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return fen > 0 ? `+${text}` : fen < 0 ? `-${text}` : text;
}

/** "1-12", "3", "1,2,6-9" → month numbers. */
export function parseMonths(text: string): number[] {
  const months = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,2})\s*(?:-\s*(\d{1,2})\s*)?$/.exec(part);
    const from = Number(m?.[1]);
    const to = Number(m?.[2] ?? m?.[1]);
    if (!m || from < 1 || to > 12 || from > to) {
      throw new Error(
        `--months "${text}" 无效，应为 1-12、3 或 1,2,6-9 / --months "${text}" is not valid: use 1-12, 3 or 1,2,6-9`,
      );
    }
    for (let i = from; i <= to; i++) months.add(i);
  }
  return [...months].sort((a, b) => a - b);
}

export function registerSimulateCommand(
  program: Command,
  storeOptions: () => StoreOptions & { community?: string },
): void {
  program
    .command('simulate')
    .description(
      '模拟测算：用方案草案重算一年的各周期并与现行结果比较（不写入任何结果）/ run a year with a draft scheme and compare (writes no result)',
    )
    .requiredOption('--year <yyyy>', '年度 year')
    .option('--scheme <file>', '方案草案 draft scheme.json')
    .option('--indicators <file>', '指标草案 draft indicators.csv')
    .requiredOption('--out <dir>', '输出目录 output folder (simulated/, diff.json, report.html)')
    .option('--months <list>', '月份 months, e.g. 1-12, 1-6, 3')
    .option('--data <dir>', '未导入年度的数据集目录 dataset folder of a year not imported')
    .option('--as <user>', '操作人 who simulates', 'office')
    .action(async (o) => {
      // Loaded when a simulation runs, not when the command line is parsed.
      const { parseSchemeDraft, simulateScheme, writeSimulation } = await import(
        '../shared/app/simulation.js'
      );
      const { datasetOrThrow, readDatasetDir } = await import('../shared/dataset/index.js');
      const { resolveCommunity } = await import('../shared/app/cycle-service.js');
      const draft = parseSchemeDraft({
        ...(o.scheme ? { scheme: await readFile(resolve(o.scheme)) } : {}),
        ...(o.indicators ? { indicators: await readFile(resolve(o.indicators)) } : {}),
      });
      const dataset = o.data ? datasetOrThrow(await readDatasetDir(resolve(o.data))) : undefined;
      await withRuntime(storeOptions(), async (rt) => {
        const community = storeOptions().community;
        const simulation = await simulateScheme(rt.repos, {
          ...(community ? { communityId: await resolveCommunity(rt.repos, community) } : {}),
          year: Number(o.year),
          draft,
          ...(dataset ? { dataset } : {}),
          ...(o.months ? { months: parseMonths(o.months) } : {}),
          by: o.as,
        });
        const written = await writeSimulation(resolve(o.out), simulation);
        const { counts, community: c } = simulation.diff;
        console.log(
          `模拟测算 Simulated ${simulation.communityId} ${simulation.year}: ${simulation.periods.map((p) => p.period).join(' ')}`,
        );
        console.log(
          `增加 winners ${counts.winners} · 减少 losers ${counts.losers} · 不变 unchanged ${counts.unchanged} · ` +
            `合计差额 total difference ${signedYuan(c.difference)} 元`,
        );
        console.log(
          `已写入 Written: ${written.length} files under ${resolve(o.out)} (report.html, diff.json)`,
        );
      });
    });
}
