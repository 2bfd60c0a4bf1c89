/** API answers are gzipped for clients that accept it (text of 1 KB or more), and left alone otherwise. */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressed } from '../../../shared/api/compress.js';

const json = (body: string) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json; charset=utf-8' },
  body,
});
const big = JSON.stringify(
  Array.from({ length: 400 }, (_, i) => ({ staffId: `C01-${i}`, gross: '1234.56' })),
);

describe('gzip of API answers', () => {
  it('compresses a large JSON answer for a client that accepts gzip, and it inflates to the same bytes', () => {
    const out = compressed(json(big), { 'accept-encoding': 'gzip, deflate, br' });
    expect(out.headers).toMatchObject({ 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
    expect(out.isBase64Encoded).toBe(true);
    const bytes = Buffer.from(out.body!, 'base64');
    expect(bytes.length).toBeLessThan(big.length / 4);
    expect(gunzipSync(bytes).toString('utf8')).toBe(big);
  });

  it('leaves it alone without Accept-Encoding: gzip, when small, or when it is not text', () => {
    expect(compressed(json(big), {})).toEqual(json(big));
    expect(compressed(json('{"a":1}'), { 'accept-encoding': 'gzip' })).toEqual(json('{"a":1}'));
    const xlsx = {
      statusCode: 200,
      headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      body: Buffer.from(big).toString('base64'),
      isBase64Encoded: true,
    };
    expect(compressed(xlsx, { 'accept-encoding': 'gzip' })).toEqual(xlsx);
  });

  it('compresses a base64 text answer (a printable report) from its bytes', () => {
    const html = {
      statusCode: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      body: Buffer.from(big).toString('base64'),
      isBase64Encoded: true,
    };
    const out = compressed(html, { 'Accept-Encoding': 'gzip' });
    expect(gunzipSync(Buffer.from(out.body!, 'base64')).toString('utf8')).toBe(big);
  });
});
