/**
 * The local Step Functions runtime: synthesized CDK template → extracted ASL → sanitized → run in-process
 * with aws-local-stepfunctions, every Task bound to the handler its Lambda function runs on AWS.
 */

export * from './engine.js';
export * from './errors.js';
export * from './extract.js';
export { MAX_TIMEOUT_SECONDS, TASK_TOKEN_PLACEHOLDER } from './prepare.js';
export * from './sanitize.js';
export type { AslDefinition, AslState, JsonObject, JsonValue } from './types.js';
