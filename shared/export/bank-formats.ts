/**
 * Bank-file formats as data (issue 16). Every bank's 批量代发 upload is a variation on one table: some
 * of a fixed set of columns, a header or not, GBK or UTF-8, a separator, a file type, and often one file
 * per institution (each pays from its own account). A format is a small JSON description of those
 * choices; the writer here produces the files from it. Totals go to a separate summary file and never
 * into the data rows (a bank would read a 合计 row as a payment to an account named 合计); accounts are
 * plain digits — never TAB-prefixed, and typed text in a workbook.
 */
import { z } from 'zod';
import { parseJsonStrict } from '../dataset/json-keys.js';
import { maskBankAccount } from '../privacy.js';
import type { Staff } from '../schemas/dataset.js';
import { encodeGbk, UnencodableError } from './bank-gbk.js';
import { maskedPayer, type PayerAccount, type PayerAccounts } from './bank-payers.js';
import { ExportError } from './errors.js';
import { loadExcelJs } from './exceljs.js';
import { fenToYuanNumber, fenToYuanString, sumFen } from './money-format.js';
import { compareCodeUnits } from './pay-sheet-rows.js';
import type { BankTransferLine, PaySheet } from './types.js';
import { xlsWorkbook } from './xls-biff8.js';
import { XLSX_WRITE } from './xlsx-table.js';

/** The columns a format may choose from. */
export const BANK_FIELDS = [
  'account',
  'name',
  'amount',
  'purpose',
  'institution',
  'staffId',
  'idNumber',
  'branch',
] as const;
export type BankField = (typeof BANK_FIELDS)[number];

/** Chinese headers used when a format does not name its own. */
const DEFAULT_HEADERS: Readonly<Record<BankField, string>> = {
  account: '收款账号',
  name: '收款户名',
  amount: '金额',
  purpose: '用途',
  institution: '单位',
  staffId: '工号',
  idNumber: '身份证号',
  branch: '开户行',
};

export const BankFormatSpec = z
  .object({
    /** What `--format NAME` and the community's settings call it. */
    name: z.string().min(1),
    description: z.string().default(''),
    columns: z
      .array(z.object({ field: z.enum(BANK_FIELDS), header: z.string().min(1).optional() }).strict())
      .min(1),
    header: z.boolean(),
    encoding: z.enum(['GBK', 'UTF-8']),
    /** Between cells of a txt or csv file. */
    separator: z.string().min(1).max(2).default(','),
    fileType: z.enum(['txt', 'csv', 'xls', 'xlsx']),
    /**
     * One file for everyone, one per institution, or one per payer account (付款账户): institutions that
     * pay from the same account share a file — the community's settings say which account each pays from.
     */
    split: z.enum(['none', 'institution', 'payerAccount']).default('none'),
    /** The 摘要/用途 text; {period} and {kind} are filled in. */
    purpose: z.string().default('{period}{kind}'),
    /** Line ending of txt/csv files. */
    lineEnding: z.enum(['CRLF', 'LF']).default('CRLF'),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const fields = spec.columns.map((c) => c.field);
    for (const needed of ['account', 'name', 'amount'] as const) {
      if (!fields.includes(needed)) {
        ctx.addIssue({
          code: 'custom',
          path: ['columns'],
          message: `a bank file needs the ${needed} column`,
        });
      }
    }
  });
export type BankFormatSpec = z.output<typeof BankFormatSpec>;

