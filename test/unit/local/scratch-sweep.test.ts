/**
 * A demo daemon killed outright leaves its in-memory database folder (/dev/shm/medcomm-db-<pid>-…); the next
 * scratch daemon removes this user's folders whose daemon is gone, and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sweepScratch } from '../../../shared/local/daemon.js';

const root = mkdtempSync(join(tmpdir(), 'medcomm-shm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('removes the folders of daemons that are gone and keeps a live one and foreign names', () => {
  // A process that has exited: its pid names a daemon that is gone.
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  expect(gone).toBeGreaterThan(0);
  const folder = (name: string) => {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'shared-local-instance.db'), 'x');
    return join(root, name);
  };
  const dead = folder(`medcomm-db-${gone}-abc123`);
  const live = folder(`medcomm-db-${process.pid}-def456`);
  const other = folder('medcomm-db-notapid');
  const foreign = folder(`someone-else-${gone}-x`);

  expect(sweepScratch(root)).toEqual([dead]);
  expect(existsSync(dead)).toBe(false);
  for (const kept of [live, other, foreign]) expect(existsSync(kept)).toBe(true);
});
