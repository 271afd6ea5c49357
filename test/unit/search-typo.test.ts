import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedTypos, typoDistance } from '../../src/modules/catalog/search/embedded/typo.js';
import { Vocabulary } from '../../src/modules/catalog/search/embedded/vocabulary.js';

describe('typo distance', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions as one', () => {
    assert.equal(typoDistance('table', 'table', 2), 0);
    assert.equal(typoDistance('table', 'tables', 2), 1);
    assert.equal(typoDistance('table', 'tabe', 2), 1);
    assert.equal(typoDistance('table', 'tablr', 2), 1);
    assert.equal(typoDistance('table', 'tabel', 2), 1);
    assert.equal(typoDistance('parapluie', 'parepluei', 2), 2);
    assert.equal(typoDistance('ca', 'abc', 3), 3, 'optimal string alignment: no edit of a transposed pair');
  });

  it('stops at the bound and answers bound + 1', () => {
    assert.equal(typoDistance('table', 'chaise', 1), 2);
    assert.equal(typoDistance('a', 'abcdef', 2), 3);
    assert.equal(typoDistance('kitten', 'sitting', 3), 3);
    assert.equal(typoDistance('kitten', 'sitting', 2), 3);
  });

  it('allows 0 typos below 5 letters, 1 from 5, 2 from 9', () => {
    assert.deepEqual(['lamp', 'lampe', 'lampadair', 'abcdefgh'].map(allowedTypos), [0, 1, 2, 1]);
  });

  it('expands words through the vocabulary: same first letter, or a first-letter typo costing 2 from 9 letters', () => {
    const v = new Vocabulary();
    for (const t of ['table', 'tables', 'cable', 'fable', 'parapluie', 'jarapluie', 'tab']) v.getOrAdd(t);
    const names = (xs: { term: number; typos: number }[]): string[] => xs.map((x) => `${v.terms[x.term]}:${x.typos}`).sort();
    assert.deepEqual(names(v.withTypos('tabel', () => 0, 10)), ['table:1']);
    assert.deepEqual(names(v.withTypos('table', () => 0, 10)), ['tables:1']);
    assert.deepEqual(names(v.withTypos('parapluie', () => 0, 10)), ['jarapluie:2']);
    assert.deepEqual(
      v
        .withPrefix('tab', () => 0, 10)
        .map((t) => v.terms[t])
        .sort(),
      ['tab', 'table', 'tables'],
    );
  });
});
