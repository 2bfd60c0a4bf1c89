/**
 * A JSON text in pages named by its hash (issue 12, DynamoDB's 400 KB item): what would make an item too
 * large — a §9.1 draft, a department's amounts, a window's waiting ids, a month lock's per-institution
 * maps — is cut by encoded size into pages of ≤ PAGE_BYTES under a partition of its own, each page's sort
 * key `{sha256 of the whole text}#{page}`. The pages are written first and the item that names them
 * (`PagesRef`: the hash and how many pages) last, so a reader is pointed at them only once all are there;
 * writing the same text again writes the same pages; a reader checks it got every page and the same hash.
 */
import { fullHashOfEncoded } from './codec.js';
import { StoreError } from './errors.js';
import type { Table } from './store.js';

/** A page's JSON at most (UTF-8 bytes), as datasets.ts cuts its pages: an item stays under 350 KB. */
export const PAGE_BYTES = 349_000;

/** Where a JSON value stored in pages is: the SHA-256 of its text (the pages' names) and how many pages. */
export interface PagesRef {
  hash: string;
  pages: number;
}

const pageKey = (hash: string, page: number) => `${pagesPrefix(hash)}${String(page).padStart(4, '0')}`;

/**
 * UTF-8 text cut into pieces of at most `limit` bytes, each ending on a character boundary: the pieces
 * joined are the text.
 */
export function splitUtf8(text: string, limit = PAGE_BYTES): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return [text];
  const pieces: string[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(start + limit, bytes.length);
    // Never inside a character: back up over continuation bytes (10xxxxxx).
    while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end--;
    // A limit smaller than one character: that character alone.
    if (end === start) for (end = start + 1; end < bytes.length && (bytes[end]! & 0xc0) === 0x80; ) end++;
    pieces.push(bytes.toString('utf8', start, end));
    start = end;
  }
  return pieces;
}

/** The items that hold `text` under `pk` (of item type `type`), and the reference that names them. */
export function pageItems(
  pk: string,
  text: string,
  type: string,
): { ref: PagesRef; items: { pk: string; sk: string; type: string; data: string }[] } {
  const hash = fullHashOfEncoded(text);
  const pieces = splitUtf8(text);
  return {
    ref: { hash, pages: pieces.length },
    items: pieces.map((data, i) => ({ pk, sk: pageKey(hash, i), type, data })),
  };
}

/**
 * Writes `text`'s pages under `pk` and returns their reference. Called before the write of the item that
 * names them (the commit point).
 */
export async function putPages(table: Table, pk: string, text: string, type: string): Promise<PagesRef> {
  const { ref, items } = pageItems(pk, text, type);
  await Promise.all(items.map((item) => table.put(item)));
  return ref;
}

/** The sort-key prefix of the pages of the text whose hash is `hash`. */
export const pagesPrefix = (hash: string) => `${hash}#`;

/** The text of pages read (in order) for `ref`, checked whole (every page, the same hash). */
export function joinPages(pages: readonly { data: string }[], ref: PagesRef, what: string): string {
  const text = pages.map((p) => p.data).join('');
  if (pages.length !== ref.pages || fullHashOfEncoded(text) !== ref.hash)
    throw new StoreError(
      'not_found',
      `${what} has ${pages.length} of its ${ref.pages} pages or a different hash`,
    );
  return text;
}

/** The text `putPages` stored, checked whole (every page, the same hash); `what` names it in the error. */
export async function readPages(table: Table, pk: string, ref: PagesRef, what: string): Promise<string> {
  return joinPages(await table.queryPrefix<{ data: string }>(pk, pagesPrefix(ref.hash)), ref, what);
}
