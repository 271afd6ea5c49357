import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../../config/config.js';
import { parseWith } from '../../../http/parse.js';
import { notFound } from '../../../shared/errors.js';
import { mailDirectory } from '../mail/create-mailer.js';
import { listMailbox, readMailboxMessage } from '../mail/mailbox.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #d0d7de}
pre{white-space:pre-wrap;background:#f6f8fa;padding:1rem;border-radius:6px}iframe{width:100%;height:32rem;border:1px solid #d0d7de;border-radius:6px}
.muted{color:#59636e}</style></head><body>${body}</body></html>`;

/**
 * The development mailbox: every e-mail the `file` transport wrote under $DATA_DIR/mail, newest first.
 * Served only with MAIL_TRANSPORT=file outside production (see app.ts).
 */
export function devMailboxRoutes(app: FastifyInstance, config: Pick<Config, 'dataDir'>): void {
  const dir = mailDirectory(config);
  const listQuery = z.object({ to: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
  const idParams = z.object({ id: z.string().min(1).max(200) });

  const entries = async (to: string | undefined, limit: number) => {
    const all = await listMailbox(dir, { limit: to ? 500 : limit });
    return (to ? all.filter((m) => m.to.toLowerCase().includes(to.toLowerCase())) : all).slice(0, limit);
  };

  app.get('/dev/mailbox/api/messages', async (req) => {
    const { to, limit } = parseWith(listQuery, req.query);
    return { items: await entries(to, limit) };
  });

  app.get('/dev/mailbox/api/messages/:id', async (req) => {
    const { id } = parseWith(idParams, req.params);
    const message = await readMailboxMessage(dir, id);
    if (!message) throw notFound('Message');
    return message;
  });

  app.get('/dev/mailbox', async (req, reply) => {
    const { to, limit } = parseWith(listQuery, req.query);
    const items = await entries(to, limit);
    const rows = items
      .map(
        (m) =>
          `<tr><td>${esc(m.date ?? '')}</td><td>${esc(m.to)}</td><td><a href="/dev/mailbox/${encodeURIComponent(m.id)}">${esc(m.subject)}</a></td></tr>`,
      )
      .join('');
    const body = `<h1>Development mailbox</h1><p class="muted">${items.length} message(s) written by the file mail transport to <code>${esc(dir)}</code>.</p>
      ${items.length ? `<table><thead><tr><th>Date</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No e-mail yet. Sign up to receive a verification code.</p>'}`;
    return reply.type('text/html; charset=utf-8').send(page('Mailbox', body));
  });

  app.get('/dev/mailbox/:id', async (req, reply) => {
    const { id } = parseWith(idParams, req.params);
    const m = await readMailboxMessage(dir, id);
    if (!m) throw notFound('Message');
    const body = `<p><a href="/dev/mailbox">← Mailbox</a></p><h1>${esc(m.subject)}</h1>
      <p class="muted">From ${esc(m.from)} to ${esc(m.to)} · ${esc(m.date ?? '')}</p>
      ${m.html !== null ? `<iframe sandbox title="HTML body" src="/dev/mailbox/${encodeURIComponent(m.id)}/html"></iframe>` : ''}
      <h2>Text</h2><pre>${esc(m.text)}</pre>`;
    return reply.type('text/html; charset=utf-8').send(page(m.subject, body));
  });

  app.get('/dev/mailbox/:id/html', async (req, reply) => {
    const { id } = parseWith(idParams, req.params);
    const m = await readMailboxMessage(dir, id);
    if (!m || m.html === null) throw notFound('HTML body');
    // the body is shown as is, so nothing in it may run or reach out
    return reply
      .header('content-security-policy', "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'")
      .type('text/html; charset=utf-8')
      .send(m.html);
  });
}
