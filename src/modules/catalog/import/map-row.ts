import type { ColumnMapping, ProductField, ProductInput, RowError } from '../model.js';
import type { MapRowResult, RawRow } from './catalog-reader.js';
import { gtinProblem } from './gtin.js';
import { currencyCode, parsePrice, toMinorUnits } from './price.js';

export const SKU_MAX = 128;
export const NAME_MAX = 300;
export const URL_MAX = 2048;
const DEFAULT_CURRENCY = 'EUR';

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
  const { line } = row;
  const errors: RowError[] = [...(row.errors ?? [])];
  const fail = (column: string | null, reason: string) => errors.push({ line, column, reason });
  const cells = new Map<ProductField, Cell[]>();
  const attributes: Record<string, string> = {};
  for (const [header, value] of Object.entries(row.values)) {
    const field = mapping[header] ?? 'attribute';
    if (field === 'ignore' || value === null) continue;
    const text = value.trim();
    if (text === '') continue;
    if (field === 'attribute') {
      attributes[header] = text;
      continue;
    }
    const list = row.lists?.[header];
    const found = cells.get(field);
    const cell = { header, text, list };
    if (found) found.push(cell);
    else cells.set(field, [cell]);
  }
  const first = (field: ProductField): Cell | undefined => cells.get(field)?.[0];
  const single = (field: ProductField): Cell | undefined => {
    const cell = first(field);
    if (cell?.list && cell.list.length > 1) {
      fail(cell.header, `A list is not accepted for the ${field}`);
      return undefined;
    }
    return cell;
  };
  const headerOf = (field: ProductField): string | null => Object.entries(mapping).find(([, f]) => f === field)?.[0] ?? null;

  const skuCell = single('sku');
  const sku = skuCell?.text ?? '';
  if (!skuCell) fail(headerOf('sku'), 'The SKU is missing');
  else if (sku.length > SKU_MAX) fail(skuCell.header, `The SKU is longer than ${SKU_MAX} characters`);
  else if (CONTROL.test(sku)) fail(skuCell.header, 'The SKU contains a line break or a control character');

  const nameCell = single('name');
  const name = nameCell?.text ?? '';
  if (!nameCell) fail(headerOf('name'), 'The name is missing');
  else if (name.length > NAME_MAX) fail(nameCell.header, `The name is longer than ${NAME_MAX} characters`);

  let currency: string | null = null;
  const currencyCell = single('currency');
  if (currencyCell) {
    currency = currencyCode(currencyCell.text);
    if (!currency) fail(currencyCell.header, `"${currencyCell.text}" is not an ISO 4217 currency code`);
  }

  let priceMinor: number | null = null;
  const priceCell = single('price');
  if (priceCell) {
    const parsed = parsePrice(priceCell.text);
    if (!parsed.ok) {
      fail(priceCell.header, parsed.reason);
    } else if (parsed.currency && currency && parsed.currency !== currency) {
      fail(priceCell.header, `The price is in ${parsed.currency} but the currency column says ${currency}`);
    } else if (!currencyCell || currency) {
      currency = currency ?? parsed.currency ?? DEFAULT_CURRENCY;
      const minor = toMinorUnits(parsed.amount, currency);
      if (typeof minor === 'string') fail(priceCell.header, minor);
      else priceMinor = minor;
    }
  }
  if (priceMinor === null) currency = null;

  let category: string[] = [];
  const categoryCell = first('category');
  if (categoryCell) {
    const parts = categoryCell.list ?? categoryCell.text.split(/[>/]/);
    category = parts.map((p) => p.trim()).filter((p) => p !== '');
  }

  let ean: string | null = null;
  const eanCell = single('ean');
  if (eanCell) {
    const digits = eanCell.text.replace(SPACES, '');
    const problem = gtinProblem(digits);
    if (problem) fail(eanCell.header, problem);
    else ean = digits;
  }

  let stock: number | null = null;
  const stockCell = single('stock');
  if (stockCell) {
    const parsed = parseStock(stockCell.text);
    if (typeof parsed === 'string') fail(stockCell.header, parsed);
    else stock = parsed;
  }

  let url: string | null = null;
  const urlCell = single('url');
  if (urlCell) {
    if (httpUrl(urlCell.text)) url = urlCell.text;
    else fail(urlCell.header, 'The URL must be an http(s) address');
  }

  const imageUrls: string[] = [];
  for (const cell of cells.get('image') ?? []) {
    const urls = (cell.list ?? [cell.text]).flatMap((t) => t.split(/[|;\s]+/)).filter((u) => u !== '');
    const bad = urls.filter((u) => !httpUrl(u));
    if (bad.length) fail(cell.header, `Image URLs must be http(s) addresses (${bad.slice(0, 3).join(', ')})`);
    for (const u of urls) if (!bad.includes(u) && !imageUrls.includes(u)) imageUrls.push(u);
  }

  if (errors.length) return { ok: false, errors };
  const text = (field: ProductField): string | null => first(field)?.text ?? null;
  const product: ProductInput = {
    sku,
    name,
    description: text('description'),
    brand: text('brand'),
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