/** Formats shipped with the product; a community may add its own JSON. */
export const BANK_FORMAT_PRESETS: readonly BankFormatSpec[] = [
  BankFormatSpec.parse({
    name: '批量代发',
    description: '通用批量代发：CSV，GBK，有表头，账号、户名、金额、用途；合计另附汇总文件',
    columns: [{ field: 'account' }, { field: 'name' }, { field: 'amount' }, { field: 'purpose' }],
    header: true,
    encoding: 'GBK',
    separator: ',',
    fileType: 'csv',
  }),
  BankFormatSpec.parse({
    name: '代发-按单位-txt',
    description: '无表头竖线分隔的 TXT（多数网银“批量代发”上传格式），GBK，每个单位一个文件',
    columns: [{ field: 'account' }, { field: 'name' }, { field: 'amount' }, { field: 'purpose' }],
    header: false,
    encoding: 'GBK',
    separator: '|',
    fileType: 'txt',
    split: 'institution',
  }),
  BankFormatSpec.parse({
    name: '代发-xlsx',
    description: 'Excel 工作簿：序号外的工号、姓名、账号（文本）、金额（数值）、摘要、单位',
    columns: [
      { field: 'staffId', header: '工号' },
      { field: 'name', header: '姓名' },
      { field: 'account', header: '账号' },
      { field: 'amount', header: '金额' },
      { field: 'purpose', header: '摘要' },
      { field: 'institution', header: '单位' },
    ],
    header: true,
    encoding: 'UTF-8',
    fileType: 'xlsx',
  }),
  BankFormatSpec.parse({
    name: '代发-utf8-csv',
    description: 'UTF-8（无 BOM）CSV，有表头，含工号与单位，供读取 UTF-8 的银行或财务系统',
    columns: [
      { field: 'account' },
      { field: 'name' },
      { field: 'amount' },
      { field: 'purpose' },
      { field: 'staffId' },
      { field: 'institution' },
    ],
    header: true,
    encoding: 'UTF-8',
    fileType: 'csv',
    split: 'institution',
  }),
  BankFormatSpec.parse({
    name: '代发-按付款账户',
    description:
      '每个付款账户一个 CSV（同一账户付款的单位合为一个文件），GBK，有表头，含单位；汇总文件列出各文件的付款账户（隐去中间位）',
    columns: [
      { field: 'account' },
      { field: 'name' },
      { field: 'amount' },
      { field: 'purpose' },
      { field: 'institution' },
    ],
    header: true,
    encoding: 'GBK',
    separator: ',',
    fileType: 'csv',
    split: 'payerAccount',
  }),
  BankFormatSpec.parse({
    name: '代发-身份证-xls',
    description:
      'Excel 97–2003（.xls）：账号、户名、身份证号、金额、开户行、摘要，账号与身份证号为文本；供只收 .xls 且核对身份证号的银行',
    columns: [
      { field: 'account', header: '账号' },
      { field: 'name', header: '户名' },
      { field: 'idNumber', header: '身份证号' },
      { field: 'amount', header: '金额' },
      { field: 'branch', header: '开户行' },
      { field: 'purpose', header: '摘要' },
    ],
    header: true,
    // The data file's text is UTF-16 inside the .xls; the summary CSV is GBK like the other bank files.
    encoding: 'GBK',
    fileType: 'xls',
  }),
];

/** A format from JSON text (a community's own), refusing repeated keys and unknown fields. */
export function parseBankFormat(text: string): BankFormatSpec {
  let raw: unknown;
  try {
    raw = parseJsonStrict(text);
  } catch (error) {
    throw new ExportError(
      'INVALID_BANK_FORMAT',
      `银行文件格式不是有效的 JSON：${(error as Error).message} | the bank-file format is not valid JSON: ${(error as Error).message}`,
    );
  }
  const result = BankFormatSpec.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((i) => `${i.path.join('.') || '(format)'}: ${i.message}`)
    .join('; ');
  throw new ExportError(
    'INVALID_BANK_FORMAT',
    `银行文件格式有误：${problems} | the bank-file format is invalid: ${problems}`,
  );
}

export function bankFormatNamed(name: string, custom: readonly BankFormatSpec[] = []): BankFormatSpec {
  const found = [...custom, ...BANK_FORMAT_PRESETS].find((spec) => spec.name === name);
  if (found) return found;
  const known = [...custom, ...BANK_FORMAT_PRESETS].map((s) => s.name).join(', ');
  throw new ExportError(
    'UNKNOWN_BANK_FORMAT',
    `没有名为“${name}”的银行文件格式（可选：${known}）| no bank-file format named "${name}" (known: ${known})`,
  );
}

/** One payment as the writer needs it: the transfer line and what the optional columns show. */
export interface BankPayment {
  staffId: string;
  name: string;
  account: string;
  /** Integer fen, positive. */
  amount: number;
  institutionId: string;
  institutionName: string;
  idNumber?: string;
  branch?: string;
}

export interface BankFileContext {
  /** e.g. 2026-03 */
  period: string;
  /** e.g. 月度绩效工资 */
  kindWords: string;
  /** The file-name stem, e.g. bank-2026-03 */
  stem: string;
}

export interface BankFile {
  name: string;
  content: Uint8Array;
}

/**
 * The payments of a bank transfer (one line per person, see shared/reports bankTransfer) with each
 * person's institution from the sheet the amounts came from, and their 身份证号 and 开户行 from the
 * roster the accounts came from (staff.csv's optional idNumber and branch columns).
 */
