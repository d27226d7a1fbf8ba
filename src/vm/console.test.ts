// Console tails are one clean line: no escape codes, no control characters, only the last lines.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleTail } from './console.js';

describe('consoleTail', () => {
  it('keeps the last lines, cleaned and joined', () => {
    const p = join(mkdtempSync(join(tmpdir(), 'lab-console-')), 'console.log');
    writeFileSync(p, 'one\r\n\x1b[0;32mtwo\x1b[0m\r\n\n three \nfour\x07\n');
    expect(consoleTail(p, 3)).toBe('two | three | four');
    expect(consoleTail(join(p, 'missing'))).toBe('(no console output)');
  });
});
