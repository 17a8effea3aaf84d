import { BiginQueueFullError } from "./errors.js";

/** A counting semaphore with a bounded wait queue. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly max: number,
    readonly queueLimit: number,
  ) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves when a slot is free; throws BiginQueueFullError when the queue is full. */
  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.active < this.max) {
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
    this.active += 1;
  }

  release(): void {
    this.active -= 1;
    this.waiting.shift()?.();
  }

  get idle(): boolean {
    return this.active === 0 && this.waiting.length === 0;
  }
}

/** One Limiter per key (a hash of the access token), dropped when idle. */
export class KeyedLimiter {
  private readonly limiters = new Map<string, Limiter>();

  constructor(
    private readonly max: number,
    private readonly queueLimit: number,
  ) {}

  async run<T>(key: string, signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new Limiter(this.max, this.queueLimit);
      this.limiters.set(key, limiter);
    }
    try {
      await limiter.acquire(signal);
    } catch (error) {
      if (limiter.idle) this.limiters.delete(key);
      throw error;
    }
    try {
      return await task();
    } finally {
      limiter.release();
      if (limiter.idle) this.limiters.delete(key);
    }
  }

  stats(): { inFlight: number; queued: number } {
    let inFlight = 0;
    let queued = 0;
    for (const limiter of this.limiters.values()) {
      inFlight += limiter.inFlight;
      queued += limiter.queued;
    }
    return { inFlight, queued };
  }
}
