/**
 * `medcomm scheme …`: the scheme lifecycle on the command line — draft (office) → submit → approve or
 * reject (committee, never the drafter) → publish — the versions of a year, and a readable diff of two.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { SchemeSide } from '../shared/app/scheme-diff.js';
import type { Repositories } from '../shared/store/index.js';
import { type StoreOptions, withRuntime } from './context.js';
import { table } from './format.js';

type Globals = StoreOptions & { community?: string };

async function draftFiles(o: { scheme?: string; indicators?: string }) {
  const { parseSchemeDraft } = await import('../shared/app/simulation.js');
  if (!o.scheme && !o.indicators) return {};
  return parseSchemeDraft({
    ...(o.scheme ? { scheme: await readFile(resolve(o.scheme)) } : {}),
    ...(o.indicators ? { indicators: await readFile(resolve(o.indicators)) } : {}),
  });
}

/** "current" (the scheme in force) or a version number. */
async function side(
  repos: Repositories,
  communityId: string,
  year: number,
  which: string,
): Promise<SchemeSide> {
  const { schemeInForce, schemesOf } = await import('../shared/app/scheme-service.js');
  if (which === 'current') {
    const inForce = await schemeInForce(repos, communityId, year);
    if (!inForce) throw new Error(`${year} 年还没有现行方案 / no scheme in force for ${year}`);
    return inForce;
  }
  const version = Number(which.replace(/^v/, ''));
  const record = Number.isInteger(version)
    ? await schemesOf(repos).get(communityId, year, version)
    : undefined;
  if (!record) throw new Error(`没有 ${year} 年方案 ${which} / no ${year} scheme version ${which}`);
  return record;
}

export function registerSchemeCommand(program: Command): void {
  const globals = (): Globals => program.opts();
  const community = async (repos: Repositories) =>
    (await import('../shared/app/cycle-service.js')).resolveCommunity(repos, globals().community);
  const service = () => import('../shared/app/scheme-service.js');
  const describe = (r: { year: number; version: number; status: string; hash: string }) =>
    `${r.year} 方案 scheme v${r.version}: ${r.status} #${r.hash}`;

  const scheme = program
    .command('scheme')
    .description('考核方案：起草、提交、医管会审定、发布、比较 / the scheme lifecycle and diffs');

  scheme
    .command('list')
    .description('列出某年度的方案版本 / the versions of a year')
    .requiredOption('--year <yyyy>', '年度 year')
    .action(async (o) => {
      await withRuntime(globals(), async (rt) => {
        const c = await community(rt.repos);
        const { schemeInForce, schemesOf } = await service();
        const year = Number(o.year);
        const [versions, inForce] = await Promise.all([
          schemesOf(rt.repos).list(c, year),
          schemeInForce(rt.repos, c, year),
        ]);
        console.log(
          inForce
            ? `现行 In force: ${inForce.source === 'published' ? `v${inForce.version}` : `随数据 v${inForce.datasetVersion} 导入 from the import`} #${inForce.hash}`
            : '现行 In force: —',
        );
        console.log(
          table(
            ['v', 'status', 'hash', 'drafted', 'submitted', 'decided', 'published'],
            versions.map((v) => [
              v.version,
              v.status,
              v.hash,
              `${v.createdBy} ${v.createdAt}`,
              v.submittedBy ?? '',
              v.decidedBy ? `${v.decidedBy}${v.reason ? ` (${v.reason})` : ''}` : '',
              v.publishedBy ?? '',
            ]),
          ),
        );
      });
    });

  scheme
    .command('draft')
    .description(
      '起草新版本（默认复制现行方案）/ start a draft (a copy of the scheme in force unless files are given)',
    )
    .requiredOption('--year <yyyy>', '年度 year')
    .option('--scheme <file>', 'scheme.json')
    .option('--indicators <file>', 'indicators.csv')
    .option('--from <version>', '以某版本为底稿 start from this version')
    .requiredOption('--as <user>', '起草人（办公室）office user')
    .action(async (o) => {
      const draft = await draftFiles(o);
      await withRuntime(globals(), async (rt) => {
        const record = await (await service()).createSchemeDraft(rt.repos, {
          communityId: await community(rt.repos),
          year: Number(o.year),
          by: o.as,
          ...draft,
          ...(o.from ? { basedOn: Number(String(o.from).replace(/^v/, '')) } : {}),
        });
        console.log(describe(record));
      });
    });

  scheme
    .command('edit')
    .description('修改草稿 / change a draft')
    .argument('<version>', '版本 version')
    .requiredOption('--year <yyyy>', '年度 year')
    .option('--scheme <file>', 'scheme.json')
    .option('--indicators <file>', 'indicators.csv')
    .requiredOption('--as <user>', '修改人 who edits')
    .action(async (version: string, o) => {
      const draft = await draftFiles(o);
      await withRuntime(globals(), async (rt) => {
        const record = await (await service()).updateSchemeDraft(rt.repos, {
          communityId: await community(rt.repos),
          year: Number(o.year),
          version: Number(version.replace(/^v/, '')),
          by: o.as,
          ...draft,
        });
        console.log(describe(record));
      });
    });

  for (const verb of ['submit', 'approve', 'reject', 'publish'] as const) {
    const words = {
      submit: '提交医管会审定 / submit a draft to the committee',
      approve: '医管会审定通过（不能是起草人）/ approve (committee; not the drafter)',
      reject: '医管会退回 / reject (committee)',
      publish: '发布为该年度现行方案 / publish an approved version for its year',
    }[verb];
    const cmd = scheme
      .command(verb)
      .description(words)
      .argument('<version>', '版本 version')
      .requiredOption('--year <yyyy>', '年度 year')
      .requiredOption('--as <user>', '操作人 who');
    if (verb === 'reject') cmd.requiredOption('--reason <text>', '退回原因 reason');
    cmd.action(async (version: string, o) => {
      await withRuntime(globals(), async (rt) => {
        const s = await service();
        const input = {
          communityId: await community(rt.repos),
          year: Number(o.year),
          version: Number(version.replace(/^v/, '')),
          by: o.as,
        };
        const record =
          verb === 'submit'
            ? await s.submitScheme(rt.repos, input)
            : verb === 'publish'
              ? await s.publishScheme(rt.repos, input)
              : await s.decideScheme(rt.repos, { ...input, approve: verb === 'approve', reason: o.reason });
        console.log(
          describe(record) + (record.datasetVersion ? ` · 数据版本 dataset v${record.datasetVersion}` : ''),
        );
      });
    });
  }

  scheme
    .command('diff')
    .description('比较两个方案版本 / a readable diff of two versions ("current" = the scheme in force)')
    .argument('<from>', '版本或 current / version or current')
    .argument('<to>', '版本或 current / version or current')
    .requiredOption('--year <yyyy>', '年度 year')
    .option('--json', '输出 JSON / print JSON', false)
    .action(async (from: string, to: string, o) => {
      await withRuntime(globals(), async (rt) => {
        const c = await community(rt.repos);
        const year = Number(o.year);
        const { diffSchemes } = await import('../shared/app/scheme-diff.js');
        const changes = diffSchemes(await side(rt.repos, c, year, from), await side(rt.repos, c, year, to));
        if (o.json) console.log(JSON.stringify(changes, null, 1));
        else if (changes.length === 0) console.log('两个版本相同 / the two versions are the same');
        else for (const change of changes) console.log(`- ${change.zh} / ${change.en}`);
      });
    });
}
