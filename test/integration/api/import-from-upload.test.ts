/**
 * import-from-upload (issue 12) end to end on one machine: the API route records the import and starts
 * the import state machine — the definition CDK synthesizes for AWS, run by the local ASL engine through
 * the local starter — against DynamoDB Local; GET /api/datasets/imports/{id} then shows it imported (its
 * version current), or refused with every issue and nothing stored.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureApi, resetApi } from '../../../shared/api/deps.js';
import { inlineExportSink, type UploadStore } from '../../../shared/api/ports.js';
import { ownerSegment } from '../../../shared/api/s3.js';
import { resetImportStaging } from '../../../shared/app/import-workflow.js';
import { generateCounty } from '../../../shared/demo/index.js';
import { localImportStarter } from '../../../shared/local/import-starter.js';
import { type LocalStore, openLocalStore } from '../../../shared/local/runtime.js';
import { as, call } from '../../unit/api/helpers.js';
import { dynamoEndpoint } from '../dynamodb/helpers.js';

let root: string;
let store: LocalStore;
let starter: ReturnType<typeof localImportStarter>;
let files: Record<string, string>;
let community: string;
const savedChunks = process.env.MEDCOMM_IMPORT_CHUNKS;

/** Uploads as folders under `root` (what the presigned PUTs put in the import bucket on AWS). */
const folderUploads = (): UploadStore => ({
  ownPrefix: (c, user) => `uploads/${ownerSegment(c)}/${ownerSegment(user)}/`,
  async ticket() {
    throw new Error('not used: the test writes the upload itself');
  },
});

async function upload(user: string, content: Record<string, string>): Promise<string> {
  const prefix = `uploads/${ownerSegment(community)}/${user}/${randomUUID()}/`;
  await mkdir(join(root, prefix), { recursive: true });
  for (const [name, text] of Object.entries(content)) await writeFile(join(root, prefix, name), text);
  return prefix;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'medcomm-import-upload-'));
  process.env.MEDCOMM_IMPORT_CHUNKS = join(root, 'chunks');
  resetImportStaging();
  store = await openLocalStore({
    endpoint: dynamoEndpoint(),
    tableName: `import-upload-${Date.now().toString(36)}`,
  });
  starter = localImportStarter({ uploads: root });
  files = generateCounty({ staff: 200, seed: 11 }) as Record<string, string>;
  community = (JSON.parse(files['scheme.json']!) as { community: { id: string } }).community.id;
  configureApi({
    repos: store.repos,
    executions: {
      start: async () => undefined,
      resume: async () => undefined,
      resumeSecondary: async () => undefined,
    },
    exports: inlineExportSink(),
    uploads: folderUploads(),
    imports: starter,
  });
}, 300_000);

afterAll(async () => {
  await starter?.idle();
  resetApi();
  await store?.close();
  if (root) await rm(root, { recursive: true, force: true });
  if (savedChunks === undefined) delete process.env.MEDCOMM_IMPORT_CHUNKS;
  else process.env.MEDCOMM_IMPORT_CHUNKS = savedChunks;
  resetImportStaging();
});

const office = () => as('office1', `${community}:office`);

async function startAndFollow(prefix: string) {
  const started = await call('POST /api/datasets/import-from-upload', {
    as: office(),
    params: { community },
    body: { prefix },
  });
  expect(started.status).toBe(202);
  await starter.idle();
  return call('GET /api/datasets/imports/{importId}', {
    as: office(),
    params: { community, importId: started.json.importId },
  });
}

describe('import-from-upload runs the import state machine', () => {
  it('imports an upload: 202 at once, then the record says imported with its version', async () => {
    const answer = await startAndFollow(await upload('office1', files));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ status: 'imported', communityId: community, by: 'office1' });
    const current = await store.repos.datasets.current(community, answer.json.year);
    expect(current?.version).toBe(answer.json.version);
  }, 600_000);

  it('refuses an upload with errors: every issue with file, row and column, grouped; nothing stored', async () => {
    const before = await store.repos.datasets.current(community);
    const lines = files['staff.csv']!.split('\r\n');
    for (const row of [3, 5]) {
      const cells = lines[row]!.split(',');
      cells[7] = '-5';
      lines[row] = cells.join(',');
    }
    const answer = await startAndFollow(
      await upload('office1', { ...files, 'staff.csv': lines.join('\r\n') }),
    );
    expect(answer.json.status).toBe('refused');
    expect(answer.json.issueCount).toBe(answer.json.issues.length);
    expect(answer.json.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'staff.csv', row: 4, column: 'basicMonthly' }),
        expect.objectContaining({ file: 'staff.csv', row: 6, column: 'basicMonthly' }),
      ]),
    );
    expect(answer.json.groups.length).toBeGreaterThan(0);
    expect(await store.repos.datasets.current(community)).toEqual(before);
  }, 600_000);
});
