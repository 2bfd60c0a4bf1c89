/**
 * indicators.csv — the scheme's indicators (DOMAIN.md §3). Row rules make sure every method has the
 * target, floor or params its formula reads, so scoring never divides by zero or meets a bad band.
 */

import { methodParams, NAMED_PARAMS, splitParams } from '../../domain/params.js';
import { AGGREGATIONS, CADENCES, DIRECTIONS, INSTITUTION_KINDS, METHODS } from '../../schemas/dataset.js';
import { formatBands, parseBands } from '../bands.js';
import { type Convert, decimal, freeText, id, listOf, name, oneOf, optional, required } from '../cells.js';
import { canonicalDecimal, compareDecimal, parseDecimal } from '../decimal.js';
import { isProblem, Problem } from '../errors.js';
import { type CellsRow, csvFormat } from '../table.js';

type Kind = (typeof INSTITUTION_KINDS)[number];

/** `*` (all kinds) or a `;`-separated list of kinds. */
const appliesTo: Convert<'*' | Kind[]> = (text) => {
  if (text.trim() === '*') return '*';
  const kinds = listOf(['*', ...INSTITUTION_KINDS] as const)(text);
  if (isProblem(kinds)) return kinds;
  if (kinds.includes('*') || kinds.length === 0) {
    return new Problem(
      'enum.value',
      '适用范围填 * 表示全部机构类型，或填以 ; 分隔的机构类型，二者不能混用',
      'appliesTo is either * (all kinds) or kinds separated by ;, not both',
    );
  }
  return kinds as Kind[];
};

const cells = {
  id: required(id),
  nameZh: required(name),
  nameEn: freeText(),
  dimension: required(id),
  appliesTo: required(appliesTo),
  cadence: required(oneOf(CADENCES)),
  direction: required(oneOf(DIRECTIONS)),
  aggregation: required(oneOf(AGGREGATIONS)),
  method: required(oneOf(METHODS)),
  /** Σw divides the composite score, and a bonus's weight is its cap. */
  weight: required(decimal({ min: '0', minExclusive: true })),
  target: optional(decimal()),
  floor: optional(decimal()),
  /** Kept as text: its meaning depends on the method. */
  params: optional((text) => text.trim()),
};

type Row = CellsRow<typeof cells>;
type Report = (column: 'target' | 'floor' | 'params', problem: Problem) => void;

function checkTarget(row: Row, report: Report): void {
  const { method, target } = row;
  if (target === undefined) {
    report(
      'target',
      new Problem(
        'indicator.target.required',
        `方法 ${method} 需要填写目标值 target`,
        `method ${method} needs a target`,
      ),
    );
    return;
  }
  // ge_target divides by the target; le_target scores w·t/v, which turns negative below zero.
  if (method === 'ge_target' && compareDecimal(target, '0') <= 0) {
    report(
      'target',
      new Problem(
        'indicator.target.range',
        'ge_target 的目标值须大于 0',
        'a ge_target target must be greater than 0',
      ),
    );
  }
  // §9.4: improve's target is the required relative change (e.g. 0.05) and divides the score.
  if (method === 'improve' && compareDecimal(target, '0') <= 0) {
    report(
      'target',
      new Problem(
        'indicator.target.range',
        'improve 的目标值（要求的相对变化，如 0.05）须大于 0',
        'an improve target (the required relative change, e.g. 0.05) must be greater than 0',
      ),
    );
  }
  if (method === 'le_target' && compareDecimal(target, '0') < 0) {
    report(
      'target',
      new Problem(
        'indicator.target.range',
        'le_target 的目标值不能为负数',
        'a le_target target must not be negative',
      ),
    );
  }
}

function checkLinear(row: Row, report: Report): void {
  const { target, floor, direction } = row;
  if (floor === undefined) {
    report(
      'floor',
      new Problem('indicator.floor.required', 'linear 方法需要填写下限 floor', 'method linear needs a floor'),
    );
    return;
  }
  if (target === undefined) return; // reported by checkTarget
  const order = compareDecimal(target, floor);
  if (order === 0) {
    report(
      'floor',
      new Problem(
        'indicator.linear.equal',
        'linear 的目标值与下限不能相等',
        'a linear target and floor must differ',
      ),
    );
  } else if ((direction === 'higher') !== order > 0) {
    const [zh, en] =
      direction === 'higher'
        ? ['越高越好（higher）时目标值须大于下限', 'with direction higher the target must be above the floor']
        : ['越低越好（lower）时目标值须小于下限', 'with direction lower the target must be below the floor'];
    report(
      'floor',
      new Problem('indicator.linear.order', `${zh}（是否填反了？）`, `${en} (are they swapped?)`),
    );
  }
}

