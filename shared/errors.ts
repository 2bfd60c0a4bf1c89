/**
 * Errors a user can cause, each with a message in Chinese and English that says what to fix. `name` is
 * a string literal: Step Functions Retry/Catch match on it.
 */

export class PrerequisiteError extends Error {
  override readonly name = 'PrerequisiteError' as const;
}

export class LockedPeriodError extends Error {
  override readonly name = 'LockedPeriodError' as const;
}

export class FourEyesError extends Error {
  override readonly name = 'FourEyesError' as const;
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError' as const;
}

export class ReviewStateError extends Error {
  override readonly name = 'ReviewStateError' as const;
}

/** Thrown into the workflow by a finance rejection; the state machine catches it and ends the cycle. */
export class ReviewRejected extends Error {
  override readonly name = 'ReviewRejected' as const;
}

/** Joins a Chinese and an English sentence into one message. */
export const bilingual = (zh: string, en: string) => `${zh} / ${en}`;
