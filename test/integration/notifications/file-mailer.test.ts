import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { FileMailer } from '../../../src/modules/notifications/mail/file-mailer.js';
import { listMailbox, readMailboxMessage } from '../../../src/modules/notifications/mail/mailbox.js';
import { mailerSuite, sampleMessage, type MailerPeer } from '../../conformance/mailer.suite.js';
import { fromParsedMail } from '../../support/received-mail.js';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'atelier-mail-'));

interface FilePeer extends MailerPeer {
  dir: string;
  root: string;
}

/** The peer is a temporary directory; a message is "received" when its .eml file parses. */
async function startFilePeer(): Promise<FilePeer> {
  const root = tempDir();
  const dir = path.join(root, 'mail');
  return {
    root,
    dir,
    mailer: new FileMailer(dir),
    received: async (id) => {
      const file = path.join(dir, `${id}.eml`);
      if (!fs.existsSync(file)) return [];
      return [fromParsedMail(await simpleParser(fs.readFileSync(file)))];
    },
    stop: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

mailerSuite('file', startFilePeer, [
  {
    title: 'a directory that cannot exist (under a regular file)',
    retryable: false,
    send: async (peer) => {
      const blocker = path.join(peer.root, 'not-a-directory');
      fs.writeFileSync(blocker, '');
      await new FileMailer(path.join(blocker, 'mail')).send(sampleMessage());
    },
  },
]);

describe('FileMailer and the development mailbox', () => {
  let root: string;
  let dir: string;
  before(() => {
    root = tempDir();
    dir = path.join(root, 'mail');
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('keeps one file, the first, when the same id is sent twice', async () => {
    let clock = new Date('2026-03-01T10:00:00Z');
    const mailer = new FileMailer(dir, () => clock);
    const m = sampleMessage();
    await mailer.send(m);
    const first = fs.readFileSync(path.join(dir, `${m.id}.eml`));
    clock = new Date('2026-03-01T11:00:00Z');
    await mailer.send({ ...m, subject: 'changed' });
    await Promise.all([mailer.send(m), mailer.send(m)]);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.includes(m.id)),
      [`${m.id}.eml`],
    );
    assert.deepEqual(fs.readFileSync(path.join(dir, `${m.id}.eml`)), first);
  });

  it('lists messages newest first with id, recipient, subject, date and size', async () => {
    const listDir = path.join(root, 'list');
    const mailer = new FileMailer(listDir, () => new Date('2026-03-02T08:30:00Z'));
    const a = sampleMessage({ subject: 'premier' });
    const b = sampleMessage({ subject: 'Léa <b>second</b>' });
    await mailer.send(a);
    await sleep(20); // ordering is by write time; make the two writes distinct
    await mailer.send(b);
    fs.writeFileSync(path.join(listDir, 'notes.txt'), 'not a message');
    const list = await listMailbox(listDir);
    assert.deepEqual(
      list.map((e) => [e.id, e.subject]),
      [
        [b.id, 'Léa <b>second</b>'],
        [a.id, 'premier'],
      ],
    );
    const [newest] = list;
    assert.equal(newest?.to, '"Léa Dubois — Développeuse" <lea.dubois@example.com>');
    assert.equal(newest?.date, '2026-03-02T08:30:00.000Z');
    assert.equal(newest?.size, fs.statSync(path.join(listDir, `${b.id}.eml`)).size);
    assert.deepEqual(
      (await listMailbox(listDir, { limit: 1 })).map((e) => e.id),
      [b.id],
    );
    assert.deepEqual(await listMailbox(path.join(root, 'nothing-here')), []);
  });

  it('reads one message: headers, text and HTML', async () => {
    const mailer = new FileMailer(dir);
    const m = sampleMessage({ headers: { 'X-Atelier-Event': 'profile.updated' } });
    await mailer.send(m);
    const got = await readMailboxMessage(dir, m.id);
    assert.ok(got);
    assert.equal(got.id, m.id);
    assert.equal(got.subject, m.subject);
    assert.equal(got.from, '"Atelier" <no-reply@atelier.local>');
    assert.equal(got.text.trimEnd(), m.text);
    assert.equal(got.html, m.html);
    assert.equal(got.headers['message-id'], `<${m.id}@atelier>`);
    assert.equal(got.headers['x-atelier-event'], 'profile.updated');
    assert.match(got.headers['content-type'] ?? '', /^multipart\/alternative; boundary=/);
  });

  it('reads nothing for an unknown id or one that would leave the directory', async () => {
    fs.writeFileSync(path.join(root, 'secret.eml'), 'Subject: secret\r\n\r\nno');
    assert.equal(await readMailboxMessage(dir, 'no-such-message'), null);
    assert.equal(await readMailboxMessage(dir, '../secret'), null);
    assert.equal(await readMailboxMessage(path.join(root, 'nothing-here'), 'x'), null);
  });
});
