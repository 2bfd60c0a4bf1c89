/**
 * Writes a year's results into a folder: the machine-readable contract of DOMAIN.md §8.1 (JSON) and the
 * pay sheets HR opens (CSV with BOM, Chinese headers, 合计 row), for every completed cycle.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type PaySheet, type PaySheetLine, paySheetCsv } from '../export/index.js';
import {
  annualPaysheetJson,
  appraisalJson,
  bulletinJson,
  monthlyPaysheetJson,
  quarterlyPaysheetJson,
} from '../results/contract.js';
import type { Institution, Staff } from '../schemas/dataset.js';
import type { CycleRecord } from '../store/cycles.js';
import type { Repositories } from '../store/index.js';
import { allocations, annualResults, bulletin, monthlyResults } from './cycle-results.js';

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `${JSON.stringify(value, null, 1)}\n`);
}

interface People {
  staff: Map<string, Staff>;
  institutions: Map<string, Institution>;
  communityName: string;
}

async function people(repos: Repositories, cycle: CycleRecord): Promise<People> {
  const dataset = await repos.datasets.load(cycle.communityId, cycle.datasetVersion);
  return {
    staff: new Map(dataset.staff.map((s) => [s.staffId, s])),
    institutions: new Map(dataset.institutions.map((i) => [i.id, i])),
    communityName: dataset.scheme.community.name,
  };
}

function sheetLine(
  p: People,
  period: string,
  institutionId: string,
  staffId: string,
  amounts: Partial<PaySheetLine>,
): PaySheetLine {
  const person = p.staff.get(staffId);
  const base = {
    basic: 0,
    reward: 0,
    quarterlySurplus: 0,
    annualBonus: 0,
    adjustment: 0,
    gross: 0,
    ...amounts,
  };
  return {
    period,
    institutionId,
    institutionName: p.institutions.get(institutionId)?.name ?? institutionId,
    department: person?.department ?? '',
    staffId,
    name: person?.name ?? staffId,
    post: person?.post ?? '',
    ...base,
    gross:
      amounts.gross ?? base.basic + base.reward + base.quarterlySurplus + base.annualBonus + base.adjustment,
  };
}

const lineage = (c: CycleRecord) => `${c.kind} ${c.period} r${c.revision} · dataset v${c.datasetVersion}`;

export interface WrittenFiles {
  files: string[];
}

/** Writes every completed cycle of `year` under `outDir`; returns the files written. */
export async function writeYearResults(
  repos: Repositories,
  communityId: string,
  year: number,
  outDir: string,
): Promise<WrittenFiles> {
  const files: string[] = [];
  const cycles = (await repos.cycles.list(communityId)).filter(
    (c) => c.status === 'completed' && c.period.startsWith(String(year)),
  );
  let names: People | undefined;
  const peopleFor = async (c: CycleRecord) => (names ??= await people(repos, c));
  const emit = async (path: string, value: unknown) => {
    await writeJson(join(outDir, path), value);
    files.push(path);
  };
  const emitCsv = async (path: string, sheet: PaySheet) => {
    await mkdir(join(outDir, path, '..'), { recursive: true });
    await writeFile(join(outDir, path), paySheetCsv(sheet));
    files.push(path);
  };

  for (const cycle of cycles
    .filter((c) => c.kind === 'monthly')
    .sort((a, b) => (a.period < b.period ? -1 : 1))) {
    const results = await monthlyResults(repos, cycle);
    await emit(`monthly/${cycle.period}/paysheet.json`, monthlyPaysheetJson(cycle.period, results));
    const report = await repos.results.document(cycle, 'REPORT');
    await emit(`monthly/${cycle.period}/report.json`, report);
    const p = await peopleFor(cycle);
    await emitCsv(`monthly/${cycle.period}/paysheet.csv`, {
      kind: 'monthly',
      period: cycle.period,
      communityName: p.communityName,
      lineage: lineage(cycle),
      lines: results.flatMap((r) =>
        r.lines.map((l) =>
          sheetLine(p, cycle.period, r.institutionId, l.staffId, {
            basic: l.basic,
            reward: l.reward,
            adjustment: l.adjustment,
            gross: l.gross,
          }),
        ),
      ),
    });
  }
  for (const cycle of cycles
    .filter((c) => c.kind === 'quarterly')
    .sort((a, b) => (a.period < b.period ? -1 : 1))) {
    await emit(`quarterly/${cycle.period}/bulletin.json`, bulletinJson(await bulletin(repos, cycle)));
    const alloc = await allocations(repos, cycle);
    await emit(`quarterly/${cycle.period}/paysheet.json`, quarterlyPaysheetJson(alloc));
    const p = await peopleFor(cycle);
    await emitCsv(`quarterly/${cycle.period}/paysheet.csv`, {
      kind: 'quarterly',
      period: cycle.period,
      communityName: p.communityName,
      lineage: lineage(cycle),
      lines: alloc.flatMap((a) =>
        a.lines.map((l) =>
          sheetLine(p, cycle.period, a.institutionId, l.staffId, { quarterlySurplus: l.amount }),
        ),
      ),
    });
  }
  const annual = cycles.find((c) => c.kind === 'annual');
  if (annual) {
    const { scores, settlement } = await annualResults(repos, annual);
    if (settlement) {
      await emit(`annual/${annual.period}/appraisal.json`, appraisalJson(scores, settlement));
      await emit(`annual/${annual.period}/settlement.json`, settlement);
    }
    const alloc = await allocations(repos, annual);
    await emit(`annual/${annual.period}/paysheet.json`, annualPaysheetJson(alloc));
    const p = await peopleFor(annual);
    await emitCsv(`annual/${annual.period}/paysheet.csv`, {
      kind: 'annual',
      period: annual.period,
      communityName: p.communityName,
      lineage: lineage(annual),
      lines: alloc.flatMap((a) =>
        a.lines.map((l) =>
          sheetLine(p, annual.period, a.institutionId, l.staffId, { annualBonus: l.amount }),
        ),
      ),
    });
    if (settlement) {
      await emitCsv(`annual/${annual.period}/leaders.csv`, {
        kind: 'leaders',
        period: annual.period,
        communityName: p.communityName,
        lineage: lineage(annual),
        lines: settlement.leaders.map((l) =>
          sheetLine(p, annual.period, l.institutionId, l.staffId, { annualBonus: l.salary }),
        ),
      });
    }
  }
  return { files };
}