/** Points per event for deduct and bonus. */
function checkPointsPerEvent(row: Row, report: Report): void {
  const points = parseDecimal(row.params ?? '', { min: '0', minExclusive: true });
  if (isProblem(points)) {
    report(
      'params',
      new Problem(
        'indicator.params.number',
        `方法 ${row.method} 的 params 须填每次事件的分值（大于 0 的数字）`,
        `method ${row.method} needs params = points per event (a number greater than 0)`,
      ),
    );
  }
}

export const indicatorsCsv = csvFormat('indicators.csv', true, cells, {
  rule: {
    reads: ['method', 'direction', 'target', 'floor', 'params'],
    check: (whole, report: Report) => {
      // §9.4: named params (name=value) are checked on their own; the method reads the rest as in §3.
      checkNamedParams(whole.params, report);
      const row = { ...whole, params: methodParams(whole.params) };
      if (
        row.method === 'ge_target' ||
        row.method === 'le_target' ||
        row.method === 'linear' ||
        row.method === 'improve'
      )
        checkTarget(row, report);
      if (row.method === 'linear') checkLinear(row, report);
      if (row.method === 'deduct' || row.method === 'bonus') checkPointsPerEvent(row, report);
      if (row.method === 'bands') {
        const bands = parseBands(row.params ?? '');
        if (isProblem(bands)) report('params', bands);
      }
    },
  },
  // Params the scoring reads are rewritten canonically; whatever else a method ignores stays as written.
  transform: (row) => {
    const { named, rest } = splitParams(row.params);
    const withNamed = (canonical: string) =>
      named.size === 0
        ? canonical
        : [...named]
            .map(([k, v]) => `${k}=${v}`)
            .concat(canonical)
            .join(';');
    if (row.method === 'bands') {
      const bands = parseBands(rest ?? '');
      return isProblem(bands) ? row : { ...row, params: withNamed(formatBands(bands)) };
    }
    if (row.method === 'deduct' || row.method === 'bonus')
      return { ...row, params: withNamed(canonicalDecimal(rest!)!) };
    return row;
  },
});

/** §9.4 named params: known names only, each value of the shape its reader expects. */
function checkNamedParams(params: string | undefined, report: Report): void {
  const { named } = splitParams(params);
  const bad = (zh: string, en: string) => report('params', new Problem('indicator.params.number', zh, en));
  for (const [name, value] of named) {
    if (!(NAMED_PARAMS as readonly string[]).includes(name)) {
      bad(
        `未知的命名参数 ${name}（可用：${NAMED_PARAMS.join(', ')}）`,
        `unknown named param ${name} (known: ${NAMED_PARAMS.join(', ')})`,
      );
    } else if (name === 'base' && isProblem(parseDecimal(value, {}))) {
      bad(`base 须为数字，而不是 "${value}"`, `base must be a number, not "${value}"`);
    } else if (name === 'veto' && value === '') {
      bad('veto 须填一个等级名称', 'veto needs a grade name');
    } else if (name === 'direction' && value !== 'in' && value !== 'out') {
      bad(`direction 须为 in 或 out，而不是 "${value}"`, `direction must be in or out, not "${value}"`);
    } else if (name === 'minMonths' && !/^([1-9]|1[0-2])$/.test(value)) {
      bad(
        `minMonths 须为 1 到 12 的整数，而不是 "${value}"`,
        `minMonths must be a whole number 1–12, not "${value}"`,
      );
    } else if (name === 'leaderOnly' && value !== 'yes' && value !== 'no') {
      bad(`leaderOnly 须为 yes 或 no，而不是 "${value}"`, `leaderOnly must be yes or no, not "${value}"`);
    }
  }
}
