/** Request shapes shared by several routes; each failure names its field (path.period, body.kind, …). */
import { z } from 'zod';
import { DATASET_FILES } from '../dataset/formats/index.js';
import { SORT_KEYS } from '../reports/sheet-columns.js';
import type { CycleKind } from '../store/keys.js';

export const CYCLE_KINDS = ['monthly', 'quarterly', 'annual'] as const satisfies readonly CycleKind[];
/** Pay sheets: one per cycle kind, plus the leaders' salaries settled by the annual cycle. */
export const SHEET_KINDS = ['monthly', 'quarterly', 'annual', 'leaders'] as const;
export const SHEET_FORMATS = ['csv', 'xlsx', 'json'] as const;
const cycleKindOf = (sheet: (typeof SHEET_KINDS)[number]): CycleKind =>
  sheet === 'leaders' ? 'annual' : sheet;

const PERIOD: Record<CycleKind, { pattern: RegExp; shape: string }> = {
  monthly: { pattern: /^\d{4}-(0[1-9]|1[0-2])$/, shape: 'YYYY-MM' },
  quarterly: { pattern: /^\d{4}-Q[1-4]$/, shape: 'YYYY-Qn' },
  annual: { pattern: /^\d{4}$/, shape: 'YYYY' },
};

function periodMatches(kindOf: (kind: never) => CycleKind) {
  return (value: { kind: string; period: string }, ctx: z.RefinementCtx) => {
    const kind = kindOf(value.kind as never);
    const { pattern, shape } = PERIOD[kind];
    if (!pattern.test(value.period)) {
      ctx.addIssue({
        code: 'custom',
        path: ['period'],
        message: `期间应为 ${shape} / a ${kind} period is ${shape}, got "${value.period}"`,
      });
    }
  };
}

const kindMessage = (kinds: readonly string[]) => ({
  message: `应为 ${kinds.join(' | ')} / expected one of ${kinds.join(', ')}`,
});

export const CycleRef = z
  .object({ kind: z.enum(CYCLE_KINDS, kindMessage(CYCLE_KINDS)), period: z.string() })
  .superRefine(periodMatches((k: CycleKind) => k));
export type CycleRef = z.infer<typeof CycleRef>;

export const SheetRef = z
  .object({ kind: z.enum(SHEET_KINDS, kindMessage(SHEET_KINDS)), period: z.string() })
  .superRefine(periodMatches(cycleKindOf));

export const SheetQuery = z.object({
  format: z.enum(SHEET_FORMATS, kindMessage(SHEET_FORMATS)).default('csv'),
  // A page of the sheet for the console (format=json&page=1&size=100&sort=gross&order=desc&q=zs…):
  // given `page`, the answer is that page with the totals of what matched, not the whole file.
  page: z.coerce.number().int().min(1).optional(),
  size: z.coerce.number().int().min(1).max(1000).default(100),
  sort: z.enum(SORT_KEYS, kindMessage(SORT_KEYS)).optional(),
  order: z.enum(['asc', 'desc'], kindMessage(['asc', 'desc'])).default('asc'),
  q: z.string().max(100).optional(),
  institution: z.string().max(64).optional(),
});
export const BankQuery = z.object({
  // csv or xlsx (HR's copy to check), or a bank format's name (a preset or the community's own); absent:
  // the community's chosen format, else csv.
  format: z.string().trim().min(1).max(64).optional(),
});
/**
 * POST /api/settings/payer-account: the account an institution pays from, or `remove: true`; or a whole
 * community's from a CSV file (`file`: its name and bytes in base64, read as `medcomm settings
 * payer-account --file` reads it).
 */
export const PayerAccountBody = z
  .object({
    institutionId: z.string().min(1).max(64).optional(),
    account: z.string().max(64).optional(),
    name: z.string().max(100).optional(),
    bank: z.string().max(100).optional(),
    nonCard: z.boolean().optional(),
    remove: z.literal(true).optional(),
    file: z
      .object({ name: z.string().min(1).max(200), base64: z.string().min(1).max(8_000_000) })
      .strict()
      .optional(),
  })
  .strict()
  .refine(
    (b) =>
      b.file
        ? b.institutionId === undefined && b.account === undefined && !b.remove
        : b.institutionId !== undefined && (b.remove ? b.account === undefined : b.account !== undefined),
    {
      message:
        '需要 institutionId 与 account、name、bank，或 institutionId 与 remove: true，或只给 file / give institutionId with account, name and bank, or institutionId with remove: true, or file alone',
      path: ['institutionId'],
    },
  );
