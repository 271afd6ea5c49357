import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SearchEngine, type EngineState, type SearchEngineOptions, type StoredArray } from './engine.js';

/**
 * Snapshots of the embedded index, so that start-up loads the index and catches up from the change feed after the
 * snapshot's seq instead of rebuilding it from the whole feed.
 *
 * One file, `<dir>/index.snap`: the typed arrays one after the other (8-byte aligned), then a JSON trailer (format
 * version, seq, the engine's strings — vocabulary, product ids, folded names, facet values — and where each array
 * is), its byte length, the version and a magic. Product ids and folded names (two strings per document) are
 * stored as UTF-8 after their byte lengths, not in the JSON. The trailer holds a SHA-1 of everything before it. Written to a
 * temporary file in the same directory, fsynced, then renamed: a reader sees the old snapshot or the new one.
 * A missing, truncated, corrupted or other-version snapshot reads as null: the caller rebuilds from the feed.
 */

export const SNAPSHOT_VERSION = 1;
const MAGIC = Buffer.from('ATSRCH01', 'latin1');
const FILE = 'index.snap';

type ArrayType = 'f64' | 'u32' | 'i32' | 'u8';
interface Trailer {
  version: number;
  seq: number;
  sha1: string;
  meta: EngineState['meta'];
  arrays: { name: string; type: ArrayType; offset: number; length: number }[];
  /** String lists: a Uint32Array of UTF-8 byte lengths at `offset`, then the bytes (`bytes` in all). */
  strings: { name: 'ids' | 'names'; offset: number; count: number; bytes: number }[];
}

const typeOf = (a: StoredArray): ArrayType =>
  a instanceof Float64Array ? 'f64' : a instanceof Uint32Array ? 'u32' : a instanceof Int32Array ? 'i32' : 'u8';

/** Writes the engine's snapshot at `seq` (the last change-feed seq applied) under `dir`; returns its size in bytes. */
export function writeSnapshot(dir: string, engine: SearchEngine, seq: number): number {
  const state = engine.exportState();
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, FILE);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    const sha1 = createHash('sha1');
    let offset = 0;
    // Small arrays (a posting list per term) go through a 4 MiB staging buffer: one write per 4 MiB.
    const stage = Buffer.allocUnsafe(4 << 20);
    let staged = 0;
    const flush = (): void => {
      let done = 0;
      while (done < staged) done += fs.writeSync(fd, stage, done, staged - done);
      staged = 0;
    };
    const put = (bytes: Uint8Array): void => {
      sha1.update(bytes);
      offset += bytes.length;
      if (staged + bytes.length > stage.length) flush();
      if (bytes.length > stage.length) {
        let done = 0;
        while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
      } else {
        stage.set(bytes, staged);
        staged += bytes.length;
      }
    };
    const arrays: Trailer['arrays'] = [];
    for (const [name, a] of Object.entries(state.arrays)) {
      const pad = (8 - (offset % 8)) % 8;
      if (pad) put(new Uint8Array(pad));
      const segments = Array.isArray(a) ? a : [a];
      const length = segments.reduce((n, x) => n + x.length, 0);
      arrays.push({ name, type: Array.isArray(a) ? 'u32' : typeOf(a), offset, length });
      for (const x of segments) put(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    }
    const strings: Trailer['strings'] = [];
    for (const name of ['ids', 'names'] as const) {
      const list = state.strings[name];
      const lengths = new Uint32Array(list.length);
      let bytes = 0;
      list.forEach((x, i) => {
        lengths[i] = Buffer.byteLength(x, 'utf8');
        bytes += lengths[i];
      });
      const pad = (8 - (offset % 8)) % 8;
      if (pad) put(new Uint8Array(pad));
      strings.push({ name, offset, count: list.length, bytes });
      put(new Uint8Array(lengths.buffer));
      for (const x of list) put(Buffer.from(x, 'utf8'));
    }
    flush();
    const trailer: Trailer = {
      version: SNAPSHOT_VERSION,
      seq,
      sha1: sha1.digest('hex'),
      meta: state.meta,
      arrays,
      strings,
    };
    const json = Buffer.from(JSON.stringify(trailer), 'utf8');
    const tail = Buffer.alloc(16);
    tail.writeUInt32LE(json.length, 0);
    tail.writeUInt32LE(SNAPSHOT_VERSION, 4);
    MAGIC.copy(tail, 8);
    for (const b of [json, tail]) {
      let done = 0;
      while (done < b.length) done += fs.writeSync(fd, b, done, b.length - done);
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  return fs.statSync(file).size;
}

/** The snapshot under `dir` and its seq, or null when there is none or it cannot be trusted (then rebuild). */
export function readSnapshot(
  dir: string,
  options: SearchEngineOptions = {},
): { engine: SearchEngine; seq: number; bytes: number } | null {
  const file = path.join(dir, FILE);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return null;
  }
  try {
    if (buf.length < 16 || !buf.subarray(buf.length - 8).equals(MAGIC)) return null;
    if (buf.readUInt32LE(buf.length - 12) !== SNAPSHOT_VERSION) return null;
    const jsonLength = buf.readUInt32LE(buf.length - 16);
    const bodyLength = buf.length - 16 - jsonLength;
    if (bodyLength < 0) return null;
    const trailer = JSON.parse(buf.subarray(bodyLength, bodyLength + jsonLength).toString('utf8')) as Trailer;
    if (trailer.version !== SNAPSHOT_VERSION) return null;
    if (createHash('sha1').update(buf.subarray(0, bodyLength)).digest('hex') !== trailer.sha1) return null;
    // Typed-array views need aligned offsets: the body is used in place when the buffer starts 8-byte aligned.
    const body = buf.byteOffset % 8 === 0 ? buf : Buffer.from(buf);
    const arrays: Record<string, StoredArray> = {};
    for (const a of trailer.arrays) {
      const at = body.byteOffset + a.offset;
      const size = { f64: 8, u32: 4, i32: 4, u8: 1 }[a.type];
      if (a.offset + a.length * size > bodyLength) return null;
      arrays[a.name] =
        a.type === 'f64'
          ? new Float64Array(body.buffer, at, a.length)
          : a.type === 'u32'
            ? new Uint32Array(body.buffer, at, a.length)
            : a.type === 'i32'
              ? new Int32Array(body.buffer, at, a.length)
              : new Uint8Array(body.buffer, at, a.length);
    }
    const lists: Record<string, string[]> = {};
    for (const x of trailer.strings) {
      if (x.offset + x.count * 4 + x.bytes > bodyLength) return null;
      const lengths = new Uint32Array(body.buffer, body.byteOffset + x.offset, x.count);
      const list = new Array<string>(x.count);
      let at = x.offset + x.count * 4;
      for (let i = 0; i < x.count; i++) {
        list[i] = body.toString('utf8', at, at + lengths[i]!);
        at += lengths[i]!;
      }
      lists[x.name] = list;
    }
    if (!lists.ids || !lists.names) return null;
    return {
      engine: SearchEngine.importState({ meta: trailer.meta, arrays, strings: { ids: lists.ids, names: lists.names } }, options),
      seq: trailer.seq,
      bytes: buf.length,
    };
  } catch {
    return null;
  }
}
