import type { Block, Inline, MailContent } from './content.js';
import { escapeHtml, isWebUrl } from './escape-html.js';
import { FOOTER } from './footer.js';
import type { Locale } from './locale.js';

// Inline styles and tables only: many mail clients drop <style> and ignore flexbox or grid.
const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const BODY = `${FONT};font-size:16px;line-height:24px`;
const TEXT = `${BODY};color:#18181b`;
const MUTED = '#71717a';
const ACCENT = '#4f46e5';

function inline(part: Inline): string {
  if (typeof part === 'string') return escapeHtml(part);
  if ('strong' in part) return `<strong>${escapeHtml(part.strong)}</strong>`;
  if (!isWebUrl(part.href)) return escapeHtml(part.label);
  return `<a href="${escapeHtml(part.href)}" style="color:${ACCENT};">${escapeHtml(part.label)}</a>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return `<p style="margin:0 0 16px;">${b.parts.map(inline).join('')}</p>`;
    case 'note':
      return `<p style="margin:0 0 16px;font-size:14px;line-height:20px;color:${MUTED};">${b.parts.map(inline).join('')}</p>`;
    case 'code':
      return (
        `<p style="margin:0 0 16px;padding:16px;background-color:#f4f4f5;border-radius:6px;text-align:center;` +
        `font-family:'SFMono-Regular',Menlo,Consolas,monospace;font-size:28px;line-height:36px;letter-spacing:6px;font-weight:600;">` +
        `${escapeHtml(b.code)}</p>`
      );
    case 'button':
      if (!isWebUrl(b.href)) return '';
      return (
        `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px;"><tr>` +
        `<td style="border-radius:6px;background-color:${ACCENT};">` +
        `<a href="${escapeHtml(b.href)}" style="display:inline-block;padding:12px 20px;${FONT};font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;">` +
        `${escapeHtml(b.label)}</a></td></tr></table>`
      );
    case 'list':
      return `<ul style="margin:0 0 16px;padding-left:24px;">${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
    case 'facts':
      return (
        `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px;">` +
        b.rows
          .map(
            (r) =>
              `<tr><td style="${BODY};color:${MUTED};padding:4px 16px 4px 0;vertical-align:top;">${escapeHtml(r.label)}</td>` +
              `<td style="${TEXT};padding:4px 0;vertical-align:top;">${escapeHtml(r.value)}</td></tr>`,
          )
          .join('') +
        `</table>`
      );
  }
}

/** The text/html part: a centred 560 px card, the blocks, the footer. */
export function renderHtml(content: MailContent, locale: Locale): string {
  const preheader = content.preheader
    ? `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${escapeHtml(content.preheader)}</div>`
    : '';
  return [
    '<!DOCTYPE html>',
    `<html lang="${locale}">`,
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="color-scheme" content="light"><title>${escapeHtml(content.subject)}</title></head>`,
    '<body style="margin:0;padding:0;background-color:#f4f4f5;">',
    preheader,
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f4f5;">',
    '<tr><td align="center" style="padding:32px 16px;">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background-color:#ffffff;border-radius:8px;">',
    `<tr><td style="padding:32px;${TEXT};">`,
    `<p style="margin:0 0 24px;font-size:20px;line-height:28px;font-weight:700;color:${ACCENT};">Atelier</p>`,
    ...content.blocks.map(block),
    '</td></tr></table>',
    `<p style="margin:16px 0 0;${FONT};font-size:12px;line-height:18px;color:${MUTED};">${escapeHtml(FOOTER[locale])}</p>`,
    '</td></tr></table>',
    '</body></html>',
    '',
  ]
    .filter((line, i, all) => line !== '' || i === all.length - 1)
    .join('\n');
}
