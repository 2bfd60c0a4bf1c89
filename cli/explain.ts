/**
 * `medcomm explain <period> <id>`: why a person (staff id) or an institution (institution id) got the
 * amount of a completed cycle, every step to the fen (shared/reports/explain.ts). What the command needs
 * is loaded when it runs, so other commands start without it.
 */
import type { Command } from 'commander';
import type { StoreOptions } from './context.js';

export function registerExplainCommand(
  program: Command,
  options: () => StoreOptions & { community?: string },
) {
  program
    .command('explain')
    .description('说明金额由来 / why this amount: a person or an institution in a completed cycle')
    .argument('<period>', '期间 YYYY-MM | YYYY-Qn | YYYY')
    .argument('<id>', '工号或机构编码 staff id or institution id')
    .option('--json', '输出 JSON / print the explanation as JSON')
    .action(async (period: string, id: string, o: { json?: boolean }) => {
      const [{ resolveCommunity }, load, text, { DatasetContexts }, { periodKind }, { withRuntime }] =
        await Promise.all([
          import('../shared/app/cycle-service.js'),
          import('../shared/reports/explain-load.js'),
          import('../shared/reports/explain-text.js'),
          import('../shared/reports/load.js'),
          import('../shared/reports/exports.js'),
          import('./context.js'),
        ]);
      const kind = periodKind(period);
      await withRuntime(options(), async (rt) => {
        const communityId = await resolveCommunity(rt.repos, options().community);
        const contexts = new DatasetContexts(rt.repos, communityId);
        const cycle = await rt.repos.cycles.get(communityId, kind, period);
        const dataset = cycle ? await contexts.get(cycle.datasetVersion) : undefined;
        if (dataset?.institutions.some((i) => i.id === id)) {
          const e = await load.explainInstitutionOf(rt.repos, communityId, period, id, contexts);
          console.log(o.json ? JSON.stringify(e.institution, null, 1) : text.institutionText(e.institution));
          if (!e.institution.reconciles) process.exitCode = 1;
          return;
        }
        const p = await load.explainPersonOf(rt.repos, communityId, period, id, contexts);
        console.log(o.json ? JSON.stringify(p, null, 1) : text.personText(p));
        if (!p.reconciles) process.exitCode = 1;
      });
    });
}