/** POST /api/settings/bank-format: a format's name, or the community's own format (its JSON description). */
export const BankFormatBody = z
  .object({
    name: z.string().min(1).max(64).optional(),
    format: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.format !== undefined, {
    message: '需要 name 或 format / give name or format',
    path: ['name'],
  });

export const ReportQuery = z.object({
  format: z.enum(['json', 'html'], kindMessage(['json', 'html'])).default('json'),
});

export const RejectBody = z.object({
  reason: z
    .string({ message: '驳回必须填写原因 / a rejection needs a reason' })
    .trim()
    .min(1, '驳回必须填写原因 / a rejection needs a reason')
    .max(1000),
});

const base64 = z
  .string()
  .transform((s) => s.replace(/\s+/g, ''))
  .refine((s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0, {
    message: '文件内容须为 base64 / file content must be base64',
  });

export const ImportBody = z.object({
  files: z.record(z.string(), base64).refine((files) => Object.keys(files).length > 0, {
    message: '至少需要一个文件 / at least one file is needed',
  }),
  /** Issue 15: files without scheme.json take this year's scheme in force (default: the files' own year). */
  year: z.number().int().min(2000).max(2100).optional(),
});

/** An upload's files: the dataset's own names, or Excel workbooks (one with a sheet per file, or `staff.xlsx` …). */
const uploadFile = z
  .string()
  .refine((name) => DATASET_FILES.includes(name) || /^[^/\\\s]{1,100}\.xlsx$/i.test(name), {
    message: `未知文件名，应为 ${DATASET_FILES.join(', ')} 之一或 .xlsx 工作簿 / unknown file name; expected one of ${DATASET_FILES.join(', ')} or an .xlsx workbook`,
  });

export const UploadUrlBody = z.object({
  files: z
    .array(uploadFile)
    .min(1)
    .max(DATASET_FILES.length * 2),
});

export const ImportFromUploadBody = z.object({
  prefix: z
    .string()
    .regex(
      /^uploads\/[A-Za-z0-9._~-]+\/[A-Za-z0-9._~-]+\/[0-9a-f-]{36}\/$/,
      'an upload prefix as returned by POST /api/datasets/upload-url',
    ),
  /** Files without scheme.json take this year's scheme in force (default: the files' own year). */
  year: z.number().int().min(2000).max(2100).optional(),
});

export const ImportIdParams = z.object({
  importId: z.string().regex(/^[0-9a-f-]{36}$/, 'an import id (UUID)'),
});

/** GET /api/jobs/{id}: a job's id (a UUID, shared/api/jobs.ts). */
export const JobRef = z.object({ id: z.string().uuid('任务编号应为 UUID / a job id is a UUID') });
export const AuditQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

// ── issue 14: explanations, pay slips, publication ──────────────────────────────────────────────────

const ANY_PERIOD = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/;
const periodField = z
  .string()
  .regex(ANY_PERIOD, '期间应为 YYYY-MM、YYYY-Qn 或 YYYY / a period is YYYY-MM, YYYY-Qn or YYYY');
const idField = z.string().trim().min(1).max(64);

export const ExplainStaffRef = z.object({ period: periodField, staffId: idField });
export const ExplainInstitutionRef = z.object({ period: periodField, institutionId: idField });
export const SlipRef = z.object({ staffId: idField, period: periodField });
export const SlipYearRef = z.object({
  staffId: idField,
  year: z.string().regex(/^\d{4}$/, '年份应为 YYYY / a year is YYYY'),
});
export const SlipQuery = z.object({
  format: z.enum(['json', 'html'], kindMessage(['json', 'html'])).default('json'),
});

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), {
  message: '应为日期时间（ISO 8601）/ expected an ISO 8601 date-time',
});

