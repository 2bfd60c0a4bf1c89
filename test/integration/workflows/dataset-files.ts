/** Reads a dataset folder into name → text, so a test can patch one file and write a variant. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function readDatasetFiles(dir: string): Promise<Record<string, string>> {
  const names = await readdir(dir);
  const entries = await Promise.all(
    names.map(async (n) => [n, await readFile(join(dir, n), 'utf8')] as const),
  );
  return Object.fromEntries(entries);
}

/** The tiny dataset's files (read by readDatasetFiles) in §9.1 manual mode, with these departments.csv rows. */
export function inManualMode(
  files: Record<string, string>,
  departments: readonly string[],
): Record<string, string> {
  const scheme = JSON.parse(files['scheme.json']!);
  scheme.pay.secondary = { mode: 'manual' };
  return {
    ...files,
    'scheme.json': JSON.stringify(scheme, null, 2),
    'departments.csv': [
      'institutionId,departmentId,name,coefficient,capMultiple,headStaffId',
      ...departments,
    ].join('\n'),
  };
}

/** C01's and C02's departments, as the workflow tests split them (heads C01-001, C01-002 and C02-002). */
export const TWO_INSTITUTIONS_DEPARTMENTS = [
  'C01,医技科,医技科,1.2,,C01-001',
  'C01,护理部,护理部,1.0,1.5,C01-002',
  'C01,外科,外科,1.0,,',
  'C01,公卫科,公卫科,0.8,,',
  'C02,护理部,护理部,1.0,,',
  'C02,公卫科,公卫科,1.1,,C02-002',
  'C02,外科,外科,1.0,,',
  'C02,内科,内科,1.0,,',
];

/**
 * The tiny dataset in manual mode as the API and console tests use it: C01's 护理部 becomes 内科 (head1's
 * department in the sample users, headed by C01-002), capped at 1.5 × the mean.
 */
export function manualModeWithInternalMedicine(files: Record<string, string>): Record<string, string> {
  return inManualMode(
    { ...files, 'staff.csv': files['staff.csv']!.replace(/^(C01-00[23],[^,]+,C01,)护理部,/gm, '$1内科,') },
    [
      'C01,医技科,医技科,1.2,,',
      'C01,内科,内科,1.0,1.5,C01-002',
      'C01,外科,外科,1.0,,',
      'C01,公卫科,公卫科,0.8,,',
    ],
  );
}
