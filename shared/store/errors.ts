/**
 * The one error class of the store. Callers branch on `code`; Step Functions Retry/Catch match on
 * `name`, which is a string literal so it survives bundling and serialisation.
 */

export const STORE_ERROR_CODES = [
  /** A ConditionExpression did not hold (item exists, version moved on, …). */
  'conditional_failed',
  /** A transaction was cancelled; `details.reasons` holds DynamoDB's per-action reasons. */
  'transaction_cancelled',
  /** BatchWrite/BatchGet still had unprocessed requests after the last retry. */
  'unprocessed_exhausted',
  /** The item the caller asked for does not exist. */
  'not_found',
  /** The table does not exist (wrong name, or not bootstrapped). */
  'table_missing',
  /** The table exists but its keys or indexes differ from shared/store/table.ts. */
  'table_mismatch',
  /** The same key appears twice in one batch; DynamoDB rejects that, and the order would be undefined. */
  'duplicate_key',
  /** An item is over DynamoDB's 400 KB limit. */
  'item_too_large',
] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends Error {
  override readonly name = 'StoreError' as const;
  readonly code: StoreErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: StoreErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}

/**
 * Maps the DynamoDB errors a caller can act on to a StoreError; returns anything else unchanged
 * (throttling, network and validation errors stay SDK errors: they are bugs or transient, not outcomes).
 */
export function toStoreError(error: unknown, context = ''): unknown {
  if (!(error instanceof Error) || error instanceof StoreError) return error;
  const where = context ? `${context}: ` : '';
  switch (error.name) {
    case 'ConditionalCheckFailedException':
      return new StoreError('conditional_failed', `${where}condition not met (${error.message})`, {
        cause: error,
        details: itemDetails(error),
      });
    case 'TransactionCanceledException': {
      const reasons = (error as { CancellationReasons?: unknown[] }).CancellationReasons ?? [];
      return new StoreError('transaction_cancelled', `${where}transaction cancelled (${error.message})`, {
        cause: error,
        details: { reasons },
      });
    }
    case 'ResourceNotFoundException':
      return new StoreError('table_missing', `${where}table not found (${error.message})`, { cause: error });
    default:
      return error;
  }
}

/** With ReturnValuesOnConditionCheckFailure the error carries the current item, as raw AttributeValues. */
function itemDetails(error: Error): Record<string, unknown> {
  const item = (error as { Item?: unknown }).Item;
  return item === undefined ? {} : { item };
}
