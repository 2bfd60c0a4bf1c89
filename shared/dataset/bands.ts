/**
 * The `bands` method's params, `threshold:fraction;…` (DOMAIN.md §3): parsed and checked at import so
 * scoring never meets a malformed band, and rewritten canonically so the domain reads exactly what was checked.
 */
import { canonicalDecimal, compareDecimal } from './decimal.js';
import { Problem } from './errors.js';

export interface BandSpec {
  threshold: string;
  fraction: string;
}

const malformed = (detail: { zh: string; en: string }) =>
  new Problem(
    'indicator.params.bands',
    `分档参数格式应为 阈值:得分比例;…，如 0.6:1;0.5:0.8（${detail.zh}）`,
    `bands params must be threshold:fraction;…, e.g. 0.6:1;0.5:0.8 (${detail.en})`,
  );

export function parseBands(text: string): BandSpec[] | Problem {
  const items = text
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) return malformed({ zh: '至少需要一档', en: 'at least one band is needed' });
  const bands: BandSpec[] = [];
  for (const item of items) {
    const parts = item.split(':');
    const threshold = canonicalDecimal(parts[0] ?? '');
    const fraction = canonicalDecimal(parts[1] ?? '');
    if (parts.length !== 2 || threshold === undefined || fraction === undefined) {
      return malformed({ zh: `"${item}" 不是 阈值:比例`, en: `"${item}" is not threshold:fraction` });
    }
    if (compareDecimal(fraction, '0') < 0 || compareDecimal(fraction, '1') > 0) {
      return malformed({
        zh: `"${item}" 的比例须在 0 到 1 之间`,
        en: `the fraction in "${item}" must be between 0 and 1`,
      });
    }
    if (bands.some((band) => compareDecimal(band.threshold, threshold) === 0)) {
      return malformed({ zh: `阈值 ${threshold} 重复`, en: `threshold ${threshold} appears twice` });
    }
    bands.push({ threshold, fraction });
  }
  return bands;
}

export const formatBands = (bands: readonly BandSpec[]): string =>
  bands.map((band) => `${band.threshold}:${band.fraction}`).join(';');
