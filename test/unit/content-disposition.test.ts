import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachmentDisposition } from '../../src/modules/files/content-disposition.js';

describe('Content-Disposition of downloads', () => {
  it('gives an ASCII name in quotes and the exact UTF-8 name in filename* (RFC 6266 / RFC 5987)', () => {
    assert.equal(attachmentDisposition('cv.pdf'), `attachment; filename="cv.pdf"; filename*=UTF-8''cv.pdf`);
    assert.equal(
      attachmentDisposition('Élodie Dupré (CV).pdf'),
      `attachment; filename="_lodie Dupr_ (CV).pdf"; filename*=UTF-8''%C3%89lodie%20Dupr%C3%A9%20%28CV%29.pdf`,
    );
    assert.equal(
      attachmentDisposition('履歴書.pdf'),
      `attachment; filename="___.pdf"; filename*=UTF-8''%E5%B1%A5%E6%AD%B4%E6%9B%B8.pdf`,
    );
  });

  it('cannot be made to split the header, escape the quotes or name a directory', () => {
    const value = attachmentDisposition('evil\r\nSet-Cookie: a=b\\"; x=".pdf');
    assert.doesNotMatch(value, /[\r\n]/);
    assert.equal(value.split('"').length, 3, 'only the two quotes around the fallback name');
    assert.equal(
      attachmentDisposition('../../etc/passwd'),
      `attachment; filename=".._.._etc_passwd"; filename*=UTF-8''.._.._etc_passwd`,
    );
    assert.equal(attachmentDisposition('  \t '), `attachment; filename="download"; filename*=UTF-8''download`);
  });
});
