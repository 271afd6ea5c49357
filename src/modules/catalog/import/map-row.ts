import type { ColumnMapping, ProductField, ProductInput, RowError } from '../model.js';
import type { MapRowResult, RawRow } from './catalog-reader.js';
import { gtinProblem } from './gtin.js';
import { own, put } from './raw-headers.js';
import { currencyCode, parsePrice, toMinorUnits } from './price.js';

export const SKU_MAX = 128;
export const NAME_MAX = 300;
export const URL_MAX = 2048;
const DEFAULT_CURRENCY = 'EUR';
/** An XLSX formula cell reads as its formula (never evaluated): say so rather than "not a number". */
const FORMULA = (what: string) =>
  `The ${what} is a spreadsheet formula, not a value: export the sheet with values instead of formulas`;
const CATEGORY_SEPARATOR = /[>/]/;
const IMAGE_SEPARATOR = /[|;\s]+/;

const SPACES = /[\s\u00a0\u2007\u2009\u202f]+/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const httpUrl = (text: string): boolean => {
  if (text.length > URL_MAX) return false;
  try {
    const u = new URL(text);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
};

/** `12`, `12,0`, `1 200`, `1,200` → an integer ≥ 0; a lone separator before three digits groups thousands. */
function parseStock(raw: string): number | string {
  const t = raw.replace(SPACES, '');
  if (/^[-−]/.test(t)) return 'The stock cannot be negative';
  let digits: string;
  if (/^\d+$/.test(t)) digits = t;
  else if (/^[1-9]\d{0,2}(,\d{3})+$|^[1-9]\d{0,2}(\.\d{3})+$/.test(t)) digits = t.replace(/[.,]/g, '');
  else if (/^\d+[.,]0+$/.test(t)) digits = t.replace(/[.,]0+$/, '');
  else if (/^\d+[.,]\d+$/.test(t)) return 'The stock must be a whole number';
  else return 'The stock is not a number';
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : 'The stock is too large';
}

interface Cell {
  header: string;
  text: string;
  list: string[] | undefined;
}

type Field = Exclude<ProductField, 'attribute' | 'ignore'>;

/** The cells of one row by field, in header order; built once per row without closures (the hot path). */
type Cells = Partial<Record<Field, Cell[]>>;

function headerOf(mapping: ColumnMapping, field: Field): string | null {
  for (const header of Object.keys(mapping)) if (mapping[header] === field) return header;
  return null;
}

/** The first cell of a single-value field; a JSON list of several values there is an error. */
function single(cells: Cells, field: Field, errors: RowError[], line: number): Cell | undefined {
  const cell = cells[field]?.[0];
  if (cell?.list && cell.list.length > 1) {
    errors.push({ line, column: cell.header, reason: `A list is not accepted for the ${field}` });
    return undefined;
  }
  return cell;
}

/**
 * Normalizes one row after `mapping` (a header it does not name is an attribute). Every problem is
 * reported, each with its column: sku (trimmed, 1–128 characters, no line breaks) and name (≤ 300) are
 * required; other text is trimmed, empty → null; price → minor units of its currency (currency column,
 * else a symbol or code in the price cell, else EUR; ISO 4217); category split on `>` or `/`; EAN/GTIN
 * with a valid check digit; stock an integer ≥ 0; url and images http(s) only, images split on `|`, `;`
 * or spaces; other columns with a value → attributes. When several headers give one field, the first
 * with a value counts (images: all of them). Values that look like formulas are kept as text.
 */
export function mapRow(row: RawRow, mapping: ColumnMapping): MapRowResult {
  const { line, values, lists } = row;
  const errors: RowError[] = row.errors ? [...row.errors] : [];
  const cells: Cells = {};
  const attributes: Record<string, string> = {};
  for (const header of Object.keys(values)) {
    const value = values[header];
    const field = own(mapping, header) ?? 'attribute';
    if (field === 'ignore' || value === null || value === undefined) continue;
    const text = value.trim();
    if (text === '') continue;
    if (field === 'attribute') {
      put(attributes, header, text);
      continue;
    }
    const cell: Cell = { header, text, list: own(lists, header) };
    const found = cells[field];
    if (found) found.push(cell);
    else cells[field] = [cell];
  }

  const skuCell = single(cells, 'sku', errors, line);
  const sku = skuCell?.text ?? '';
  if (!skuCell) {
    if (!cells.sku) errors.push({ line, column: headerOf(mapping, 'sku'), reason: 'The SKU is missing' });
  } else if (sku.length > SKU_MAX) {
    errors.push({ line, column: skuCell.header, reason: `The SKU is longer than ${SKU_MAX} characters` });
  } else if (CONTROL.test(sku)) {
    errors.push({ line, column: skuCell.header, reason: 'The SKU contains a line break or a control character' });
  }

  const nameCell = single(cells, 'name', errors, line);
  const name = nameCell?.text ?? '';
  if (!nameCell) {
    if (!cells.name) errors.push({ line, column: headerOf(mapping, 'name'), reason: 'The name is missing' });
  } else if (name.length > NAME_MAX) {
    errors.push({ line, column: nameCell.header, reason: `The name is longer than ${NAME_MAX} characters` });
  }

  let currency: string | null = null;
  const currencyCell = single(cells, 'currency', errors, line);
  if (currencyCell) {
    currency = currencyCode(currencyCell.text);
    if (!currency) {
      errors.push({ line, column: currencyCell.header, reason: `"${currencyCell.text}" is not an ISO 4217 currency code` });
    }
  }

  let priceMinor: number | null = null;
  const priceCell = single(cells, 'price', errors, line);
  if (priceCell) {
    const parsed = priceCell.text.startsWith('=') ? { ok: false as const, reason: FORMULA('price') } : parsePrice(priceCell.text);
    if (!parsed.ok) {
      errors.push({ line, column: priceCell.header, reason: parsed.reason });
    } else if (parsed.currency && currency && parsed.currency !== currency) {
      const reason = `The price is in ${parsed.currency} but the currency column says ${currency}`;
      errors.push({ line, column: priceCell.header, reason });
    } else if (!currencyCell || currency) {
      currency = currency ?? parsed.currency ?? DEFAULT_CURRENCY;
      const minor = toMinorUnits(parsed.amount, currency);
      if (typeof minor === 'string') errors.push({ line, column: priceCell.header, reason: minor });
      else priceMinor = minor;
    }
  }
  if (priceMinor === null) currency = null;

  const category: string[] = [];
  const categoryCell = cells.category?.[0];
  if (categoryCell) {
    for (const part of categoryCell.list ?? categoryCell.text.split(CATEGORY_SEPARATOR)) {
      const trimmed = part.trim();
      if (trimmed !== '') category.push(trimmed);
    }
  }

  let ean: string | null = null;
  const eanCell = single(cells, 'ean', errors, line);
  if (eanCell) {
    const digits = eanCell.text.replace(SPACES, '');
    const problem = digits.startsWith('=') ? FORMULA('EAN/GTIN') : gtinProblem(digits);
    if (problem) errors.push({ line, column: eanCell.header, reason: problem });
    else ean = digits;
  }

  let stock: number | null = null;
  const stockCell = single(cells, 'stock', errors, line);
  if (stockCell) {
    const parsed = stockCell.text.startsWith('=') ? FORMULA('stock') : parseStock(stockCell.text);
    if (typeof parsed === 'string') errors.push({ line, column: stockCell.header, reason: parsed });
    else stock = parsed;
  }

  let url: string | null = null;
  const urlCell = single(cells, 'url', errors, line);
  if (urlCell) {
    if (httpUrl(urlCell.text)) url = urlCell.text;
    else errors.push({ line, column: urlCell.header, reason: 'The URL must be an http(s) address' });
  }

  const imageUrls: string[] = [];
  for (const cell of cells.image ?? []) {
    const bad: string[] = [];
    for (const item of cell.list ?? [cell.text]) {
      for (const u of item.split(IMAGE_SEPARATOR)) {
        if (u === '') continue;
        if (!httpUrl(u)) bad.push(u);
        else if (!imageUrls.includes(u)) imageUrls.push(u);
      }
    }
    if (bad.length) {
      const reason = `Image URLs must be http(s) addresses (${bad.slice(0, 3).join(', ')})`;
      errors.push({ line, column: cell.header, reason });
    }
  }

  if (errors.length) return { ok: false, errors };
  const product: ProductInput = {
    sku,
    name,
    description: cells.description?.[0]?.text ?? null,
    brand: cells.brand?.[0]?.text ?? null,
    category,
    priceMinor,
    currency,
    imageUrls,
    ean,
    stock,
    url,
    attributes,
  };
  return { ok: true, product };
}
