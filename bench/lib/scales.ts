/** The two sizes the targets are stated for, both from the demo generator (same seed, so same data every run). */
import type { DemoOptions } from '../../shared/demo/index.js';

export type ScaleName = 'county' | 'city' | 'province';

export const SCALES: Record<ScaleName, Required<Pick<DemoOptions, 'staff' | 'counties' | 'seed'>>> = {
  /** One county: ~3,500 staff in 31 institutions. */
  county: { staff: 3500, counties: 1, seed: 2026 },
  /** A city of ten counties: ~35,000 staff in 310 institutions, one community. */
  city: { staff: 3500, counties: 10, seed: 2026 },
  /**
   * A province (issue 12): ~350,000 staff. The generator makes at most 99 counties, so 99 × 3,536 staff
   * in 3,069 institutions (the figure is 3,100). `--scale province` runs its import and one
   * monthly cycle only.
   */
  province: { staff: 3536, counties: 99, seed: 2026 },
};

export const BENCH_USERS = { office: 'bench-office', finance: 'bench-finance' } as const;

export function parseScale(value: string | undefined): ScaleName {
  if (value === 'county' || value === 'city' || value === 'province') return value;
  throw new Error(`--scale must be county, city or province, got ${value ?? 'nothing'}`);
}

/** `--name value` from argv. */
export function argValue(name: string, argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}
