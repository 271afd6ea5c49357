import type { ReactNode } from 'react';

/**
 * Renders the search API's highlighted text (matches in `<mark>`, everything else HTML-escaped by the
 * server) without ever giving it to innerHTML: the string is parsed into an inert document and rebuilt
 * from its text nodes and `mark` elements only; any other element keeps just its text.
 */
export function highlightParts(html: string): { text: string; mark: boolean }[] {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const parts: { text: string; mark: boolean }[] = [];
  const walk = (node: Node, inMark: boolean) => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) {
        const text = child.textContent ?? '';
        const prev = parts[parts.length - 1];
        if (prev && prev.mark === inMark) prev.text += text;
        else if (text) parts.push({ text, mark: inMark });
      } else if (child.nodeType === Node.ELEMENT_NODE) {
        walk(child, inMark || (child as Element).localName === 'mark');
      }
    }
  };
  walk(doc.body, false);
  return parts;
}

export function Highlighted({ html, fallback }: { html: string | null; fallback?: ReactNode }) {
  if (!html) return <>{fallback ?? null}</>;
  return <>{highlightParts(html).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}</>;
}
