/**
 * The year's workbooks built on a worker thread (issue 17): the same parts as built on this thread, in
 * the files the writer named, and a job that throws fails the writing with its own error and no file.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankTransferXlsx } from '../../../shared/export/bank.js';
import { ExportError } from '../../../shared/export/errors.js';
import type { BankTransferLine, PaySheet } from '../../../shared/export/types.js';
import { paySheetXlsx } from '../../../shared/export/xlsx.js';
import { FileWorkers } from '../../../shared/reports/file-workers.js';
import { OutputFolder } from '../../../shared/reports/output-folder.js';
import { line, sampleSheet } from '../export/fixtures.js';
import { unzip } from '../export/xlsx-reader.js';

const bankLines: BankTransferLine[] = [
  { staffId: 'S002', name: '李四', bankAccount: '6222020200000000002', amount: 123_456 },
  { staffId: 'S001', name: '张三', bankAccount: '6222020200000000001', amount: 98_765_43 },
];

/** The workbook's parts but its properties (docProps/core.xml holds the time it was made). */
function parts(xlsx: Buffer): Map<string, string> {
  const entries = unzip(xlsx);
  entries.delete('docProps/core.xml');
  return new Map([...entries].map(([name, bytes]) => [name, bytes.toString('utf8')]));
}