export const PublishBody = z
  .object({
    kind: z.enum(['quarterly', 'annual'], kindMessage(['quarterly', 'annual'])),
    period: z.string(),
    /** Opens now when absent. */
    from: instant.optional(),
    to: instant,
  })
  .superRefine(periodMatches((k: CycleKind) => k))
  .refine((b) => Date.parse(b.to) > Date.parse(b.from ?? new Date().toISOString()), {
    path: ['to'],
    message: '公示结束须晚于开始 / the window must close after it opens',
  });

/** Starting a cycle: the period, and for a month the institutions without rows the starter acknowledges. */
export const StartCycleBody = z
  .object({
    kind: z.enum(CYCLE_KINDS, kindMessage(CYCLE_KINDS)),
    period: z.string(),
    allowMissing: z
      .union([z.literal('all'), z.array(z.string().trim().min(1).max(64)).max(10_000)])
      .optional(),
  })
  .superRefine(periodMatches((k: CycleKind) => k));

/** `?year=2027`: a year other than the latest imported one. */
export const YearQuery = z.object({
  year: z.coerce
    .number({ message: '年度应为数字 / year must be a number' })
    .int()
    .min(2000, '年度超出范围 / year out of range')
    .max(2100, '年度超出范围 / year out of range')
    .optional(),
});

const CORRECTION_KINDS = ['monthly', 'quarterly'] as const satisfies readonly CycleKind[];

export const CorrectionRef = z
  .object({ kind: z.enum(CORRECTION_KINDS, kindMessage(CORRECTION_KINDS)), period: z.string() })
  .superRefine(periodMatches((k: CycleKind) => k));

/**
 * Files a correction or an appeal's acceptance may carry in its body (issue 12): a small fix, kept on the
 * job's record (DynamoDB's 400 KB item). Anything larger is uploaded (`POST …/datasets/upload-url`, then
 * the body names the upload's prefix): no dataset passes through API Gateway.
 */
export const INLINE_FILES_BYTES = 256 * 1024;

/** Where a correction's files are: an upload's prefix, as upload-url gave it. */
export const UploadPrefix = ImportFromUploadBody.shape.prefix;

/** The body's inline files, or the upload instead (exactly one), the inline ones within INLINE_FILES_BYTES. */
export function inlineOrUpload(
  field: string,
  inline: Record<string, string> | undefined,
  upload: string | undefined,
  ctx: z.RefinementCtx,
): void {
  if ((inline === undefined) === (upload === undefined))
    ctx.addIssue({
      code: 'custom',
      path: [field],
      message: `须给出 ${field}（小文件，放在请求体中）或 upload（已上传文件的前缀）之一 / give either ${field} (small files in the body) or upload (an upload's prefix)`,
    });
  const size = Object.values(inline ?? {}).reduce((n, text) => n + Buffer.byteLength(text, 'utf8'), 0);
  if (size > INLINE_FILES_BYTES)
    ctx.addIssue({
      code: 'custom',
      path: [field],
      message:
        `请求体中的文件超过 ${INLINE_FILES_BYTES / 1024} KB，请先上传（POST /api/datasets/upload-url），再以 upload 指明其前缀 / ` +
        `the files in the body are over ${INLINE_FILES_BYTES / 1024} KB: upload them (POST /api/datasets/upload-url) and name the upload (upload: its prefix) instead`,
    });
}

/**
 * A correction (DOMAIN.md §7.1): the period and a dataset holding its corrected rows, as an import's
 * files — uploaded (`upload`), or a small fix in the body (`files`, base64, ≤ INLINE_FILES_BYTES).
 */
export const CorrectionBody = z
  .object({
    kind: z.enum(CORRECTION_KINDS, kindMessage(CORRECTION_KINDS)),
    period: z.string(),
    reason: z.string().trim().max(1000).optional(),
    files: ImportBody.shape.files.optional(),
    upload: UploadPrefix.optional(),
  })
  .superRefine(periodMatches((k: CycleKind) => k))
  .superRefine((b, ctx) => inlineOrUpload('files', b.files, b.upload, ctx));

export const MonthRef = z.object({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, '期间应为 YYYY-MM / a month is YYYY-MM'),
});
