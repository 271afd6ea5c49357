import type { Block, Inline, MailContent } from './content.js';
import { isWebUrl } from './escape-html.js';
import { FOOTER } from './footer.js';
import { labelled } from './labels.js';
import type { Locale } from './locale.js';

const inline = (part: Inline): string => {
  if (typeof part === 'string') return part;
  if ('strong' in part) return part.strong;
  // the HTML part makes no link of another scheme; the text part does not show it either
  return isWebUrl(part.href) ? `${part.label} (${part.href})` : part.label;
};

function block(b: Block, locale: Locale): string | null {
  switch (b.kind) {
    case 'paragraph':
    case 'note':
      return b.parts.map(inline).join('');
    case 'code':
      return `    ${b.code}`;
    case 'button':
      return isWebUrl(b.href) ? labelled(b.label, b.href, locale) : null;
    case 'list':
      return b.items.map((i) => `- ${i}`).join('\n');
    case 'facts':
      return b.rows.map((r) => labelled(r.label, r.value, locale)).join('\n');
  }
}

/** The text/plain part: blocks as paragraphs, links written out, the footer after a signature separator. */
export function renderText(content: MailContent, locale: Locale): string {
  const blocks = content.blocks.map((b) => block(b, locale)).filter((b) => b !== null);
  return [...blocks, `-- \n${FOOTER[locale]}`].join('\n\n') + '\n';
}
