/**
 * What the API answers: JSON bodies, file downloads, and errors as `{error, issues?}` JSON with the
 * status a client can act on. Domain errors are mapped here, once, for every route.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SealBrokenError } from '../app/seals.js';
import { DatasetInvalidError, groupIssues } from '../dataset/errors.js';
import {
  FourEyesError,
  LockedPeriodError,
  NotFoundError,
  PrerequisiteError,
  ReviewStateError,
} from '../errors.js';
import { ExportError } from '../export/errors.js';
import { isStoreError } from '../store/errors.js';
import { ImportRunningError } from '../store/leases.js';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResponse = APIGatewayProxyStructuredResultV2;

export interface ProblemIssue {
  path: string;
  message: string;
}

export interface ProblemBody {
  error: string;
  issues?: readonly unknown[];
  /** Import issues grouped by file, rule and column (count and first five rows), for a short display. */
  groups?: readonly unknown[];
}

/**
 * An error that is already an HTTP answer. `message` is the JSON body, `expose` and `statusCode` are
 * what @middy/http-error-handler reads to send it as it is.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem' as const;
  readonly expose = true;
  readonly body: ProblemBody;

  constructor(
    readonly statusCode: number,
    error: string,
    issues?: readonly unknown[],
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown; groups?: readonly unknown[] },
  ) {
    const body: ProblemBody = issues ? { error, issues } : { error };
    if (options?.groups) body.groups = options.groups;
    super(JSON.stringify(body), options);
    this.body = body;
  }
}

export const problem = (statusCode: number, error: string, issues?: readonly unknown[]) =>
  new HttpProblem(statusCode, error, issues);

/** A route's result: JSON (200 unless said otherwise) or a file to download. */
export type RouteResult =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | {
      status?: number;
      file: { bytes: Uint8Array | string; contentType: string; filename: string; inline?: boolean };
      headers?: Record<string, string>;
    };

/**
 * RFC 6266: an ASCII fallback name plus the UTF-8 name, so Chinese file names survive every browser.
 * `inline` for what a browser should show (a printable report), `attachment` for what it should save.
 */
export function contentDisposition(filename: string, inline = false): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function toResponse(result: RouteResult): ApiResponse {
  if ('file' in result) {
    const { bytes, contentType, filename, inline } = result.file;
    const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    return {
      statusCode: result.status ?? 200,
      headers: {
        'Content-Type': contentType,
        'Content-Disposition': contentDisposition(filename, inline),
        'Cache-Control': 'no-store',
        ...result.headers,
      },
      body: buffer.toString('base64'),
      isBase64Encoded: true,
    };
  }
  return {
    statusCode: result.status ?? 200,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...result.headers,
    },
    body: JSON.stringify(result.json),
  };
}

/** AWS SDK throttling (Step Functions, S3, DynamoDB) after the SDK's own retries. */
function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = error as Error & {
    $retryable?: { throttling?: boolean };
    $metadata?: { httpStatusCode?: number };
  };
  return (
    meta.$retryable?.throttling === true ||
    /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|ProvisionedThroughputExceeded/.test(error.name) ||
    meta.$metadata?.httpStatusCode === 429
  );
}

/** Maps what a route throws to the answer the client gets; anything unknown is a 500 without details. */
export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof DatasetInvalidError) {
    return new HttpProblem(
      422,
      `数据集有 ${error.issues.length} 个问题，未导入，已有数据未改变 / dataset rejected with ${error.issues.length} issue(s); nothing stored was changed`,
      error.issues,
      {},
      { cause: error, groups: groupIssues(error.issues) },
    );
  }
  if (
    error instanceof PrerequisiteError ||
    error instanceof LockedPeriodError ||
    error instanceof ReviewStateError ||
    error instanceof SealBrokenError ||
    error instanceof ImportRunningError
  ) {
    return new HttpProblem(409, error.message, undefined, {}, { cause: error });
  }
  // Two finance users deciding at once: the conditional write lets one win; the other is told why.
  if (isStoreError(error, 'conditional_failed'))
    return new HttpProblem(409, error.message, undefined, {}, { cause: error });
  if (error instanceof FourEyesError)
    return new HttpProblem(403, error.message, undefined, {}, { cause: error });
  if (error instanceof NotFoundError)
    return new HttpProblem(404, error.message, undefined, {}, { cause: error });
  // A record on file a writer refuses (e.g. a bank account that is not digits); the message names it, masked.
  if (error instanceof ExportError)
    return new HttpProblem(422, error.message, [{ code: error.code }], {}, { cause: error });
  if (isThrottling(error)) {
    return new HttpProblem(
      503,
      '系统繁忙，请稍后重试 / the service is busy; please try again in a moment',
      undefined,
      { 'Retry-After': '5' },
      { cause: error },
    );
  }
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && error instanceof Error) {
    // An http-errors style error from a middy middleware (e.g. 415 from the JSON body parser).
    return new HttpProblem(status, error.message, undefined, {}, { cause: error });
  }
  return new HttpProblem(
    500,
    '内部错误，已记录 / internal error; it has been logged',
    undefined,
    {},
    { cause: error },
  );
}

export function requestIdOf(event: ApiEvent): string | undefined {
  return event.requestContext?.requestId;
}
