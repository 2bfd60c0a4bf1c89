/**
 * Writes a year's results into a folder: the machine-readable contract of DOMAIN.md §8.1 (JSON) and the
 * pay sheets HR opens (CSV with BOM, Chinese headers, 合计 row), for every completed cycle. The cycles'
 * results are read once (shared/reports loadYear, or handed in by the caller) and the sheets built by the
 * same code as the XLSX.
 */
import type { PaySheet } from '../export/index.js';
import { loadYear } from '../reports/load.js';
import { OutputFolder } from '../reports/output-folder.js';
import { annualPaySheet, leadersPaySheet, monthlyPaySheet, quarterlyPaySheet } from '../reports/sheets.js';
import type { AnnualCycleData, MonthlyCycleData, QuarterlyCycleData, YearData } from '../reports/sources.js';
import {
  annualPaysheetJson,
  appraisalJson,
  bulletinJson,
  monthlyPaysheetJson,
  quarterlyPaysheetJson,
} from '../results/contract.js';
import type { Repositories } from '../store/index.js';

/** The text of a §8.1 JSON file: a simulated year (shared/app/simulation.ts) writes its files with it too. */
export const contractText = (value: unknown) => `${JSON.stringify(value, null, 1)}\n`;

export interface WrittenFiles {
  files: string[];
}

/**
 * Writes every completed cycle of `year` under `outDir`; returns the files written. `data`: the year
 * already loaded (loadYear) by a caller that writes more from it; read here otherwise.
 */
export async function writeYearResults(
  repos: Repositories,
  communityId: string,
  year: number,
  outDir: string,
  data?: YearData,
): Promise<WrittenFiles> {
  const out = new OutputFolder(outDir);
  const { monthly, quarterly, annual } = data ?? (await loadYear(repos, communityId, year));
  for (const month of monthly) await writeMonthResults(out, month);
  for (const quarter of quarterly) await writeQuarterResults(out, quarter);
  if (annual) await writeAnnualResults(out, annual);
  return { files: out.files };
}

// A period at a time, for a caller that writes each cycle's files as it completes (the demo).
const json = (out: OutputFolder, path: string, value: unknown) => out.write(path, contractText(value));
const csv = (out: OutputFolder, path: string, sheet: PaySheet) =>
  out.render(path, { type: 'paySheetCsv', sheet });

export async function writeMonthResults(out: OutputFolder, month: MonthlyCycleData): Promise<void> {
  const { period } = month.cycle;
  await json(out, `monthly/${period}/paysheet.json`, monthlyPaysheetJson(period, month.results));
  await json(out, `monthly/${period}/report.json`, month.report);
  await csv(out, `monthly/${period}/paysheet.csv`, monthlyPaySheet(month));
}

export async function writeQuarterResults(out: OutputFolder, quarter: QuarterlyCycleData): Promise<void> {
  const { period } = quarter.cycle;
  await json(out, `quarterly/${period}/bulletin.json`, bulletinJson(quarter.bulletin, quarter.community));
  await json(out, `quarterly/${period}/paysheet.json`, quarterlyPaysheetJson(quarter.allocations));
  await csv(out, `quarterly/${period}/paysheet.csv`, quarterlyPaySheet(quarter));
}

export async function writeAnnualResults(out: OutputFolder, annual: AnnualCycleData): Promise<void> {
  const { period } = annual.cycle;
  await json(out, `annual/${period}/appraisal.json`, appraisalJson(annual.scores, annual.settlement));
  await json(out, `annual/${period}/settlement.json`, annual.settlement);
  await json(out, `annual/${period}/paysheet.json`, annualPaysheetJson(annual.allocations));
  await csv(out, `annual/${period}/paysheet.csv`, annualPaySheet(annual));
  await csv(out, `annual/${period}/leaders.csv`, leadersPaySheet(annual));
}
