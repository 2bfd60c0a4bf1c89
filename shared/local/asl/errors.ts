/**
 * Errors of the local engine. Execution outcomes mirror DescribeExecution (FAILED with error/cause,
 * ABORTED, TIMED_OUT); token errors carry the names the Step Functions API uses, so a caller can treat
 * the local engine and SFNClient the same way.
 */

/** The execution ended FAILED; `error` and `cause` are what DescribeExecution would report. */
export class ExecutionFailedError extends Error {
  override readonly name = 'ExecutionFailedError' as const;
  constructor(
    readonly executionId: string,
    readonly error: string,
    override readonly cause: string,
    /** The last state that failed, when the event log recorded one. */
    readonly stateName?: string,
  ) {
    super(
      `Execution ${executionId} failed${stateName ? ` in state "${stateName}"` : ''}: ${error}: ${cause}`,
    );
  }
}

export class ExecutionAbortedError extends Error {
  override readonly name = 'ExecutionAbortedError' as const;
  constructor(readonly executionId: string) {
    super(`Execution ${executionId} was aborted.`);
  }
}

/** The definition's top-level TimeoutSeconds elapsed. */
export class ExecutionTimedOutError extends Error {
  override readonly name = 'ExecutionTimedOutError' as const;
  constructor(readonly executionId: string) {
    super(`Execution ${executionId} timed out (the state machine's TimeoutSeconds elapsed).`);
  }
}

/** SendTaskSuccess/Failure with a token that no parked task holds (never issued, or already answered). */
export class TaskDoesNotExist extends Error {
  override readonly name = 'TaskDoesNotExist' as const;
  constructor(readonly token: string) {
    super(`No task is waiting for token ${token}: it was never issued here or has already been answered.`);
  }
}

/** SendTaskSuccess/Failure after the task timed out or its execution ended. */
export class TaskTimedOut extends Error {
  override readonly name = 'TaskTimedOut' as const;
  constructor(readonly token: string) {
    super(`The task for token ${token} is no longer waiting: it timed out or its execution ended.`);
  }
}

/** A Task state has no local handler; raised before the run starts. */
export class MissingHandlerError extends Error {
  override readonly name = 'MissingHandlerError' as const;
  constructor(
    readonly stateNames: readonly string[],
    detail: string,
  ) {
    super(`No local handler for ${stateNames.map((n) => `"${n}"`).join(', ')}: ${detail}`);
  }
}
