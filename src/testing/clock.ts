/**
 * The fake server's clock: creationTimestamp, deletionTimestamp and managedFields times come
 * from it, so a test can pin and advance them. (src/runtime reads Date.now and setTimeout
 * directly; it has no clock seam this could drive — see the README.)
 */
export class FakeClock {
  #now: number;
  #frozen: boolean;

  constructor(start?: Date) {
    this.#now = start ? start.getTime() : Date.now();
    this.#frozen = start !== undefined;
  }

  /** Milliseconds since the epoch: the pinned time, or the real one until pinned. */
  now(): number {
    return this.#frozen ? this.#now : Date.now();
  }

  /** Pins the clock and moves it forward. */
  advance(ms: number): void {
    this.#now = this.now() + ms;
    this.#frozen = true;
  }

  /** Pins the clock at `date`. */
  set(date: Date): void {
    this.#now = date.getTime();
    this.#frozen = true;
  }

  /** RFC 3339 at second precision, as metadata timestamps are. */
  timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
