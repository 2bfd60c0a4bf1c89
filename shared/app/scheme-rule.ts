/**
 * The import rule for a dataset's scheme (issue 15): once a year has a scheme in force — published by the
 * committee, or carried by the year's first import — an import whose scheme.json or indicators.csv
 * differs from it is refused, naming the first differing field. The scheme changes only through the
 * lifecycle (draft → submitted → approved → published). A dataset without scheme.json takes the scheme
 * in force (`schemeFileInForce` gives the file to read in its place).
 */
import { compareDecimal } from '../dataset/decimal.js';
import { DatasetInvalidError, issueAt, Problem } from '../dataset/errors.js';
import { SCHEME_FILE } from '../dataset/formats/index.js';
import { type CompleteSources, yearOfSources } from '../dataset/year-of.js';
import { formatYuan } from '../domain/money.js';
import { bilingual, NotFoundError, PrerequisiteError } from '../errors.js';
import type { Dataset, Indicator, Scheme } from '../schemas/dataset.js';
import type { Repositories } from '../store/index.js';
import { resolveCommunity } from './cycle-service.js';
import { schemeInForce } from './scheme-service.js';

const DECIMAL = /^-?\d+(\.\d+)?$/;

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && DECIMAL.test(a) && DECIMAL.test(b))
    return compareDecimal(a, b) === 0;
  return a === b;
}

const shown = (v: unknown) =>
  v === undefined ? '（空 empty）' : typeof v === 'string' ? v : JSON.stringify(v);

