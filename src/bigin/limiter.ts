import { BiginQueueFullError } from "./errors.js";

/**
 * A counting semaphore with a bounded FIFO wait queue. A released slot is handed straight to the
 * oldest waiter, so a caller arriving in between cannot take it first.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private max: number,
    readonly queueLimit: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  get limit(): number {
    return this.max;
  }

  /** Resolves when a slot is free; throws BiginQueueFullError when the queue is full. */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.active < this.max && this.waiting.length === 0) {
      this.active += 1;
      return;
    }
    if (this.waiting.length >= this.queueLimit) throw new BiginQueueFullError(this.queueLimit);
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(grant);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  /** Counts a slot taken elsewhere (e.g. a lease of a shared budget), whatever the cap. */
  take(): void {
    this.active += 1;
  }

  release(): void {
    this.active -= 1;
    this.grant();
  }

  /** A new cap; waiters it makes room for are let through at once. */
  setLimit(max: number): void {
    this.max = max;
    this.grant();
  }

  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }

  private grant(): void {
    while (this.active < this.max && this.waiting.length > 0) {
      this.active += 1;
      this.waiting.shift()!();
    }
  }
}
