/**
 * A deliberately independent XLSX reader for the export tests: a central-directory zip reader on
 * node:zlib and a tiny XML parser, no exceljs. Reading the files back with the library that wrote them
 * would let a bug in how we drive exceljs (or in exceljs) confirm itself.
 */
import { inflateRawSync } from 'node:zlib';

// ── zip ──────────────────────────────────────────────────────────────────────────────────────────────

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/** Entry name → uncompressed bytes. Sizes come from the central directory, which is always filled in
 * (local headers may carry zeros when the writer streamed with data descriptors). */
export function unzip(zip: Buffer): Map<string, Buffer> {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip: no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let k = 0; k < count; k++) {
    if (zip.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw new Error(`bad central directory entry at ${p}`);
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    p += 46 + nameLength + extraLength + commentLength;

    if (zip.readUInt32LE(localOffset) !== LOCAL_SIGNATURE) throw new Error(`bad local header for ${name}`);
    const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(start, start + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`unsupported compression method ${method} for ${name}`);
    if (data.length !== size) throw new Error(`${name}: inflated ${data.length} bytes, expected ${size}`);
    entries.set(name, data);
  }
  return entries;
}

// ── xml ──────────────────────────────────────────────────────────────────────────────────────────────

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[entity] as string;
  });
}

/** Enough XML for OOXML parts: elements, attributes, text, CDATA; skips declarations and comments. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [] };
  const stack: XmlElement[] = [root];
  const top = () => stack[stack.length - 1] as XmlElement;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      top().children.push(decodeEntities(xml.slice(i)));
      break;
    }
    if (lt > i) top().children.push(decodeEntities(xml.slice(i, lt)));
    if (xml.startsWith('<?', lt) || xml.startsWith('<!DOCTYPE', lt)) {
      i = xml.indexOf('>', lt) + 1;
      continue;
    }
    if (xml.startsWith('<!--', lt)) {
      i = xml.indexOf('-->', lt) + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      top().children.push(xml.slice(lt + 9, end));
      i = end + 3;
      continue;
    }
    // Find the closing '>' outside quoted attribute values.
    let gt = lt + 1;
    let quote = '';
    for (; gt < xml.length; gt++) {
      const ch = xml[gt];
      if (quote) {
        if (ch === quote) quote = '';
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '>') break;
    }
    const tag = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const closed = stack.pop();
      if (!closed || closed.name !== tag.slice(1).trim()) throw new Error(`mismatched </${tag.slice(1)}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const name = /^[^\s/>]+/.exec(body)?.[0] ?? '';
    const attrs: Record<string, string> = {};
    for (const m of body.slice(name.length).matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attrs[m[1] as string] = decodeEntities(m[2] ?? m[3] ?? '');
    }
    const element: XmlElement = { name, attrs, children: [] };
    top().children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${top().name}>`);
  return root;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c): c is XmlElement => typeof c !== 'string' && localName(c.name) === name);
}

export function descendants(element: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (node: XmlElement) => {
    for (const child of node.children) {
      if (typeof child === 'string') continue;
      if (localName(child.name) === name) found.push(child);
      walk(child);
    }
  };
  walk(element);
  return found;
}

export function textOf(element: XmlElement): string {
  return element.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

// ── xlsx ─────────────────────────────────────────────────────────────────────────────────────────────

/** The built-in number formats (ECMA-376 §18.8.30) a writer may use without declaring them. */
const BUILTIN_FORMATS: Record<number, string> = {
  0: 'General',
  1: '0',
  2: '0.00',
  3: '#,##0',
  4: '#,##0.00',
  49: '@',
};

export interface XlsxCell {
  ref: string;
  row: number; // 1-based
  col: number; // 1-based
  /** 's' shared string, 'inlineStr', 'str', 'b', 'n' (number; the default when t is absent). */
  type: string;
  /** Strings resolved; numbers as the exact text of <v>. */
  text: string;
  numFmt: string;
  bold: boolean;
  hasFormula: boolean;
}

export interface XlsxSheet {
  name: string;
  part: string;
  xml: string;
  /** Attributes of <pane>, if any. */
  pane: Record<string, string> | undefined;
  cells: XlsxCell[];
  /** Column widths by 1-based column index, from <cols>. */
  widths: Map<number, number>;
  cell(ref: string): XlsxCell | undefined;
  /** Cells of one 1-based row, by 1-based column (holes stay undefined). */
  row(n: number): (XlsxCell | undefined)[];
  rowCount: number;
}

export interface XlsxBook {
  parts: Map<string, Buffer>;
  sheets: XlsxSheet[];
  creator: string | undefined;
  title: string | undefined;
  description: string | undefined;
}

function refToRowCol(ref: string): { row: number; col: number } {
  const m = /^([A-Z]+)(\d+)$/.exec(ref);
  if (!m) throw new Error(`bad cell reference ${ref}`);
  let col = 0;
  for (const ch of m[1] as string) col = col * 26 + (ch.charCodeAt(0) - 64);
  return { row: Number(m[2]), col };
}

