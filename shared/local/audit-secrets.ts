/**
 * The audit chain's key and anchor on one machine: the key in a 0600 file of the data folder (never in
 * the database), the anchors — each community's last head — in 0600 files beside it. Someone who can
 * write the database but not the data folder can neither recompute the chain nor move its anchor back.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnchorStore, AuditHead, AuditSecrets } from '../store/audit.js';

async function readOrCreateKey(file: string): Promise<Buffer> {
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process made it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
}

export class FileAnchorStore implements AnchorStore {
  constructor(private readonly dir: string) {}

  get where(): string {
    return this.dir;
  }

  private file(communityId: string): string {
    return join(this.dir, `${encodeURIComponent(communityId)}.json`);
  }

  async read(communityId: string): Promise<AuditHead | undefined> {
    try {
      const head = JSON.parse(await readFile(this.file(communityId), 'utf8')) as AuditHead;
      return { sequence: head.sequence, hash: head.hash };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(communityId: string, head: AuditHead): Promise<void> {
    const current = await this.read(communityId);
    if (current && current.sequence >= head.sequence) return;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(communityId);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(head)}\n`, { mode: 0o600 });
    await rename(temporary, file);
  }
}

/** The key and anchors kept in `home` (created on first use, this user's only). */
export async function localAuditSecrets(home: string): Promise<AuditSecrets> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const keyFile = join(home, 'audit.key');
  const key = await readOrCreateKey(keyFile);
  await chmod(keyFile, 0o600);
  return { key, anchor: new FileAnchorStore(join(home, 'audit-anchors')) };
}
