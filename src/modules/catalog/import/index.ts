/**
 * Catalog files in, normalized products out: `openCatalog` reads CSV, XLSX, JSON and NDJSON as streams of
 * RawRows; `detectMapping` maps headers to product fields; `mapRow` turns a RawRow into a ProductInput or
 * its row errors; `csvCell` writes a value safely into a CSV. See README.md in this folder.
 */
import type { DetectMapping, MapRow, OpenCatalog } from './catalog-reader.js';
import { detectMapping as detect } from './detect-mapping.js';
import { mapRow as map } from './map-row.js';
import { openCatalog as openFile } from './open-catalog.js';

export type {
  CatalogReader,
  ColumnMapping,
  DetectMapping,
  MapRow,
  MapRowResult,
  OpenCatalog,
  OpenCatalogOptions,
  OpenStream,
  RawRow,
} from './catalog-reader.js';
export const openCatalog: OpenCatalog = openFile;
export const detectMapping: DetectMapping = detect;
export const mapRow: MapRow = map;
export { HEADER_NAMES, missingRequiredFields, normalizeHeader } from './detect-mapping.js';
export { csvCell } from './csv-cell.js';
export { DEFAULT_MAX_BYTES, MAX_ROW_CHARS } from './limits.js';
export { XLSX_LIMITS } from './inspect-xlsx.js';
