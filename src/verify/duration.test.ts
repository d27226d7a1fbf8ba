// --wait durations: 30s, 2m, 1m30s, 500ms, bare seconds; anything else is a usage error.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads the forms --wait accepts', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('1h')).toBe(3_600_000);
  });

  it('refuses what it cannot read', () => {
    for (const bad of ['', 'soon', '30 s', '2x', 'm2', '-5s']) expect(() => parseDuration(bad)).toThrow(UsageError);
  });
});
