/**
 * Writes a year's results into a folder: the machine-readable contract of DOMAIN.md §8.1 (JSON) and the
 * pay sheets HR opens (CSV with BOM, Chinese headers, 合计 row), for every completed cycle. The cycles'
 * results are read once (shared/reports loadYear, or handed in by the caller) and the sheets built by the
 * same code as the XLSX.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type PaySheet, paySheetCsv } from '../export/index.js';
import { loadYear } from '../reports/load.js';
import { annualPaySheet, leadersPaySheet, monthlyPaySheet, quarterlyPaySheet } from '../reports/sheets.js';
import type { YearData } from '../reports/sources.js';
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
  const files: string[] = [];
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(outDir, path)), { recursive: true });
    await writeFile(join(outDir, path), text);
    files.push(path);
  };
  const json = (path: string, value: unknown) => write(path, contractText(value));
  const csv = (path: string, sheet: PaySheet) => write(path, paySheetCsv(sheet));

  const { monthly, quarterly, annual } = data ?? (await loadYear(repos, communityId, year));
  for (const month of monthly) {
    const { period } = month.cycle;
    await json(`monthly/${period}/paysheet.json`, monthlyPaysheetJson(period, month.results));
    await json(`monthly/${period}/report.json`, month.report);
    await csv(`monthly/${period}/paysheet.csv`, monthlyPaySheet(month));
  }
  for (const quarter of quarterly) {
    const { period } = quarter.cycle;
    await json(`quarterly/${period}/bulletin.json`, bulletinJson(quarter.bulletin, quarter.community));
    await json(`quarterly/${period}/paysheet.json`, quarterlyPaysheetJson(quarter.allocations));
    await csv(`quarterly/${period}/paysheet.csv`, quarterlyPaySheet(quarter));
  }
  if (annual) {
    const { period } = annual.cycle;
    await json(`annual/${period}/appraisal.json`, appraisalJson(annual.scores, annual.settlement));
    await json(`annual/${period}/settlement.json`, annual.settlement);
    await json(`annual/${period}/paysheet.json`, annualPaysheetJson(annual.allocations));
    await csv(`annual/${period}/paysheet.csv`, annualPaySheet(annual));
    await csv(`annual/${period}/leaders.csv`, leadersPaySheet(annual));
  }
  return { files };
}
