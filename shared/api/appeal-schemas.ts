/** Request shapes of the appeal routes (申诉/复核, issue 14); each failure names its field. */
import { z } from 'zod';
import { inlineOrUpload, UploadPrefix } from './schemas.js';

const PERIOD = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/;
const idField = z.string().trim().min(1).max(64);

/** `2026-03` monthly, `2026-Q1` quarterly, `2026` annual. */
export const kindOfPeriod = (period: string) =>
  /^\d{4}$/.test(period) ? 'annual' : /-Q[1-4]$/.test(period) ? 'quarterly' : 'monthly';

export const FileAppealBody = z
  .object({
    period: z
      .string()
      .regex(PERIOD, '期间应为 YYYY-MM、YYYY-Qn 或 YYYY / a period is YYYY-MM, YYYY-Qn or YYYY'),
    /** A member's own institution (its token's); others name it. */
    institutionId: idField.optional(),
    indicatorId: idField.optional(),
    staffId: idField.optional(),
    reason: z
      .string({ message: '申诉必须填写理由 / an appeal needs a reason' })
      .trim()
      .min(1, '申诉必须填写理由 / an appeal needs a reason')
      .max(2000),
    attachments: z.array(z.string().trim().min(1).max(200)).max(20).default([]),
  })
  .superRefine((b, ctx) => {
    if ((b.indicatorId === undefined) === (b.staffId === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['indicatorId'],
        message:
          '须指明一个指标（indicatorId）或一名职工（staffId）/ name one indicator (indicatorId) or one person (staffId)',
      });
    if (b.indicatorId !== undefined && kindOfPeriod(b.period) === 'monthly')
      ctx.addIssue({
        code: 'custom',
        path: ['period'],
        message:
          '指标申诉针对季度或年度（YYYY-Qn、YYYY）/ an indicator appeal is against a quarter or a year',
      });
  });

export const AppealRef = z.object({
  id: z.string().regex(/^\d{4}-\d{4}$/, '申诉编号应为 YYYY-nnnn / an appeal id is YYYY-nnnn'),
});

export const AppealListQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional(),
});

export const RejectAppealBody = z.object({
  reason: z
    .string({ message: '驳回必须填写理由 / a rejection needs a reason' })
    .trim()
    .min(1, '驳回必须填写理由 / a rejection needs a reason')
    .max(2000),
});

/**
 * Accepting carries the corrected rows: CSV text per file (the import's header and columns), in the body
 * when small (≤ INLINE_FILES_BYTES, kept on the job) or uploaded first (`upload`: the upload's prefix).
 */
export const AcceptAppealBody = z
  .object({
    reason: z
      .string({ message: '受理必须填写理由 / an acceptance needs a reason' })
      .trim()
      .min(1, '受理必须填写理由 / an acceptance needs a reason')
      .max(2000),
    rows: z
      .record(z.string(), z.string())
      .refine((rows) => Object.keys(rows).length > 0, {
        message: '须附更正后的行 / the corrected rows are needed (e.g. {"workload.csv": "period,staffId,…"})',
      })
      .optional(),
    upload: UploadPrefix.optional(),
  })
  .superRefine((b, ctx) => inlineOrUpload('rows', b.rows, b.upload, ctx));
