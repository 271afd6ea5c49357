import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fold, normalizeCode, spans, tokenize } from '../../src/modules/catalog/search/embedded/tokenizer.js';
import { highlight } from '../../src/modules/catalog/search/embedded/highlight.js';

describe('search tokenizer', () => {
  it('folds case, accents and ligatures', () => {
    assert.equal(fold('Éléphant Œuvre Straße ÇA'), 'elephant oeuvre strasse ca');
    assert.equal(fold('plain ASCII'), 'plain ascii');
  });

  it('splits on non-alphanumerics, keeps digits, drops French elisions', () => {
    assert.deepEqual(tokenize("L'été d’Anne, qu'il aime: 128Go USB-C"), ['ete', 'anne', 'il', 'aime', '128go', 'usb', 'c']);
    assert.deepEqual(tokenize("aujourd'hui"), ['aujourd', 'hui'], 'not an elision inside a word');
    assert.deepEqual(tokenize("jusqu'à lorsqu'on"), ['a', 'on']);
    assert.deepEqual(tokenize('  --  '), []);
  });

  it('normalizes codes as whole values', () => {
    assert.equal(normalizeCode('  REF-12 a '), 'ref-12a');
  });

  it('gives word spans of the original text, marking elided articles', () => {
    assert.deepEqual(spans("l'Été"), [
      { start: 0, end: 1, token: null },
      { start: 2, end: 5, token: 'ete' },
    ]);
    // Decomposed input (NFD) keeps the accent inside the span.
    const nfd = 'poe\u0302le';
    assert.deepEqual(spans(nfd), [{ start: 0, end: nfd.length, token: 'poele' }]);
  });

  it('highlights matched words and prefixes, escaping the rest', () => {
    const m = { terms: new Set(['ete']), prefix: 'rob' };
    assert.equal(highlight("Robe d'été <3", m), '<mark>Robe</mark> d&#39;<mark>été</mark> &lt;3');
    assert.equal(highlight("L'été", { terms: new Set(['l']), prefix: null }), 'L&#39;été', 'an elided article is not a word');
  });
});
