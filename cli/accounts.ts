/**
 * `medcomm accounts`: the bank-account changes an import made (masked), and HR's confirmation of them —
 * by a user other than the importer — which the next bank file for those people waits for (issue 16).
 */
import type { Command } from 'commander';
import { type StoreOptions, withRuntime } from './context.js';
import { table } from './format.js';

export function registerAccountsCommand(
  program: Command,
  storeOptions: () => StoreOptions & { community?: string },
): void {
  const accounts = program
    .command('accounts')
    .description('导入改动的银行账号与人事确认 / bank-account changes made by imports, and HR confirmation');
  const community = async (rt: Parameters<Parameters<typeof withRuntime>[1]>[0]) =>
    (await import('../shared/app/cycle-service.js')).resolveCommunity(rt.repos, storeOptions().community);

  accounts
    .command('changes')
    .description('列出尚未确认的账号改动（已遮蔽）/ list the unconfirmed account changes (masked)')
    .argument('[version]', '数据集版本（默认当前）dataset version (default: the current one)')
    .option('--year <yyyy>', '年度 year')
    .action(async (version: string | undefined, o) => {
      const { unconfirmedAccountChanges } = await import('../shared/app/account-changes.js');
      await withRuntime(storeOptions(), async (rt) => {
        const communityId = await community(rt);
        const current = await rt.repos.datasets.current(communityId, o.year ? Number(o.year) : undefined);
        const v = version ? Number(version) : (current?.version ?? 0);
        const changes = await unconfirmedAccountChanges(rt.repos, communityId, v);
        if (changes.length === 0) {
          console.log(`没有待确认的账号改动 No unconfirmed account changes (dataset v${v})`);
          return;
        }
        console.log(
          table(
            ['版本 version', '工号 staff', '姓名 name', '机构 institution', '原账号 before', '新账号 after'],
            changes.map((c) => [
              `v${c.version}`,
              c.staffId,
              c.name,
              c.institutionId,
              c.before || '—',
              c.after || '—',
            ]),
          ),
        );
      });
    });

  accounts
    .command('confirm')
    .description(
      '人事确认某版本的账号改动（不能是导入人）/ HR confirms a version’s account changes (not the importer)',
    )
    .argument('<version>', '数据集版本 dataset version')
    .requiredOption('--as <user>', '确认人（记入审计）who confirms (audited)')
    .action(async (version: string, o) => {
      const { confirmAccountChanges } = await import('../shared/app/account-changes.js');
      await withRuntime(storeOptions(), async (rt) => {
        const changes = await confirmAccountChanges(rt.repos, await community(rt), Number(version), o.as);
        console.log(`已确认 Confirmed ${changes.length} account change(s) of dataset v${version} (${o.as})`);
      });
    });
}
