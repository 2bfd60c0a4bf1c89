/** The install's step that makes DynamoDB Local's class archive (bin/build.mjs; see class-data-sharing.ts). */
import { DYNAMODB_LOCAL_JAVA_TOOL_OPTIONS } from '../dynamodb-local.js';
import { DEFAULT_CACHE_DIR, makeSharedArchive } from './class-data-sharing.js';
import { findDynamoDbLocalJar, findJava } from './java.js';

export async function prepareClassArchive(
  cacheDir = DEFAULT_CACHE_DIR,
): Promise<{ dir: string; made: boolean }> {
  return makeSharedArchive(cacheDir, findDynamoDbLocalJar(), findJava(), DYNAMODB_LOCAL_JAVA_TOOL_OPTIONS);
}
