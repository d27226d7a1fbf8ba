// MACs and segments are deterministic, distinct per instance, and follow the documented derivation.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { macFor, machineIdFor, segmentFor } from './identity.js';

describe('identity', () => {
  it('derives the MAC from sha256(instance/host/network)', () => {
    const h = createHash('sha256').update('lvs-nat/proxy/public').digest('hex');
    expect(macFor('lvs-nat', 'proxy', 'public')).toBe(`52:54:00:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`);
    expect(macFor('lvs-nat', 'proxy', 'public')).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(macFor('a', 'proxy', 'public')).not.toBe(macFor('b', 'proxy', 'public'));
  });

  it('gives each instance its own segment per network', () => {
    const a = segmentFor('alice', 'private');
    expect(segmentFor('alice', 'private')).toEqual(a);
    expect(segmentFor('bob', 'private')).not.toEqual(a);
    expect(a.group).toMatch(/^230\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
    expect(a.port).toBeGreaterThanOrEqual(10000);
    expect(a.port).toBeLessThan(30000);
  });

  it('makes a 32-hex machine id', () => {
    expect(machineIdFor('x', 'web1')).toMatch(/^[0-9a-f]{32}$/);
  });
});
