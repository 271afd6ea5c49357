import type { ProductChange } from '../../product-store.js';

/** Where changes come from: `SqliteProductStore.changesSince` (works across processes: it reads the database). */
export interface ChangeSource {
  changesSince(afterSeq: number, limit: number): Promise<ProductChange[]>;
}

/** Where changes go: `EmbeddedSearchIndex.applyChanges`. */
export interface ChangeSink {
  applyChanges(changes: readonly ProductChange[]): void;
}

export interface ProductFeedOptions {
  /** Changes read per call. */
  batchSize?: number;
  /** How often `start()` polls when nobody pokes it. */
  pollIntervalMs?: number;
  /** The seq already applied (e.g. from a snapshot); 0 = from the beginning. */
  fromSeq?: number;
  /** Polling errors (the feed keeps polling); default: ignored until the next poll succeeds. */
  onError?: (error: unknown) => void;
}

/**
 * Tails the product store's change feed into the embedded index: `catchUp()` applies everything new (what start-up
 * awaits to rebuild the index), `start()` keeps polling, `poke()` asks for a poll now (after a commit in this process;
 * commits from another process, e.g. an import worker, are seen at the next poll). Only one read runs at a time.
 */
export class ProductFeed {
  private seq: number;
  private running: Promise<number> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;

  constructor(
    private readonly source: ChangeSource,
    private readonly sink: ChangeSink,
    private readonly options: ProductFeedOptions = {},
  ) {
    this.seq = options.fromSeq ?? 0;
    this.batchSize = options.batchSize ?? 5000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
  }

  /** Starts from `seq` (the seq of a loaded snapshot) instead; only before the first read. */
  resumeFrom(seq: number): void {
    if (this.running || this.started || this.seq !== (this.options.fromSeq ?? 0)) {
      throw new Error('resumeFrom() must come before the feed reads');
    }
    this.seq = seq;
  }

  /** The last seq applied. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Applies every change after the last seq; resolves with how many were applied (joins a read in progress). */
  catchUp(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<number> {
    let applied = 0;
    do {
      this.again = false;
      for (;;) {
        const batch = await this.source.changesSince(this.seq, this.batchSize);
        if (batch.length === 0) break;
        this.sink.applyChanges(batch);
        this.seq = batch[batch.length - 1]!.seq;
        applied += batch.length;
        if (batch.length < this.batchSize) break;
      }
    } while (this.again);
    return applied;
  }

  /** Polls every `pollIntervalMs` until `stop()`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(this.pollIntervalMs);
  }

  /** Polls as soon as possible (e.g. right after a commit). */
  poke(): void {
    if (this.started) this.schedule(0);
    else void this.catchUp().catch((e: unknown) => this.options.onError?.(e));
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.catchUp()
        .catch((e: unknown) => this.options.onError?.(e))
        .finally(() => {
          if (this.started && !this.timer) this.schedule(this.pollIntervalMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** Stops polling and waits for a read in progress. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running.catch(() => 0);
  }
}
