// Locks exclude a second holder, and a dead owner's lock is taken over.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLock } from './lock.js';

describe('withLock', () => {
  it('serialises holders and removes the file afterwards', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lab-lock-')), 'l');
    const order: string[] = [];
    const a = withLock(path, { waitMs: 10_000, what: 'x' }, async () => {
      order.push('a1');
      await new Promise((r) => setTimeout(r, 300));
      order.push('a2');
    });
    const b = withLock(path, { waitMs: 10_000, what: 'x' }, async () => {
      order.push('b');
    });
    await Promise.all([a, b]);
    expect(order).toEqual(['a1', 'a2', 'b']);
    expect(existsSync(path)).toBe(false);
  });

  it('waits for a live owner and gives up with one line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lab-lock-')), 'l');
    writeFileSync(path, '1\n');
    await expect(withLock(path, { waitMs: 100, what: 'the image build' }, async () => 1)).rejects.toThrow(/the image build is locked by process 1/);
  });

  it('takes over a dead owner\'s lock', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lab-lock-')), 'l');
    writeFileSync(path, '999999999\n');
    await expect(withLock(path, { waitMs: 100, what: 'x' }, async () => 42)).resolves.toBe(42);
  });
});
