import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectMapping, missingRequiredFields, normalizeHeader } from '../../../src/modules/catalog/import/index.js';

describe('column mapping', () => {
  it('normalizes headers: case, accents, parentheses, spaces, underscores and dashes', () => {
    assert.equal(normalizeHeader('  Référence_Produit '), 'reference produit');
    assert.equal(normalizeHeader('Image-URL'), 'image url');
    assert.equal(normalizeHeader('Prix TTC (€)'), 'prix ttc');
    assert.equal(normalizeHeader('Quantité'), 'quantite');
    assert.equal(normalizeHeader('EAN-13'), 'ean 13');
  });

  it('maps French headers', () => {
    const headers = [
      'Référence',
      'Désignation',
      'Descriptif',
      'Marque',
      'Prix TTC',
      'Devise',
      'Catégorie',
      'Visuel',
      'Code-barre',
      'Quantité',
      'Lien',
      'Couleur',
    ];
    assert.deepEqual(detectMapping(headers, null), {
      Référence: 'sku',
      Désignation: 'name',
      Descriptif: 'description',
      Marque: 'brand',
      'Prix TTC': 'price',
      Devise: 'currency',
      Catégorie: 'category',
      Visuel: 'image',
      'Code-barre': 'ean',
      Quantité: 'stock',
      Lien: 'url',
      Couleur: 'attribute',
    });
  });

  it('maps English headers', () => {
    const headers = [
      'Item Number',
      'Product Name',
      'Description',
      'Manufacturer',
      'Unit Price',
      'Currency',
      'Category',
      'image_url',
      'GTIN',
      'Qty',
      'Product URL',
      'Material',
    ];
    assert.deepEqual(Object.values(detectMapping(headers, null)), [
      'sku',
      'name',
      'description',
      'brand',
      'price',
      'currency',
      'category',
      'image',
      'ean',
      'stock',
      'url',
      'attribute',
    ]);
  });

  it('gives each field one header: the best-ranked name, then the first in the file; the others are attributes', () => {
    assert.deepEqual(detectMapping(['id', 'title', 'sku', 'name', 'Photo', 'Image'], null), {
      id: 'attribute',
      title: 'attribute',
      sku: 'sku',
      name: 'name',
      Photo: 'attribute',
      Image: 'image',
    });
    assert.deepEqual(detectMapping(['Prix', 'prix (2)'], null), { Prix: 'price', 'prix (2)': 'attribute' });
  });

  it('lets a saved mapping win for the headers it names, exactly or once normalized', () => {
    const saved = { 'Code interne': 'sku', Titre: 'ignore', 'PRIX PUBLIC': 'price' } as const;
    assert.deepEqual(detectMapping(['Référence', 'Code interne', 'Titre', 'Nom', 'Prix', 'prix public'], saved), {
      Référence: 'attribute', // sku is taken by the saved mapping
      'Code interne': 'sku',
      Titre: 'ignore',
      Nom: 'name',
      Prix: 'attribute',
      'prix public': 'price',
    });
  });

  it('reports the missing required fields', () => {
    assert.deepEqual(missingRequiredFields(detectMapping(['Référence', 'Nom'], null)), []);
    assert.deepEqual(missingRequiredFields(detectMapping(['Nom', 'Prix'], null)), ['sku']);
    assert.deepEqual(missingRequiredFields({ a: 'attribute' }), ['sku', 'name']);
  });
});
