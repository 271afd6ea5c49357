import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import {
  api,
  assertProblem,
  createPartner,
  csvOf,
  jsonOf,
  partnerAccount,
  runImport,
  sampleRows,
  uploadImport,
  waitForImport,
  xlsxOf,
  type ImportBody,
} from '../../support/catalog-api.js';

describe('catalog imports over REST', () => {
  let server: TestServer;
  let admin: string;
  before(async () => {
    server = await startTestServer();
    admin = await server.adminToken();
  });
  after(async () => {
    await server.close();
  });

  it('lets admin manage partners, team list them, and a partner account only its own', async () => {
    const mine = await createPartner(server, 'perm-mine');
    const other = await createPartner(server, 'perm-other');
    const member = await partnerAccount(server, mine);
    const freelancer = await server.newUser();
    const team = await server.newUserInGroups(['team']);

    assertProblem(await api(server, 'GET', '/api/v1/partners'), 401, 'UNAUTHENTICATED');
    assertProblem(await api(server, 'GET', '/api/v1/partners', { token: freelancer.token }), 403, 'FORBIDDEN');
    assertProblem(await api(server, 'GET', '/api/v1/partners', { token: member.token }), 403, 'FORBIDDEN');
    const listed = await api(server, 'GET', '/api/v1/partners', { token: team.token });
    assert.equal(listed.status, 200);
    assert.ok((listed.body.items as { id: string }[]).some((p) => p.id === other));

    assert.equal((await api(server, 'GET', `/api/v1/partners/${mine}`, { token: member.token })).status, 200);
    assert.equal((await api(server, 'GET', '/api/v1/me/partner', { token: member.token })).body.id, mine);
    assertProblem(await api(server, 'GET', `/api/v1/partners/${other}`, { token: member.token }), 403, 'FORBIDDEN');
    assertProblem(
      await uploadImport(server, member.token, other, { name: 'c.csv', bytes: csvOf(sampleRows(1)) }),
      403,
      'FORBIDDEN',
    );
    assertProblem(
      await api(server, 'POST', '/api/v1/partners', {
        token: team.token,
        body: { slug: 'nope', name: 'Nope', contactEmail: 'n@example.com' },
      }),
      403,
      'FORBIDDEN',
    );
    assertProblem(
      await api(server, 'PATCH', `/api/v1/partners/${mine}`, { token: member.token, body: { name: 'Mine' } }),
      403,
      'FORBIDDEN',
    );
    const renamed = await api(server, 'PATCH', `/api/v1/partners/${mine}`, { token: admin, body: { name: 'Renamed' } });
    assert.equal(renamed.body.name, 'Renamed');
    const taken = await api(server, 'POST', '/api/v1/partners', {
      token: admin,
      body: { slug: 'perm-mine', name: 'Again', contactEmail: 'a@example.com' },
    });
    assertProblem(taken, 409, 'CONFLICT');
    const invalid = await api(server, 'POST', '/api/v1/partners', {
      token: admin,
      body: { slug: 'Bad Slug', name: '', contactEmail: 'nope' },
    });
    assertProblem(invalid, 400, 'BAD_USER_INPUT');
    assert.deepEqual((invalid.body.errors as { path: string }[]).map((e) => e.path).sort(), [
      'body.contactEmail',
      'body.name',
      'body.slug',
    ]);

    // The admin lists the members; nobody else may.
    const members = await api(server, 'GET', `/api/v1/partners/${mine}/members`, { token: admin });
    assert.equal(members.status, 200);
    assert.deepEqual(members.body.items, [{ accountId: member.id }]);
    assertProblem(await api(server, 'GET', `/api/v1/partners/${mine}/members`, { token: member.token }), 403, 'FORBIDDEN');

    // Removing the membership takes the access away at once.
    assert.equal((await api(server, 'DELETE', `/api/v1/partners/${mine}/members/${member.id}`, { token: admin })).status, 204);
    assertProblem(await api(server, 'GET', `/api/v1/partners/${mine}`, { token: member.token }), 403, 'FORBIDDEN');
  });

  it('imports a CSV upload, then reports every row unchanged when the same file comes again', async () => {
    const partner = await createPartner(server, 'csv-again');
    const member = await partnerAccount(server, partner);
    const file = { name: 'catalog.csv', bytes: csvOf(sampleRows(120)) };
    const started = await uploadImport(server, member.token, partner, file);
    assert.equal(started.status, 202);
    assert.equal(started.body.status, 'QUEUED');
    assert.equal(started.headers.get('location'), `/api/v1/imports/${String(started.body.id)}`);
    const first = await waitForImport(server, member.token, String(started.body.id));
    assert.equal(first.status, 'SUCCEEDED', JSON.stringify(first.failure));
    assert.deepEqual(first.counts, { created: 120, updated: 0, unchanged: 0, archived: 0, rejected: 0 });
    assert.deepEqual(first.progress, { phase: 'APPLYING', rowsRead: 120, rowsTotal: 120 });
    assert.equal(typeof first.durationMs, 'number');
    assert.ok(first.startedAt && first.finishedAt);

    const again = await runImport(server, member.token, partner, file);
    assert.deepEqual(again.counts, { created: 0, updated: 0, unchanged: 120, archived: 0, rejected: 0 });

    const list = await api(server, 'GET', `/api/v1/partners/${partner}/imports?limit=1`, { token: member.token });
    assert.equal((list.body.items as ImportBody[])[0]?.id, again.id);
    assert.ok(list.body.nextToken);
  });

  it('imports XLSX and JSON files the same way', async () => {
    const partner = await createPartner(server, 'formats');
    const rows = sampleRows(30);
    const x = await runImport(server, admin, partner, { name: 'catalog.xlsx', bytes: await xlsxOf(rows) });
    assert.equal(x.status, 'SUCCEEDED', JSON.stringify(x.failure));
    assert.equal(x.format, 'xlsx');
    assert.deepEqual(x.counts, { created: 30, updated: 0, unchanged: 0, archived: 0, rejected: 0 });
    const changed = rows.map((r, i) => (i < 5 ? { ...r, price: '99.00' } : r));
    const j = await runImport(server, admin, partner, { name: 'catalog.json', bytes: jsonOf(changed) });
    assert.equal(j.status, 'SUCCEEDED', JSON.stringify(j.failure));
    assert.equal(j.format, 'json');
    assert.deepEqual(j.counts, { created: 0, updated: 5, unchanged: 25, archived: 0, rejected: 0 });
  });

  it('imports a file put through a signed upload URL', async () => {
    const partner = await createPartner(server, 'signed');
    const member = await partnerAccount(server, partner);
    const bytes = Buffer.from(csvOf(sampleRows(10)));
    const target = await api(server, 'POST', `/api/v1/partners/${partner}/imports/upload-url`, {
      token: member.token,
      body: { fileName: 'big.csv', contentType: 'text/csv', size: bytes.length },
    });
    assert.equal(target.status, 201, JSON.stringify(target.body));
    const upload = target.body.upload as { url: string; fields: Record<string, string> };
    const form = new FormData();
    for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'text/csv' }), 'big.csv');
    const put = await fetch(upload.url, { method: 'POST', body: form });
    assert.ok(put.status < 300, await put.text());

    const started = await api(server, 'POST', `/api/v1/partners/${partner}/imports`, {
      token: member.token,
      body: { blobKey: target.body.blobKey, fileName: 'big.csv' },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const done = await waitForImport(server, member.token, String(started.body.id));
    assert.deepEqual(done.counts, { created: 10, updated: 0, unchanged: 0, archived: 0, rejected: 0 });

    const foreign = await createPartner(server, 'signed-foreign');
    assertProblem(
      await api(server, 'POST', `/api/v1/partners/${foreign}/imports`, {
        token: admin,
        body: { blobKey: target.body.blobKey, fileName: 'big.csv' },
      }),
      400,
      'BAD_USER_INPUT',
    );
  });

  it('archives what a REPLACE import does not name, and a dry run writes nothing', async () => {
    const partner = await createPartner(server, 'replace');
    const rows = sampleRows(20);
    await runImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(rows) });
    const dry = await runImport(
      server,
      admin,
      partner,
      { name: 'c.csv', bytes: csvOf([...rows.slice(0, 10), ...sampleRows(3, 'NEW')]) },
      { mode: 'REPLACE', dryRun: 'true' },
    );
    assert.equal(dry.status, 'SUCCEEDED');
    assert.equal(dry.dryRun, true);
    assert.deepEqual(dry.counts, { created: 3, updated: 0, unchanged: 10, archived: 0, rejected: 0 });
    // Nothing was written: the real run still creates the NEW ones.
    const replace = await runImport(
      server,
      admin,
      partner,
      { name: 'c.csv', bytes: csvOf([...rows.slice(0, 10), ...sampleRows(3, 'NEW')]) },
      { mode: 'REPLACE' },
    );
    assert.deepEqual(replace.counts, { created: 3, updated: 0, unchanged: 10, archived: 10, rejected: 0 });
    const again = await runImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(rows) });
    assert.deepEqual(again.counts, { created: 0, updated: 10, unchanged: 10, archived: 0, rejected: 0 });
    // Pass 1's spool of accepted rows (in the OS temp dir) is deleted when an import ends.
    for (const id of [dry.id, replace.id, again.id]) {
      assert.equal(fs.existsSync(path.join(os.tmpdir(), `atelier-import-${id}.spool`)), false);
    }
  });

  it('rejects malformed rows and duplicate skus, lists them in errors.csv with formula-safe cells', async () => {
    const partner = await createPartner(server, 'rejects');
    const rows = sampleRows(10);
    const bad = [
      ...rows,
      { sku: '=HYPERLINK("http://evil.example","x")', name: '', price: 'abc' },
      { ...rows[2]!, name: 'Dup of 3' },
    ];
    const imp = await runImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(bad) });
    assert.equal(imp.status, 'SUCCEEDED', JSON.stringify(imp.failure));
    assert.deepEqual(imp.counts, { created: 10, updated: 0, unchanged: 0, archived: 0, rejected: 2 });
    const res = await fetch(`${server.url}/api/v1/imports/${imp.id}/errors.csv`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    const text = await res.text();
    const lines = text.trim().split('\r\n');
    assert.equal(lines[0], 'line,column,reason');
    assert.ok(
      lines.some((l) => l.startsWith('"13",') && /duplicate sku, first on line 4/.test(l)),
      text,
    );
    assert.ok(lines.filter((l) => l.startsWith('"12",')).length >= 1, text);
    assert.doesNotMatch(text, /,"=/, 'a cell starting with = is neutralised');

    // A header a spreadsheet would run as a formula comes back neutralised in the column cell.
    const other = await createPartner(server, 'rejects-formula');
    await api(server, 'PUT', `/api/v1/partners/${other}/mapping`, { token: admin, body: { mapping: { '=Prix': 'price' } } });
    const f = await runImport(server, admin, other, { name: 'c.csv', bytes: 'sku,name,=Prix\nA,Chaise,12\nB,Table,douze\n' });
    assert.equal(f.counts.rejected, 1, JSON.stringify(f));
    const csv = await (
      await fetch(`${server.url}/api/v1/imports/${f.id}/errors.csv`, { headers: { authorization: `Bearer ${admin}` } })
    ).text();
    assert.match(csv, /^"3","'=Prix",/m, csv);
  });

  it('fails with TOO_MANY_REJECTS and changes nothing when most rows are bad', async () => {
    const partner = await createPartner(server, 'too-many');
    const rows = [...sampleRows(2), ...Array.from({ length: 5 }, (_, i) => ({ sku: `BAD-${i}`, name: '', price: 'x' }))];
    const imp = await runImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(rows) });
    assert.equal(imp.status, 'FAILED');
    assert.equal(imp.failure?.code, 'TOO_MANY_REJECTS');
    assert.equal(imp.counts.created, 0);
    assert.equal(imp.counts.rejected, 5);
    const ok = await runImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(sampleRows(2)) });
    assert.equal(ok.counts.created, 2, 'the failed import wrote nothing');
  });

  it('fails a hostile or unreadable file with a clear code and changes nothing', async () => {
    const partner = await createPartner(server, 'hostile');
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(200, 7)]);
    const imp = await runImport(server, admin, partner, { name: 'catalog.csv', bytes: png });
    assert.equal(imp.status, 'FAILED');
    assert.equal(imp.failure?.code, 'UNSUPPORTED_TYPE', JSON.stringify(imp.failure));
    const noSku = await runImport(server, admin, partner, { name: 'c.csv', bytes: 'colour,weight\nred,1\n' });
    assert.equal(noSku.status, 'FAILED');
    assert.equal(noSku.failure?.code, 'MISSING_COLUMNS');
    const ok = await runImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(sampleRows(1)) });
    assert.equal(ok.counts.created, 1);
  });

  it('uses the partner’s saved mapping over detection', async () => {
    const partner = await createPartner(server, 'mapping');
    const member = await partnerAccount(server, partner);
    const bad = await api(server, 'PUT', `/api/v1/partners/${partner}/mapping`, {
      token: member.token,
      body: { mapping: { Code: 'sku', Other: 'sku' } },
    });
    assertProblem(bad, 400, 'BAD_USER_INPUT');
    const saved = await api(server, 'PUT', `/api/v1/partners/${partner}/mapping`, {
      token: member.token,
      body: { mapping: { Code: 'sku', Libellé: 'name', Tarif: 'price' } },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const read = await api(server, 'GET', `/api/v1/partners/${partner}/mapping`, { token: member.token });
    assert.deepEqual(read.body.mapping, { Code: 'sku', Libellé: 'name', Tarif: 'price' });
    const imp = await runImport(server, member.token, partner, {
      name: 'c.csv',
      bytes: 'Code,Libellé,Tarif,Couleur\nA1,Chaise,12.50,bleu\n',
    });
    assert.equal(imp.status, 'SUCCEEDED', JSON.stringify(imp.failure));
    assert.equal((imp.mapping as Record<string, string>).Code, 'sku');
    assert.equal(imp.counts.created, 1);
  });

  it('streams progress as Server-Sent Events until the import ends', async () => {
    const partner = await createPartner(server, 'sse');
    const started = await uploadImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(sampleRows(3000)) });
    const res = await fetch(`${server.url}/api/v1/imports/${String(started.body.id)}/events`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const text = await res.text(); // the server ends the stream after `end`
    const events = text
      .split('\n\n')
      .filter((b) => b.includes('data: '))
      .map((b) => ({
        event: /event: (\w+)/.exec(b)?.[1],
        data: JSON.parse(/data: (.*)/.exec(b)?.[1] ?? '{}') as ImportBody,
      }));
    assert.ok(events.length >= 2);
    assert.equal(events.at(-1)?.event, 'end');
    assert.equal(events.at(-1)?.data.status, 'SUCCEEDED');
    assert.equal(events.at(-1)?.data.counts.created, 3000);
    assert.ok(events.slice(0, -1).every((e) => e.event === 'progress'));

    assertProblem(await api(server, 'GET', `/api/v1/imports/${String(started.body.id)}/events`), 401, 'UNAUTHENTICATED');
  });

  it('cancels a running import, and refuses a second import while one runs', async () => {
    const partner = await createPartner(server, 'cancel');
    const started = await uploadImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(sampleRows(60_000)) });
    assert.equal(started.status, 202);
    const second = await uploadImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(sampleRows(1)) });
    assertProblem(second, 409, 'CONFLICT');
    const cancelled = await api(server, 'POST', `/api/v1/imports/${String(started.body.id)}/cancel`, { token: admin });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.status, 'CANCELLED');
    const final = await waitForImport(server, admin, String(started.body.id));
    assert.equal(final.status, 'CANCELLED');

    assertProblem(
      await api(server, 'POST', `/api/v1/imports/${String(started.body.id)}/cancel`, { token: admin }),
      409,
      'CONFLICT',
    );
    // The job notices between batches and stops: far fewer than every row were applied.
    await new Promise((r) => setTimeout(r, 500));
    const after = await waitForImport(server, admin, String(started.body.id));
    assert.ok(after.counts.created < 60_000, JSON.stringify(after.counts));
  });

  it('answers unknown imports and bad input with problem+json', async () => {
    assertProblem(await api(server, 'GET', '/api/v1/imports/nope', { token: admin }), 404, 'NOT_FOUND');
    assertProblem(await api(server, 'GET', '/api/v1/nothing-here', { token: admin }), 404, 'NOT_FOUND');
    const partner = await createPartner(server, 'badinput');
    assertProblem(
      await uploadImport(server, admin, partner, { name: 'c.csv', bytes: csvOf(sampleRows(1)) }, { mode: 'MERGE' }),
      400,
      'BAD_USER_INPUT',
    );
    assertProblem(
      await api(server, 'POST', `/api/v1/partners/${partner}/imports`, { token: admin, body: { fileName: 'x' } }),
      400,
      'BAD_USER_INPUT',
    );
  });
});
