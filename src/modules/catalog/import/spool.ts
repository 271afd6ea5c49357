import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import type { ProductInput } from '../model.js';

/**
 * The accepted rows of pass 1, normalized, in a temp file: pass 2 reads them back instead of parsing the catalog
 * file again. Records are length-prefixed (`uint32` LE) `v8.serialize`d batches of ProductInput. One spool per
 * import id, so a rerun after a crash (which redoes pass 1) overwrites the spool a dead run left behind.
 */
export class ImportSpool {
  private fd: number | null;
  private pending: ProductInput[] = [];
  private count = 0;

  private constructor(
    readonly file: string,
    private readonly rowsPerRecord: number,
  ) {
    this.fd = fs.openSync(file, 'w+', 0o600);
  }

  /** Creates (or truncates) the spool of `importId` in `dir` (default: the OS temp dir). */
  static create(importId: string, dir: string = os.tmpdir(), rowsPerRecord = 1000): ImportSpool {
    return new ImportSpool(path.join(dir, `atelier-import-${importId.replace(/[^\w-]/g, '_')}.spool`), rowsPerRecord);
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.count;
  }

  append(row: ProductInput): void {
    this.pending.push(row);
    this.count += 1;
    if (this.pending.length >= this.rowsPerRecord) this.flush();
  }

  private flush(): void {
    if (!this.pending.length) return;
    const body = v8.serialize(this.pending);
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32LE(body.length, 0);
    fs.writeSync(this.openFd(), head);
    fs.writeSync(this.openFd(), body);
    this.pending = [];
  }

  private openFd(): number {
    if (this.fd === null) throw new Error('The import spool is closed');
    return this.fd;
  }

  /** Every spooled row in append order, in the batches they were written in (the rows not yet flushed last). */
  *batches(): Generator<ProductInput[]> {
    this.flush();
    const fd = this.openFd();
    const head = Buffer.alloc(4);
    let position = 0;
    for (;;) {
      if (fs.readSync(fd, head, 0, 4, position) < 4) return;
      const length = head.readUInt32LE(0);
      const body = Buffer.allocUnsafe(length);
      if (fs.readSync(fd, body, 0, length, position + 4) < length) throw new Error('The import spool is truncated');
      position += 4 + length;
      yield v8.deserialize(body) as ProductInput[];
    }
  }

  /** Closes and deletes the file (idempotent). */
  dispose(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
    fs.rmSync(this.file, { force: true });
  }
}
