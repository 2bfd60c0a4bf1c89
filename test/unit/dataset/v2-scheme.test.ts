/** DOMAIN.md §9 scheme keys at import: each optional, each checked when present. */
import { describe, expect, it } from 'vitest';
import { expectIssues, parseWith, tinyFiles } from './helpers.js';

type SchemeJson = Record<string, unknown> & { pay: Record<string, unknown> };
const schemeWith = (edit: (s: SchemeJson) => void) => {
  const scheme = JSON.parse(tinyFiles()['scheme.json']!);
  edit(scheme);
  return JSON.stringify(scheme, null, 2);
};

describe('§9 scheme keys', () => {
  it('reads funding1Floor as fen, secondary.mode and communityScore.ownWeight', () => {
    const result = parseWith({
      'scheme.json': schemeWith((s) => {
        s.pay.funding1Floor = '4500.00';
        s.pay.secondary = { mode: 'manual' };
        s.communityScore = { ownWeight: 0.4 };
      }),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(result.dataset.scheme.pay.funding1Floor).toBe(450_000);
    expect(result.dataset.scheme.pay.secondary).toEqual({ mode: 'manual' });
    expect(result.dataset.scheme.communityScore).toEqual({ ownWeight: '0.4' });
  });

  it('leaves a v1 scheme without the keys (no key holding undefined)', () => {
    const result = parseWith({});
    if (!result.ok) throw new Error('tiny must import');
    expect(Object.keys(result.dataset.scheme.pay)).not.toContain('funding1Floor');
    expect(Object.keys(result.dataset.scheme)).not.toContain('communityScore');
  });

  it('names a bad mode and an ownWeight above 1', () => {
    expectIssues(
      parseWith({
        'scheme.json': schemeWith((s) => {
          s.pay.secondary = { mode: 'auto' };
          s.communityScore = { ownWeight: 1.5 };
        }),
      }),
      [
        { file: 'scheme.json', column: 'pay.secondary.mode', rule: 'enum.value' },
        { file: 'scheme.json', column: 'communityScore.ownWeight', rule: 'decimal.range' },
      ],
    );
  });
});
