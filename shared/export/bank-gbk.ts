/**
 * Text → GBK bytes, for the bank files banks read as GBK (and for tests that write what Excel on Chinese
 * Windows saves). Node decodes GBK/GB18030 (TextDecoder) but has no encoder: the table is the decoder's
 * own, inverted once, so the two agree by construction. A character GBK lacks is an error naming it —
 * a bank file must never carry a '?' in place of a name's character.
 */

let table: Map<string, number> | undefined;

function gbkTable(): Map<string, number> {
  if (table) return table;
  table = new Map();
  const decoder = new TextDecoder('gbk');
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      const char = decoder.decode(pair);
      if (char.length === 1 && char !== '\uFFFD' && !table.has(char)) table.set(char, (lead << 8) | trail);
    }
  }
  return table;
}

export class UnencodableError extends Error {
  override readonly name = 'UnencodableError' as const;
  constructor(
    readonly char: string,
    readonly text: string,
  ) {
    super(
      `“${char}”（U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}）无法用 GBK 编码：${text} | "${char}" cannot be encoded in GBK: ${text}`,
    );
  }
}

export function encodeGbk(text: string): Uint8Array {
  const codes = gbkTable();
  const out = new Uint8Array(text.length * 2);
  let n = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) {
      out[n++] = code;
      continue;
    }
    const pair = codes.get(char);
    if (pair === undefined) throw new UnencodableError(char, text);
    out[n++] = pair >> 8;
    out[n++] = pair & 0xff;
  }
  return out.slice(0, n);
}
