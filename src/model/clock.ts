/**
 * The one clock every time-based check reads (shared/DESIGN.md decision 6). It follows the system clock plus an
 * offset that only moves forward, so tests and users can advance time and watch credentials expire.
 */
export interface Clock {
  now(): Date;
}

export class AdjustableClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves time forward; never backward, so expiries already passed stay passed. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('the clock only moves forward');
    this.offsetMs += seconds * 1000;
  }

  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }
}
