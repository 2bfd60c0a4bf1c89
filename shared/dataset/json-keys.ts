/**
 * JSON.parse keeps the last of two equal keys in an object without a word: `holdbackRate` written twice
 * in scheme.json paid a month 52,287.06 instead of 72,466.76 (issue 13). This finds such keys in text
 * JSON.parse has already accepted, so every JSON input can refuse them naming the key.
 */

/** The path (`pay.holdbackRate`, `grades[2].min`) of each key that appears twice in one object. */
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  const space = () => {
    while (i < text.length && /[\s\uFEFF]/.test(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    space();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const keys = new Set<string>();
      space();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        space();
        const key = string();
        const keyPath = path === '' ? key : `${path}.${key}`;
        if (keys.has(key)) found.push(keyPath);
        keys.add(key);
        space();
        i++; // colon
        value(keyPath);
        space();
        if (text[i++] === '}') return; // else a comma
      }
    }
    if (ch === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        space();
        if (text[i++] === ']') return;
      }
    }
    if (ch === '"') {
      string();
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++; // number, true, false, null
  };
  value('');
  return found;
}

/** JSON.parse, but a key repeated in one object is an error naming its path (a SyntaxError, as JSON.parse throws). */
export function parseJsonStrict(text: string): unknown {
  const parsed: unknown = JSON.parse(text);
  const duplicates = duplicateKeys(text);
  if (duplicates.length > 0) {
    throw new DuplicateKeyError(duplicates);
  }
  return parsed;
}

export class DuplicateKeyError extends SyntaxError {
  override readonly name = 'DuplicateKeyError' as const;
  constructor(readonly paths: string[]) {
    super(`duplicate key ${paths.map((p) => JSON.stringify(p)).join(', ')}`);
  }
}
