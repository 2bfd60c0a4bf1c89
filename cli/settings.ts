/**
 * `medcomm settings`: a community's settings. `settings bank-format NAME` chooses the bank-file format
 * `export bank` writes when `--format` is not given (issue 16: chosen per community); `--file F.json`
 * adds the community's own format (shared/export/bank-formats.ts describes the JSON) and chooses it.
 * Every change is audited (`settings.bank-format`).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type StoreOptions, withRuntime } from './context.js';
import { table } from './format.js';

export function registerSettingsCommand(
  program: Command,
  storeOptions: () => StoreOptions & { community?: string },
): void {
  const settings = program.command('settings').description('医共体设置 / the community’s settings');
  const community = async (rt: Parameters<Parameters<typeof withRuntime>[1]>[0]) =>
    (await import('../shared/app/cycle-service.js')).resolveCommunity(rt.repos, storeOptions().community);

  settings
    .command('show')
    .description('显示当前设置 / show the settings')
    .action(async () => {
      const [{ settingsOf, customFormats }, { BANK_FORMAT_PRESETS }] = await Promise.all([
        import('../shared/app/bank-export.js'),
        import('../shared/export/bank-formats.js'),
      ]);
      await withRuntime(storeOptions(), async (rt) => {
        const communityId = await community(rt);
        const current = await settingsOf(rt.repos).get(communityId);
        console.log(
          `${communityId} 银行代发格式 bank format: ${current.bankFormat ?? '（未设置：人事 CSV）(not set: HR’s CSV)'}` +
            (current.updatedBy ? ` — ${current.updatedBy} ${current.updatedAt}` : ''),
        );
        const formats = [
          ...customFormats(current).map((f) => [
            f.name,
            '本医共体 own',
            f.fileType,
            f.encoding,
            f.description,
          ]),
          ...BANK_FORMAT_PRESETS.map((f) => [f.name, '内置 shipped', f.fileType, f.encoding, f.description]),
        ];
        console.log(
          table(['格式 format', '来源 source', '类型 type', '编码 encoding', '说明 description'], formats),
        );
      });
    });

  settings
    .command('bank-format')
    .description(
      '设置 export bank 默认的银行文件格式（--format 仍可覆盖）/ choose the bank-file format export bank writes by default (--format still overrides)',
    )
    .argument('[name]', '格式名称，如 批量代发 / a format name, e.g. 批量代发')
    .option(
      '--file <json>',
      '本医共体自己的格式（JSON），加入并选用 / the community’s own format (JSON): add and choose it',
    )
    .requiredOption('--as <user>', '操作人（记入审计）who changes it (audited)')
    .action(async (name: string | undefined, o) => {
      const { setBankFormat } = await import('../shared/app/bank-export.js');
      const json = o.file ? await readFile(resolve(o.file), 'utf8') : undefined;
      await withRuntime(storeOptions(), async (rt) => {
        const communityId = await community(rt);
        const next = await setBankFormat(rt.repos, {
          communityId,
          by: o.as,
          ...(name === undefined ? {} : { name }),
          ...(json === undefined ? {} : { json }),
        });
        console.log(
          `${communityId} 的银行代发格式已设为 bank format set to: ${next.bankFormat}（export bank 未给 --format 时使用 / used when export bank has no --format）`,
        );
      });
    });
}
