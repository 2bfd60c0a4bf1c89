/**
 * A check that a generated page's elements are balanced: every start tag closed, in order, outside the
 * HTML void elements and self-closed SVG shapes. Our pages escape all text, so '<' always starts a tag.
 */
const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);

/** The problems found; an empty list means every element opened is closed in the right order. */
export function unbalancedTags(page: string): string[] {
  const body = page.replace(/^<!DOCTYPE html>/i, '').replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  const stack: string[] = [];
  const problems: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name = '', selfClosing] = m;
    const tag = name.toLowerCase();
    if (VOID.has(tag) || selfClosing) continue;
    if (!closing) stack.push(tag);
    else if (stack.at(-1) === tag) stack.pop();
    else problems.push(`</${tag}> at ${m.index} while <${stack.at(-1) ?? 'nothing'}> is open`);
  }
  return [...problems, ...stack.map((t) => `<${t}> never closed`)];
}