describe('the year files built on a worker thread', () => {
  let dir: string;
  let workers: FileWorkers;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'file-workers-'));
    workers = FileWorkers.start(1);
  });
  afterAll(async () => {
    await workers.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a job handed to the pool is written by the worker (nothing on this thread takes it)', async () => {
    const sheet = sampleSheet();
    const path = join(dir, 'alone', 'paysheet.xlsx');
    // No helpOut: only the worker can settle this.
    await workers.run({ type: 'paySheetXlsx', sheet }, path);
    expect(parts(await readFile(path))).toEqual(parts(await paySheetXlsx(sheet)));
  });

  it('writes the workbooks with the parts this thread builds, and lists the files in the order named', async () => {
    const sheet = sampleSheet();
    const out = new OutputFolder(join(dir, 'year'), workers);
    await out.write('monthly/2026-01/report.json', '{}\n');
    await out.render('monthly/2026-01/paysheet.xlsx', { type: 'paySheetXlsx', sheet });
    await out.render('monthly/2026-01/bank/bank-transfer.xlsx', {
      type: 'bankTransferXlsx',
      lines: bankLines,
      title: '示例 2026-01 银行代发',
    });
    await out.write('monthly/2026-01/bank/bank-transfer.csv', 'x\r\n');
    await out.settled();
    expect(out.files).toEqual([
      'monthly/2026-01/report.json',
      'monthly/2026-01/paysheet.xlsx',
      'monthly/2026-01/bank/bank-transfer.xlsx',
      'monthly/2026-01/bank/bank-transfer.csv',
    ]);
    const read = (path: string) => readFile(join(dir, 'year', path));
    expect(parts(await read('monthly/2026-01/paysheet.xlsx'))).toEqual(parts(await paySheetXlsx(sheet)));
    expect(parts(await read('monthly/2026-01/bank/bank-transfer.xlsx'))).toEqual(
      parts(await bankTransferXlsx(bankLines, '示例 2026-01 银行代发')),
    );
  });

  it('a job that throws fails the writing with its error and message, writes nothing, and the other jobs finish', async () => {
    const bad: PaySheet = { ...sampleSheet(), lines: [line({ staffId: 'S009', basic: 0.5, gross: 0.5 })] };
    const out = new OutputFolder(join(dir, 'failing'), workers);
    await out.render('bad/paysheet.xlsx', { type: 'paySheetXlsx', sheet: bad });
    await out.render('good/paysheet.xlsx', { type: 'paySheetXlsx', sheet: sampleSheet() });
    const failure = await out.settled().then(
      () => undefined,
      (error: unknown) => error,
    );
    // The same error as building it on this thread.
    const here = await paySheetXlsx(bad).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(here).toBeInstanceOf(ExportError);
    expect(failure).toBeInstanceOf(ExportError);
    expect((failure as ExportError).code).toBe((here as ExportError).code);
    expect((failure as Error).message).toBe((here as Error).message);
    expect(existsSync(join(dir, 'failing', 'bad', 'paysheet.xlsx'))).toBe(false);
    expect(existsSync(join(dir, 'failing', 'good', 'paysheet.xlsx'))).toBe(true);
    // Once one failed, the writer takes nothing more.
    await expect(out.write('late.json', '{}')).rejects.toBe(failure);
  });

  it('without workers the writer builds each workbook in turn on this thread, the same files', async () => {
    const sheet = sampleSheet();
    const out = new OutputFolder(join(dir, 'here'));
    await out.render('paysheet.xlsx', { type: 'paySheetXlsx', sheet });
    // Written before settled: nothing was handed anywhere.
    expect(existsSync(join(dir, 'here', 'paysheet.xlsx'))).toBe(true);
    await out.settled();
    expect(parts(await readFile(join(dir, 'here', 'paysheet.xlsx')))).toEqual(
      parts(await paySheetXlsx(sheet)),
    );
  });

  it('a process whose pool was never closed still exits on its own once its jobs are done', async () => {
    // The workers hold the process open only while they have a job: a command that forgot close() ends.
    const script = [
      `import { FileWorkers } from ${JSON.stringify(join(import.meta.dirname, '../../../shared/reports/file-workers.ts'))};`,
      `import { sampleSheet } from ${JSON.stringify(join(import.meta.dirname, '../export/fixtures.ts'))};`,
      'const pool = FileWorkers.start(1);',
      `await pool.run({ type: 'paySheetXlsx', sheet: sampleSheet() }, ${JSON.stringify(join(dir, 'unclosed.xlsx'))});`,
      "console.log('written');",
    ].join('\n');
    await writeFile(join(dir, 'unclosed.mts'), script);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(dir, 'unclosed.mts')],
      {
        timeout: 120_000,
      },
    );
    expect(stdout.trim()).toBe('written');
    expect(existsSync(join(dir, 'unclosed.xlsx'))).toBe(true);
  });

  it('a job whose worker died is done by this thread when it helps out', async () => {
    const pool = FileWorkers.start(1);
    const path = join(dir, 'orphan', 'paysheet.xlsx');
    const sheet = sampleSheet();
    // Handed to the worker once its thread exists (before its code has loaded); the thread is then
    // stopped under the job, which must not fail for it.
    const job = pool.run({ type: 'paySheetXlsx', sheet }, path);
    const busy = (pool as unknown as { busy: Map<{ terminate(): Promise<number> }, unknown> }).busy;
    while (busy.size === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await [...busy.keys()][0]!.terminate();
    await pool.helpOut();
    await job;
    expect(parts(await readFile(path))).toEqual(parts(await paySheetXlsx(sheet)));
    await pool.close();
  });

  it('this thread helps with what is queued, and a closed pool takes no more jobs', async () => {
    const pool = FileWorkers.start(0);
    const out = new OutputFolder(join(dir, 'helped'), pool);
    await out.render('a.xlsx', { type: 'paySheetXlsx', sheet: sampleSheet() });
    await out.render('b.xlsx', { type: 'bankTransferXlsx', lines: bankLines, title: 't' });
    expect(existsSync(join(dir, 'helped', 'a.xlsx'))).toBe(false);
    await out.settled();
    expect(existsSync(join(dir, 'helped', 'a.xlsx'))).toBe(true);
    expect(existsSync(join(dir, 'helped', 'b.xlsx'))).toBe(true);
    await pool.close();
    await expect(
      pool.run({ type: 'paySheetXlsx', sheet: sampleSheet() }, join(dir, 'c.xlsx')),
    ).rejects.toThrow(/closed/);
  });
});
