import type { Locale } from './locale.js';

/**
 * What a template produces: structured content, never markup. The renderers turn it into text
 * and HTML, and escape every string on the way, so no template can forget to.
 */

/** A run of text inside a paragraph. */
export type Inline = string | { strong: string } | { href: string; label: string };

export type Block =
  | { kind: 'paragraph'; parts: Inline[] }
  /** Small, muted text (security notes, "ignore this message if…"). */
  | { kind: 'note'; parts: Inline[] }
  /** A one-time code, shown large and easy to copy. */
  | { kind: 'code'; code: string }
  | { kind: 'button'; href: string; label: string }
  | { kind: 'list'; items: string[] }
  /** Label/value rows, e.g. a profile's headline and availability. */
  | { kind: 'facts'; rows: { label: string; value: string }[] };

export interface MailContent {
  subject: string;
  /** The preview line mail clients show after the subject (hidden in the HTML body). */
  preheader?: string;
  blocks: Block[];
}

export const paragraph = (...parts: Inline[]): Block => ({ kind: 'paragraph', parts });
export const note = (...parts: Inline[]): Block => ({ kind: 'note', parts });
export const strong = (text: string): Inline => ({ strong: text });

/** A template: its data and a language in, content out. */
export type Template<D> = (data: D, locale: Locale) => MailContent;
