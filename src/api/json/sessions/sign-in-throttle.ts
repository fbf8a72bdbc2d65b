/**
 * Slows guessing at POST /api/v1/session (D33): failed sign-ins are counted per access key id and per client
 * address over a window that starts at the first failure; once either count reaches its limit, sign-ins for that
 * key or from that address are refused (429 with Retry-After) until the window ends, right secret or not. A
 * success forgets the key's failures (not the address's: one's own key must not wipe the count of guesses at
 * others'). Counts are this server's own, in memory, at most `maxEntries` of them (the oldest go first):
 * a modest brake on online guessing, not an account lockout shared between servers.
 */

export interface SignInThrottleOptions {
  /** The clock, ms since the epoch. */
  readonly now: () => number;
  /** Failures per access key id within a window before it is refused. Default 10. */
  readonly perKey?: number;
  /** Failures per client address within a window before it is refused. Default 50 (a NAT hides many users). */
  readonly perAddress?: number;
  /** The window, from its first failure. Default 15 minutes. */
  readonly windowMs?: number;
  /** Counters kept at most. Default 10,000. */
  readonly maxEntries?: number;
}

interface Count {
  failures: number;
  readonly until: number;
}

export class SignInThrottle {
  private readonly counts = new Map<string, Count>();
  private readonly perKey: number;
  private readonly perAddress: number;
  private readonly windowMs: number;
  private readonly maxEntries: number;

  constructor(private readonly options: SignInThrottleOptions) {
    this.perKey = options.perKey ?? 10;
    this.perAddress = options.perAddress ?? 50;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** Seconds until a sign-in for the key from the address may be tried again; undefined when it may now. */
  retryAfterSeconds(accessKeyId: string, address: string): number | undefined {
    const now = this.options.now();
    let until = 0;
    for (const [name, limit] of [
      [`key:${accessKeyId}`, this.perKey],
      [`ip:${address}`, this.perAddress],
    ] as const) {
      const count = this.live(name, now);
      if (count !== undefined && count.failures >= limit) until = Math.max(until, count.until);
    }
    return until > now ? Math.max(1, Math.ceil((until - now) / 1000)) : undefined;
  }

  failed(accessKeyId: string, address: string): void {
    const now = this.options.now();
    for (const name of [`key:${accessKeyId}`, `ip:${address}`]) {
      const count = this.live(name, now);
      if (count !== undefined) count.failures += 1;
      else this.add(name, { failures: 1, until: now + this.windowMs }, now);
    }
  }

  succeeded(accessKeyId: string): void {
    this.counts.delete(`key:${accessKeyId}`);
  }

  private live(name: string, now: number): Count | undefined {
    const count = this.counts.get(name);
    if (count === undefined || count.until > now) return count;
    this.counts.delete(name);
    return undefined;
  }

  private add(name: string, count: Count, now: number): void {
    if (this.counts.size >= this.maxEntries) {
      for (const [other, c] of this.counts) if (c.until <= now) this.counts.delete(other);
      // Still full: the oldest counters go (a Map iterates in insertion order).
      for (const other of this.counts.keys()) {
        if (this.counts.size < this.maxEntries) break;
        this.counts.delete(other);
      }
    }
    this.counts.set(name, count);
  }
}
