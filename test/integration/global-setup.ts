/**
 * Vitest globalSetup: one in-memory DynamoDB Local for the whole run, shared by every test file
 * (each file isolates itself with its own table, see test/integration/dynamodb/helpers.ts). Runs
 * that select no integration or e2e test skip it, so unit tests need neither Java nor the ~2 s start.
 * MEDCOMM_DYNAMODB_ENDPOINT points the run at a server that is already running instead.
 */
import type { TestProject } from 'vitest/node';
import { isAlive } from '../../shared/local/dynamodb/lock.js';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DynamoDB Local's URL; an empty string when this run started none (no integration tests selected). */
    dynamoEndpoint: string;
  }
}

const NEEDS_DYNAMODB = /[\\/]test[\\/](integration|e2e)[\\/]/;

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env.MEDCOMM_DYNAMODB_ENDPOINT;
  if (external) {
    project.provide('dynamoEndpoint', external);
    return undefined;
  }
  if (!(await runSelectsIntegrationTests(project))) {
    project.provide('dynamoEndpoint', '');
    return undefined;
  }
  const server: DynamoDbLocal = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', server.endpoint);
  return async () => {
    await server.stop();
    // A test run must not leave a server behind; fail loudly if ours survived.
    if (isAlive(server.pid))
      throw new Error(`DynamoDB Local (pid ${server.pid}) is still running after stop()`);
  };
}

/**
 * Global setup runs once per vitest process, so in watch mode (filters can change later) always start.
 * Otherwise look at the files this run selected. `filenamePattern` is vitest-internal: if it ever goes
 * away we glob without filters, which starts the server whenever integration tests exist — safe.
 */
async function runSelectsIntegrationTests(project: TestProject): Promise<boolean> {
  if (project.vitest.config.watch) return true;
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters ?? []);
  return testFiles.some((file) => NEEDS_DYNAMODB.test(file));
}
