import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSince } from './since.ts';

const now = new Date('2026-12-05T12:00:00Z');

describe('parseSince', () => {
  it('reads durations back from now', () => {
    assert.equal(parseSince('24h', now)?.toISOString(), '2026-12-04T12:00:00.000Z');
    assert.equal(parseSince('30m', now)?.toISOString(), '2026-12-05T11:30:00.000Z');
    assert.equal(parseSince('7d', now)?.toISOString(), '2026-11-28T12:00:00.000Z');
    assert.equal(parseSince('1w', now)?.toISOString(), '2026-11-28T12:00:00.000Z');
    assert.equal(parseSince('90s', now)?.toISOString(), '2026-12-05T11:58:30.000Z');
  });

  it('reads ISO times', () => {
    assert.equal(parseSince('2026-12-01T00:00:00Z', now)?.toISOString(), '2026-12-01T00:00:00.000Z');
    assert.equal(parseSince('2026-12-01', now)?.toISOString(), '2026-12-01T00:00:00.000Z');
  });

  it('refuses anything else', () => {
    for (const bad of ['', '24', 'h', '1y', '-1h', 'yesterday', '2026-13-45'])
      assert.equal(parseSince(bad, now), undefined, bad);
  });
});
