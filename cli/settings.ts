/**
 * `medcomm settings`: a community's settings. `settings bank-format NAME` chooses the bank-file format
 * `export bank` writes when `--format` is not given (issue 16: chosen per community); `--file F.json`
 * adds the community's own format (shared/export/bank-formats.ts describes the JSON) and chooses it.
 * `settings payer-account INSTITUTION --account … --name … --bank …` sets the account an institution pays
 * from, for formats that write one file per payer account. Every change is audited (`settings.bank-format`,
 * `settings.payer-account`, the account masked).
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
      const [{ settingsOf, customFormats }, { BANK_FORMAT_PRESETS }, { maskBankAccount }] = await Promise.all(
        [
          import('../shared/app/bank-export.js'),
          import('../shared/export/bank-formats.js'),
          import('../shared/privacy.js'),
        ],
      );
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
        const payers = Object.entries(await settingsOf(rt.repos).payerAccounts(communityId)).sort(
          ([a], [b]) => (a < b ? -1 : 1),
        );
        console.log(
          payers.length === 0
            ? '付款账户 payer accounts: （未设置 none set）'
            : `付款账户 payer accounts:\n${table(
                ['单位 institution', '付款账户 account', '户名 name', '开户行 bank'],
                payers.map(([id, p]) => [id, maskBankAccount(p.account), p.name, p.bank]),
              )}`,
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

  settings
    .command('payer-account')
    .description(
      '设置单位的付款账户（按付款账户分文件的银行格式需要）/ set the account an institution pays from (formats that make one file per payer account need it)',
    )
    .argument('[institution]', '机构编号，如 C01 / the institution id, e.g. C01')
    .option('--account <digits>', '付款账号 the paying account')
    .option('--name <name>', '户名 the account holder')
    .option('--bank <bank>', '开户行 the bank and branch')
    .option(
      '--non-card',
      '16–19 位但不是银行卡号（对公账户）：不做 Luhn 校验 / 16–19 digits but not a card (a corporate account): no Luhn check',
    )
    .option('--remove', '删除该单位的付款账户 / remove the institution’s payer account')
    .option(
      '--file <csv>',
      '从 CSV 一次设置多个单位：institutionId,account,name,bank[,accountCheck=nonCard] / set many at once from a CSV',
    )
    .requiredOption('--as <user>', '操作人（记入审计）who changes it (audited)')
    .action(async (institution: string | undefined, o) => {
      const one = o.account || o.name || o.bank || o.nonCard;
      if (o.file ? institution || one || o.remove : !institution) {
        throw new Error('请给出机构编号，或只用 --file 文件 / give an institution id, or --file alone');
      }
      if (o.remove && one) {
        throw new Error(
          '--remove 不能与 --account/--name/--bank 同用 / --remove takes no --account, --name or --bank',
        );
      }
      if (!o.file && !o.remove && !(o.account && o.name && o.bank)) {
        throw new Error(
          '请给出 --account、--name 和 --bank（或 --remove）/ give --account, --name and --bank (or --remove)',
        );
      }
      const [{ changePayerAccounts }, { payerAccountsCsv }, { maskBankAccount }] = await Promise.all([
        import('../shared/app/bank-export.js'),
        import('../shared/export/bank-payers.js'),
        import('../shared/privacy.js'),
      ]);
      const set: Record<string, unknown> = o.file
        ? payerAccountsCsv(o.file, new Uint8Array(await readFile(resolve(o.file))))
        : o.remove
          ? {}
          : {
              [institution!]: {
                account: String(o.account),
                name: String(o.name),
                bank: String(o.bank),
                ...(o.nonCard ? { nonCard: true } : {}),
              },
            };
      await withRuntime(storeOptions(), async (rt) => {
        const communityId = await community(rt);
        const payers = await changePayerAccounts(rt.repos, {
          communityId,
          by: o.as,
          set,
          ...(o.remove ? { remove: [institution!] } : {}),
        });
        if (o.remove) console.log(`${communityId} ${institution} 的付款账户已删除 payer account removed`);
        for (const id of Object.keys(set)) {
          const now = payers[id]!;
          console.log(
            `${communityId} ${id} 付款账户 payer account: ${maskBankAccount(now.account)} ${now.name} ${now.bank}`,
          );
        }
      });
    });
}