function partText(parts: Map<string, Buffer>, name: string): string | undefined {
  return parts.get(name)?.toString('utf8');
}

function resolveTarget(target: string): string {
  return target.startsWith('/') ? target.slice(1) : `xl/${target}`;
}

export function readXlsx(file: Buffer): XlsxBook {
  const parts = unzip(file);
  const need = (name: string) => {
    const text = partText(parts, name);
    if (text === undefined) throw new Error(`missing part ${name}`);
    return parseXml(text);
  };

  const shared = parts.has('xl/sharedStrings.xml')
    ? descendants(need('xl/sharedStrings.xml'), 'si').map((si) => descendants(si, 't').map(textOf).join(''))
    : [];

  const styles = need('xl/styles.xml');
  const formats = new Map<number, string>(Object.entries(BUILTIN_FORMATS).map(([k, v]) => [Number(k), v]));
  for (const f of descendants(styles, 'numFmt'))
    formats.set(Number(f.attrs.numFmtId), f.attrs.formatCode ?? '');
  const fontsEl = descendants(styles, 'fonts')[0];
  const fonts = fontsEl ? childElements(fontsEl, 'font') : [];
  const cellXfsEl = descendants(styles, 'cellXfs')[0];
  const xfs = cellXfsEl ? childElements(cellXfsEl, 'xf') : [];
  const styleOf = (s: number) => {
    const xf = xfs[s];
    const font = fonts[Number(xf?.attrs.fontId ?? 0)];
    const b = font ? childElements(font, 'b')[0] : undefined;
    return {
      numFmt: formats.get(Number(xf?.attrs.numFmtId ?? 0)) ?? `#${xf?.attrs.numFmtId}`,
      bold: b !== undefined && b.attrs.val !== '0' && b.attrs.val !== 'false',
    };
  };

  const rels = new Map<string, string>();
  for (const r of descendants(need('xl/_rels/workbook.xml.rels'), 'Relationship')) {
    rels.set(r.attrs.Id ?? '', resolveTarget(r.attrs.Target ?? ''));
  }

  const sheets: XlsxSheet[] = descendants(need('xl/workbook.xml'), 'sheet').map((entry) => {
    const rid = entry.attrs['r:id'] ?? '';
    const part = rels.get(rid);
    if (!part) throw new Error(`sheet ${entry.attrs.name} has no relationship ${rid}`);
    const xml = partText(parts, part) ?? '';
    const doc = parseXml(xml);
    const cells: XlsxCell[] = descendants(doc, 'c').map((c) => {
      const ref = c.attrs.r ?? '';
      const type = c.attrs.t ?? 'n';
      const v = childElements(c, 'v')[0];
      const raw = v ? textOf(v) : '';
      let text: string;
      if (type === 's') text = shared[Number(raw)] ?? '';
      else if (type === 'inlineStr') text = descendants(c, 't').map(textOf).join('');
      else text = raw;
      return {
        ref,
        ...refToRowCol(ref),
        type,
        text,
        ...styleOf(Number(c.attrs.s ?? 0)),
        hasFormula: childElements(c, 'f').length > 0,
      };
    });
    const byRef = new Map(cells.map((cell) => [cell.ref, cell]));
    const widths = new Map<number, number>();
    for (const col of descendants(doc, 'col')) {
      for (let n = Number(col.attrs.min); n <= Number(col.attrs.max); n++)
        widths.set(n, Number(col.attrs.width));
    }
    const rowCount = Math.max(0, ...cells.map((cell) => cell.row));
    return {
      name: entry.attrs.name ?? '',
      part,
      xml,
      pane: descendants(doc, 'pane')[0]?.attrs,
      cells,
      widths,
      cell: (r: string) => byRef.get(r),
      row: (n: number) => {
        const out: (XlsxCell | undefined)[] = [];
        for (const cell of cells) if (cell.row === n) out[cell.col - 1] = cell;
        return out;
      },
      rowCount,
    };
  });

  const coreText = partText(parts, 'docProps/core.xml');
  const core = coreText ? parseXml(coreText) : undefined;
  const prop = (name: string) => {
    const el = core ? descendants(core, name)[0] : undefined;
    return el ? textOf(el) : undefined;
  };
  return { parts, sheets, creator: prop('creator'), title: prop('title'), description: prop('description') };
}

/**
 * The exact fen of a decimal written in a cell or CSV ("1234.5", "-120.50", "7"). Anything that is not
 * a plain decimal with at most two places — "0.30000000000000004", "1e21" — throws, so a float that
 * leaked into a file fails the test instead of being rounded into agreement.
 */
export function decimalToFen(text: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new Error(`not a 2-decimal amount: ${JSON.stringify(text)}`);
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] && fen !== 0 ? -fen : fen;
}
