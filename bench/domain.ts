/**
 * The domain core alone: `monthlyStep` over every institution of a scale for one month, in memory —
 * no store, no workflow. Run three times: the first pass includes JIT warm-up (what a Lambda cold
 * start sees), the best pass is the steady state.
 *
 * Run by bench/run.ts: `node bin/run-ts.mjs bench/domain.ts --scale city --out FILE`.
 */
import { writeFileSync } from 'node:fs';
import { parseDatasetFiles } from '../shared/dataset/index.js';
import { generateCounty } from '../shared/demo/index.js';
import { monthlyStep } from '../shared/domain/steps.js';
import type { Staff } from '../shared/schemas/dataset.js';
import { monthRowsByInstitution } from '../shared/store/datasets.js';
import { argValue, parseScale, SCALES } from './lib/scales.js';

export interface DomainResult {
  scale: string;
  period: string;
  staff: number;
  institutions: number;
  payLines: number;
  /** Wall time of each pass over every institution. */
  passesMs: number[];
  /** CPU time of each pass (what the pass would take on an idle core). */
  passesCpuMs: number[];
  parseMs: number;
}

const scale = parseScale(argValue('--scale'));
const out = argValue('--out');
if (!out) throw new Error('--out FILE is required');

const files = generateCounty(SCALES[scale]);
let started = performance.now();
const parsed = parseDatasetFiles(files);
if (!parsed.ok)
  throw new Error(`the demo dataset does not parse: ${JSON.stringify(parsed.issues.slice(0, 3))}`);
const parseMs = Math.round(performance.now() - started);
const { dataset } = parsed;
const period = `${dataset.scheme.year}-01`;
const rosters = new Map<string, Staff[]>();
for (const s of dataset.staff) rosters.set(s.institutionId, [...(rosters.get(s.institutionId) ?? []), s]);
const month = monthRowsByInstitution(dataset).get(period) ?? new Map();

const passesMs: number[] = [];
const passesCpuMs: number[] = [];
let payLines = 0;
for (let pass = 0; pass < 3; pass++) {
  payLines = 0;
  const cpu = process.cpuUsage();
  started = performance.now();
  for (const institution of dataset.institutions) {
    const rows = month.get(institution.id);
    const result = monthlyStep({
      scheme: dataset.scheme,
      institution,
      roster: rosters.get(institution.id) ?? [],
      period,
      workload: rows?.workload ?? [],
      adjustments: rows?.adjustments ?? [],
    });
    payLines += result.lines.length;
  }
  passesMs.push(Math.round(performance.now() - started));
  const used = process.cpuUsage(cpu);
  passesCpuMs.push(Math.round((used.user + used.system) / 1000));
}
process.stderr.write(
  `  [${scale} domain] monthlyStep × ${dataset.institutions.length} institutions, ${payLines} pay lines: ${passesMs.join(' / ')} ms (CPU ${passesCpuMs.join(' / ')} ms)\n`,
);

const result: DomainResult = {
  scale,
  period,
  staff: dataset.staff.length,
  institutions: dataset.institutions.length,
  payLines,
  passesMs,
  passesCpuMs,
  parseMs,
};
writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