/** The first field (in the file's order) where two values differ: `pay.holdbackRate`, `grades[1].min`. */
export function firstDifference(
  published: unknown,
  imported: unknown,
  path = '',
): { path: string; published: unknown; imported: unknown } | undefined {
  if (Array.isArray(published) && Array.isArray(imported)) {
    for (let i = 0; i < Math.max(published.length, imported.length); i++) {
      const found = firstDifference(published[i], imported[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(published) && isObject(imported)) {
    const a = published as Record<string, unknown>;
    const b = imported as Record<string, unknown>;
    for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
      const found = firstDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (found) return found;
    }
    return undefined;
  }
  if (isObject(published) || isObject(imported) || Array.isArray(published) || Array.isArray(imported))
    return { path, published, imported };
  return same(published, imported) ? undefined : { path, published, imported };
}

const INDICATOR_COLUMNS: readonly (keyof Indicator)[] = [
  'id',
  'nameZh',
  'nameEn',
  'dimension',
  'appliesTo',
  'cadence',
  'direction',
  'aggregation',
  'method',
  'weight',
  'target',
  'floor',
  'params',
];

const cell = (v: unknown) => (Array.isArray(v) ? v.join(';') : v === '' ? undefined : v);

/** The first indicators.csv row and column (header = row 1) that differs from the indicators in force. */
export function firstIndicatorDifference(
  published: readonly Indicator[],
  imported: readonly Indicator[],
): { row: number; column: string; published: unknown; imported: unknown } | undefined {
  for (let i = 0; i < Math.max(published.length, imported.length); i++) {
    const a = published[i];
    const b = imported[i];
    if (!a || !b) return { row: i + 2, column: 'id', published: a?.id, imported: b?.id };
    for (const column of INDICATOR_COLUMNS) {
      if (!same(cell(a[column]), cell(b[column])))
        return { row: i + 2, column, published: cell(a[column]), imported: cell(b[column]) };
    }
  }
  return undefined;
}

/**
 * Refuses a dataset whose scheme or indicators differ from the scheme in force of its year; a year
 * without one takes the dataset's (its first import). Call after parsing, before anything is written.
 */
export async function checkDatasetScheme(repos: Repositories, dataset: Dataset): Promise<void> {
  const communityId = dataset.scheme.community.id;
  const year = dataset.scheme.year;
  const inForce = await schemeInForce(repos, communityId, year);
  if (!inForce) return;
  const which =
    inForce.source === 'published'
      ? {
          zh: `${year} 年已发布的方案（第 ${inForce.version} 版）`,
          en: `the published ${year} scheme (v${inForce.version})`,
        }
      : {
          zh: `${year} 年现行方案（随数据版本 v${inForce.datasetVersion} 导入）`,
          en: `the ${year} scheme in force (imported with dataset v${inForce.datasetVersion})`,
        };
  const how = {
    zh: '改变方案须经起草、医管会审定并发布（medcomm scheme …）；导入的文件须与现行方案一致',
    en: 'a scheme changes only by a draft the committee approves and publishes (medcomm scheme …); import files that match the scheme in force',
  };
  const scheme = firstDifference(inForce.scheme, dataset.scheme);
  if (scheme) {
    throw new PrerequisiteError(
      bilingual(
        `scheme.json 的 ${scheme.path} 为 ${shown(scheme.imported)}，与${which.zh}的 ${shown(scheme.published)} 不同；${how.zh}`,
        `scheme.json field ${scheme.path} is ${shown(scheme.imported)}, but ${which.en} has ${shown(scheme.published)}; ${how.en}`,
      ),
    );
  }
  const indicator = firstIndicatorDifference(inForce.indicators, dataset.indicators);
  if (indicator) {
    throw new PrerequisiteError(
      bilingual(
        `indicators.csv 第 ${indicator.row} 行 ${indicator.column} 列为 ${shown(indicator.imported)}，与${which.zh}的 ${shown(indicator.published)} 不同；${how.zh}`,
        `indicators.csv row ${indicator.row}, column ${indicator.column} is ${shown(indicator.imported)}, but ${which.en} has ${shown(indicator.published)}; ${how.en}`,
      ),
    );
  }
}

/** Scheme fields stored in fen and written in yuan in scheme.json. */
export const YUAN_FIELDS = ['publicHealth.perCapita', 'pay.funding1Floor'] as const;

/** A stored scheme as scheme.json in the dataset format (amounts back to yuan). */
export function schemeJson(scheme: Scheme): string {
  const file = structuredClone(scheme) as unknown as Record<string, Record<string, unknown>>;
  for (const path of YUAN_FIELDS) {
    const [group, key] = path.split('.') as [string, string];
    const fen = file[group]?.[key];
    if (typeof fen === 'number') file[group]![key] = formatYuan(fen);
  }
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * scheme.json of the scheme in force of `year`, for an import that leaves the file out; undefined when
 * the year has none yet (then the import needs the file).
 */
export async function schemeFileInForce(
  repos: Repositories,
  communityId: string,
  year: number,
): Promise<string | undefined> {
  const inForce = await schemeInForce(repos, communityId, year);
  return inForce ? schemeJson(inForce.scheme) : undefined;
}

/**
 * The files of an import, with scheme.json added from the scheme in force when they leave it out (the
 * community's latest year with one, unless `year` is given). Unchanged when the file is there or no
 * scheme is in force (the import then names the missing file as before).
 */
export async function withSchemeInForce<T extends string | Uint8Array>(
  repos: Repositories,
  files: Record<string, T>,
  communityId: string | undefined,
  year?: number,
): Promise<Record<string, T | string>> {
  if ('scheme.json' in files || !communityId) return files;
  const years = year === undefined ? await repos.datasets.years(communityId) : [year];
  for (const y of [...years].reverse()) {
    const text = await schemeFileInForce(repos, communityId, y);
    if (text !== undefined) return { ...files, 'scheme.json': text };
  }
  return files;
}

/** Which community and year an import is for, when the caller knows (`--community`, `--year`, API fields). */
export interface ImportTarget {
  communityId?: string;
  year?: number;
}

const schemeMissing = (zh: string, en: string) =>
  new DatasetInvalidError([
    issueAt({ file: SCHEME_FILE }, new Problem('file.missing', `未附此文件，${zh}`, `not given, and ${en}`)),
  ]);

/**
 * The step of an import that gives files without scheme.json the scheme in force of their community and
 * year (issue 15). The community is the one named, else the one every command without --community takes
 * (resolveCommunity: with tenancy, the deployment's only community); the year is the one named, else the files' own (insurance.csv, or a monthly file's first
 * period). Refused, naming what to add, when either cannot be known or the year has no scheme in force —
 * a year's first import carries its scheme.json.
 */
export function schemeFromStore(repos: Repositories, target: ImportTarget = {}): CompleteSources {
  return async (sources) => {
    if (sources.has(SCHEME_FILE)) return sources;
    let communityId = target.communityId;
    try {
      // The community named, else the one every command without --community takes.
      communityId ??= await resolveCommunity(repos);
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw schemeMissing(
          '还没有导入过任何医共体，无法确定方案；首次导入须附 scheme.json',
          'nothing has been imported yet, so there is no scheme to use; a first import carries scheme.json',
        );
      }
      if (error instanceof PrerequisiteError) {
        throw schemeMissing(
          '本系统有多个医共体，无法确定数据属于哪一个：请用 --community 指定',
          'this deployment has several communities and the files do not say which they are for: name it with --community',
        );
      }
      throw error;
    }
    const year = target.year ?? yearOfSources(sources);
    if (year === undefined) {
      throw schemeMissing(
        '无法从文件确定年度（insurance.csv 的 year 或月度文件的 period），请用 --year 指定年度或附上 scheme.json',
        'the year cannot be read from the files (insurance.csv year, or a monthly file’s period); give --year or add scheme.json',
      );
    }
    const text = await schemeFileInForce(repos, communityId, year);
    if (text === undefined) {
      throw schemeMissing(
        `${communityId} 的 ${year} 年还没有现行方案（未发布，也未随数据导入）；该年度的首次导入须附 scheme.json`,
        `${communityId} has no scheme in force for ${year} (none published or imported); the year's first import carries scheme.json`,
      );
    }
    return new Map([...sources, [SCHEME_FILE, text]]);
  };
}

/**
 * A dataset whose scheme.json names another community or year than the import was asked for is refused:
 * `--community B` must not import A's files into A without anyone noticing.
 */
export function checkImportTarget(dataset: Dataset, target: ImportTarget = {}): void {
  const { id } = dataset.scheme.community;
  const { year } = dataset.scheme;
  if (target.communityId !== undefined && target.communityId !== id) {
    throw new PrerequisiteError(
      bilingual(
        `scheme.json 的 community.id 为 ${id}，与指定的医共体 ${target.communityId} 不同`,
        `scheme.json community.id is ${id}, not the community named (${target.communityId})`,
      ),
    );
  }
  if (target.year !== undefined && target.year !== year) {
    throw new PrerequisiteError(
      bilingual(
        `scheme.json 的 year 为 ${year}，与指定的年度 ${target.year} 不同`,
        `scheme.json year is ${year}, not the year named (${target.year})`,
      ),
    );
  }
}