export function paymentsOf(
  sheet: PaySheet,
  transfer: readonly BankTransferLine[],
  roster: readonly Pick<Staff, 'staffId' | 'idNumber' | 'branch'>[] = [],
): BankPayment[] {
  const institutionOf = new Map(sheet.lines.map((l) => [l.staffId, l] as const));
  const personOf = new Map(roster.map((s) => [s.staffId, s] as const));
  return transfer.map((line) => {
    const sheetLine = institutionOf.get(line.staffId);
    const person = personOf.get(line.staffId);
    return {
      staffId: line.staffId,
      name: line.name,
      account: line.bankAccount,
      amount: line.amount,
      institutionId: sheetLine?.institutionId ?? '',
      institutionName: sheetLine?.institutionName ?? '',
      ...(person?.idNumber ? { idNumber: person.idNumber } : {}),
      ...(person?.branch ? { branch: person.branch } : {}),
    };
  });
}

const ACCOUNT = /^\d{8,34}$/;

function fieldValue(field: BankField, p: BankPayment, purpose: string): string {
  switch (field) {
    case 'account':
      return p.account;
    case 'name':
      return p.name;
    case 'amount':
      return fenToYuanString(p.amount, () => `amount of staff ${p.staffId}`);
    case 'purpose':
      return purpose;
    case 'institution':
      return p.institutionName;
    case 'staffId':
      return p.staffId;
    case 'idNumber':
      return p.idNumber ?? '';
    case 'branch':
      return p.branch ?? '';
  }
}

/** A format with an idNumber column pays only people whose 身份证号 is on file: a bank refuses a blank one. */
function withIdNumbers(spec: BankFormatSpec, payments: readonly BankPayment[]): void {
  if (!spec.columns.some((c) => c.field === 'idNumber')) return;
  const missing = payments.filter((p) => !p.idNumber).map((p) => p.staffId);
  if (missing.length === 0) return;
  const first = missing.slice(0, 10).join(', ');
  const more = missing.length > 10;
  throw new ExportError(
    'MISSING_ID_NUMBER',
    `格式“${spec.name}”需要身份证号，${missing.length} 人在 staff.csv 的 idNumber 列没有填写：${first}${more ? ' 等' : ''}；请补齐后重新导入，或改用不含身份证号的格式 | ` +
      `the format "${spec.name}" needs identity numbers and ${missing.length} people have none in staff.csv's idNumber column: ${first}${more ? ' …' : ''}; fill them in and import again, or use a format without idNumber`,
  );
}

function checked(payments: readonly BankPayment[]): BankPayment[] {
  const seen = new Set<string>();
  for (const p of payments) {
    if (seen.has(p.staffId)) {
      throw new ExportError(
        'DUPLICATE_STAFF',
        `工号 ${p.staffId} 在银行文件中出现两次 | staff ${p.staffId} appears twice in the bank file`,
      );
    }
    seen.add(p.staffId);
    if (!ACCOUNT.test(p.account)) {
      throw new ExportError(
        'INVALID_BANK_ACCOUNT',
        `工号 ${p.staffId} 的账号（${maskBankAccount(p.account)}）须为 8–34 位数字 | the account of staff ${p.staffId} (${maskBankAccount(p.account)}) must be 8 to 34 digits`,
      );
    }
    if (!Number.isSafeInteger(p.amount) || p.amount <= 0) {
      throw new ExportError(
        'INVALID_AMOUNT',
        `工号 ${p.staffId} 的金额须为正的整数分 | the amount of staff ${p.staffId} must be a positive whole number of fen`,
      );
    }
  }
  return [...payments].sort(
    (a, b) => compareCodeUnits(a.institutionId, b.institutionId) || compareCodeUnits(a.staffId, b.staffId),
  );
}

function encode(text: string, encoding: BankFormatSpec['encoding']): Uint8Array {
  if (encoding === 'UTF-8') return new TextEncoder().encode(text); // no BOM: banks' parsers take it as data
  try {
    return encodeGbk(text);
  } catch (error) {
    if (!(error instanceof UnencodableError)) throw error;
    throw new ExportError(
      'UNENCODABLE',
      `${error.message}（请改用 UTF-8 的格式，或在 staff.csv 中使用银行登记的写法）| use a UTF-8 format, or the spelling the bank has on file`,
    );
  }
}

/** A delimited text cell: quoted only when it holds the separator, a quote or a line break. */
function delimited(value: string, separator: string): string {
  if (!value.includes(separator) && !/["\r\n]/.test(value)) return value;
  if (separator !== ',') {
    // Fixed-layout txt formats have no quoting: a name with the separator cannot be written.
    throw new ExportError(
      'UNWRITABLE_CELL',
      `“${value}”含分隔符“${separator}”，无法写入该格式 | "${value}" contains the separator "${separator}" and cannot be written in this format`,
    );
  }
  return `"${value.replaceAll('"', '""')}"`;
}

async function xlsxOf(spec: BankFormatSpec, rows: BankPayment[], purpose: string): Promise<Uint8Array> {
  const workbook = new (await loadExcelJs()).Workbook();
  workbook.creator = 'MedComm Pay';
  workbook.created = workbook.modified = new Date(Date.UTC(2026, 0, 1));
  const sheet = workbook.addWorksheet('代发');
  spec.columns.forEach((column, i) => {
    const col = sheet.getColumn(i + 1);
    col.width = column.field === 'account' || column.field === 'idNumber' ? 24 : 14;
    if (column.field !== 'amount')
      col.numFmt = '@'; // accounts and ids stay text
    else col.numFmt = '0.00';
  });
  if (spec.header)
    sheet.addRow(spec.columns.map((c) => c.header ?? DEFAULT_HEADERS[c.field])).font = { bold: true };
  for (const p of rows) {
    sheet.addRow(
      spec.columns.map((c) =>
        c.field === 'amount' ? fenToYuanNumber(p.amount) : fieldValue(c.field, p, purpose),
      ),
    );
  }
  return new Uint8Array(await workbook.xlsx.writeBuffer(XLSX_WRITE));
}

function xlsOf(spec: BankFormatSpec, rows: BankPayment[], purpose: string): Uint8Array {
  const cells = rows.map((p) =>
    spec.columns.map((c) =>
      c.field === 'amount' ? fenToYuanNumber(p.amount) : fieldValue(c.field, p, purpose),
    ),
  );
  return xlsWorkbook({
    name: '代发',
    header: spec.header,
    rows: spec.header ? [spec.columns.map((c) => c.header ?? DEFAULT_HEADERS[c.field]), ...cells] : cells,
    widths: spec.columns.map((c) => (c.field === 'account' || c.field === 'idNumber' ? 24 : 14)),
  });
}

function textOf(spec: BankFormatSpec, rows: BankPayment[], purpose: string): Uint8Array {
  const eol = spec.lineEnding === 'CRLF' ? '\r\n' : '\n';
  const lines: string[] = [];
  if (spec.header) {
    lines.push(
      spec.columns
        .map((c) => delimited(c.header ?? DEFAULT_HEADERS[c.field], spec.separator))
        .join(spec.separator),
    );
  }
  for (const p of rows) {
    lines.push(
      spec.columns
        .map((c) => delimited(fieldValue(c.field, p, purpose), spec.separator))
        .join(spec.separator),
    );
  }
  return encode(lines.map((line) => line + eol).join(''), spec.encoding);
}

interface Part {
  file: string;
  rows: BankPayment[];
  /** The account the file pays from, when the format splits by payer account. */
  payer?: PayerAccount;
}

/**
 * The summary file: per file its count and total (and, split by payer account, the account it pays from,
 * masked, and the institutions it pays for), and the grand total — the totals never go in a data file.
 */
function summaryOf(spec: BankFormatSpec, parts: Part[], ctx: BankFileContext): BankFile {
  const byPayer = spec.split === 'payerAccount';
  const cell = (value: string) => delimited(value, ',');
  const header = byPayer
    ? ['文件', '付款账户', '付款户名', '开户行', '单位', '笔数', '金额合计']
    : ['文件', '笔数', '金额合计'];
  const lines = [header.join(',')];
  for (const part of parts) {
    const count = String(part.rows.length);
    const total = fenToYuanString(sumFen(part.rows.map((r) => r.amount)));
    if (byPayer && part.payer) {
      const shown = maskedPayer(part.payer);
      const institutions = [...new Set(part.rows.map((r) => r.institutionId))].join(' ');
      lines.push(
        [part.file, shown.account, shown.name, shown.bank, institutions, count, total].map(cell).join(','),
      );
    } else lines.push([part.file, count, total].map(cell).join(','));
  }
  const all = parts.flatMap((p) => p.rows);
  const grand = [String(all.length), fenToYuanString(sumFen(all.map((r) => r.amount)))];
  lines.push(['总计', ...(byPayer ? ['', '', '', ''] : []), ...grand].join(','));
  const text = `${ctx.period} ${ctx.kindWords} 银行代发汇总（格式：${spec.name}）\r\n${lines.join('\r\n')}\r\n`;
  return { name: `${ctx.stem}-汇总.csv`, content: encode(text, spec.encoding) };
}

/**
 * A split by payer account pays every institution from the account the settings give it: one without
 * is refused, naming every such institution (a bank file must not guess where the money comes from).
 */
function payerOf(payments: readonly BankPayment[], payers: PayerAccounts): (p: BankPayment) => PayerAccount {
  const missing = new Map<string, string>();
  for (const p of payments) {
    if (!Object.hasOwn(payers, p.institutionId)) missing.set(p.institutionId, p.institutionName);
  }
  if (missing.size > 0) {
    const named = [...missing].map(([id, name]) => (name ? `${id} ${name}` : id)).join(', ');
    throw new ExportError(
      'MISSING_PAYER_ACCOUNT',
      `格式按付款账户分文件，但以下 ${missing.size} 个单位没有设置付款账户：${named}；请先设置（medcomm settings payer-account 机构编号 --account … --name … --bank …，或控制台“银行文件设置”）| ` +
        `the format makes one file per payer account, but ${missing.size} institution(s) have no payer account: ${named}; set one first (medcomm settings payer-account INSTITUTION --account … --name … --bank …, or the console's bank-file settings)`,
    );
  }
  // One account is one holder at one bank: two institutions naming it differently is a typo in one of them.
  const holders = new Map<string, [string, PayerAccount]>();
  for (const id of new Set(payments.map((p) => p.institutionId))) {
    const payer = payers[id]!;
    const first = holders.get(payer.account);
    if (!first) holders.set(payer.account, [id, payer]);
    else if (first[1].name !== payer.name || first[1].bank !== payer.bank) {
      const masked = maskBankAccount(payer.account);
      throw new ExportError(
        'INVALID_PAYER_ACCOUNT',
        `${first[0]} 与 ${id} 的付款账户同为 ${masked}，但户名或开户行不同（“${first[1].name} ${first[1].bank}”与“${payer.name} ${payer.bank}”）；请改正其中一个 | ` +
          `${first[0]} and ${id} pay from the same account ${masked} under different holders or banks ("${first[1].name} ${first[1].bank}" and "${payer.name} ${payer.bank}"); correct one of them`,
      );
    }
  }
  return (p) => payers[p.institutionId]!;
}

/** A file name per payer account that shows only the account's last four digits (names reach the audit). */
function payerStems(accounts: readonly string[], stem: string): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const account of accounts) {
    const base = `${stem}-付款${account.slice(-4)}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    names.set(account, name);
  }
  return names;
}

export interface BankRenderOptions {
  /** institutionId → the account it pays from (the community's settings); a payerAccount split needs it. */
  payers?: PayerAccounts;
}

/** The data files of a format and their summary file. */
export async function renderBankFiles(
  spec: BankFormatSpec,
  payments: readonly BankPayment[],
  ctx: BankFileContext,
  options: BankRenderOptions = {},
): Promise<{ files: BankFile[]; summary: BankFile }> {
  const rows = checked(payments);
  withIdNumbers(spec, rows);
  const purpose = spec.purpose.replaceAll('{period}', ctx.period).replaceAll('{kind}', ctx.kindWords);
  const payer = spec.split === 'payerAccount' ? payerOf(rows, options.payers ?? {}) : undefined;
  const groups = new Map<string, BankPayment[]>();
  for (const p of rows) {
    const key = spec.split === 'institution' ? p.institutionId : payer ? payer(p).account : '';
    const group = groups.get(key) ?? [];
    group.push(p);
    groups.set(key, group);
  }
  const stems = payer ? payerStems([...groups.keys()], ctx.stem) : undefined;
  const parts: Part[] = [];
  const files: BankFile[] = [];
  for (const [key, group] of groups) {
    const stem = stems?.get(key) ?? `${ctx.stem}${key === '' ? '' : `-${key}`}`;
    const name = `${stem}.${spec.fileType}`;
    const content =
      spec.fileType === 'xlsx'
        ? await xlsxOf(spec, group, purpose)
        : spec.fileType === 'xls'
          ? xlsOf(spec, group, purpose)
          : textOf(spec, group, purpose);
    files.push({ name, content });
    parts.push({ file: name, rows: group, ...(payer ? { payer: payer(group[0]!) } : {}) });
  }
  return { files, summary: summaryOf(spec, parts, ctx) };
}
