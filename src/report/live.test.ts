// The live views cut each line to the terminal's width by display width, never inside an escape sequence, and treat
// a terminal that reports 0 columns as one of unknown width.
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LiveClassroom } from '../classroom/live.js';
import { LiveView } from './live.js';
import { columnsOf, fit } from './style.js';

/** A terminal of `columns` that keeps what is written. */
function terminal(columns: number | undefined) {
  const out = { columns, text: '', write: (t: string) => ((out.text += t), true) };
  return out;
}

/** The lines of the last frame, each without its clear-line prefix. */
function lastFrame(text: string, rows: number): string[] {
  return text.split('\n').slice(-rows - 1, -1).map((l) => l.replace(/^(\x1b\[\d+A)?\x1b\[2K/, ''));
}

/** Every escape sequence is whole, and a line that opens a color closes it. */
function wellFormed(line: string): void {
  const escapes = line.split('\x1b').slice(1);
  for (const e of escapes) expect(e, JSON.stringify(line)).toMatch(/^\[[0-9;]*m/);
  const last = [...line.matchAll(/\x1b\[([0-9;]*)m/g)].at(-1);
  if (last) expect(['0', '39', '22', '49'], JSON.stringify(line)).toContain(last[1]);
}

describe('live views on a narrow terminal', () => {
  it('a failed host with a long red error: each line fits 30 columns, colors closed', () => {
    const tty = terminal(30);
    const view = new LiveView(['web1', 'proxy'], tty as unknown as NodeJS.WriteStream);
    const error = 'cannot connect to root@127.0.0.1:40022: Timed out while waiting for handshake';
    view.onEvent({ type: 'host', host: 'web1', phase: 'done', result: { host: 'web1', unreachable: true, ms: 1234, tasks: [], error } });
    view.stop();
    const lines = lastFrame(tty.text, 2);
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(stripVTControlCharacters(l).length, l).toBeLessThanOrEqual(29);
      wellFormed(l);
    }
    expect(stripVTControlCharacters(lines[0]!)).toMatch(/^✗ web1 .*…$/);
  });

  it('a terminal that says 0 columns is one of unknown width: lines are not cut to nothing', () => {
    expect(columnsOf({ columns: 0 })).toBe(100);
    expect(columnsOf(undefined, 160)).toBe(160);
    expect(columnsOf({ columns: 42 })).toBe(42);
    const tty = terminal(0);
    const view = new LiveView(['web1'], tty as unknown as NodeJS.WriteStream);
    view.stop();
    expect(stripVTControlCharacters(lastFrame(tty.text, 1)[0]!)).toMatch(/ web1 +waiting$/);
  });

  it('the classroom view: every line fits, colors closed', () => {
    const tty = terminal(24);
    const view = new LiveClassroom(3, 'lab up lvs-nat', tty);
    for (const s of ['alice', 'bob', 'carol']) view.onEvent({ type: 'start', student: s });
    view.stop();
    const text = tty.text.split('\n').filter((l) => l.includes('\x1b[2K') && stripVTControlCharacters(l).trim() !== '');
    expect(text.length).toBeGreaterThan(0);
    for (const raw of text) {
      const l = raw.replace(/^(\x1b\[\d+A)?\x1b\[2K/, '');
      expect(stripVTControlCharacters(l).length, l).toBeLessThanOrEqual(23);
      wellFormed(l);
    }
  });

  it('fit cuts by display width: wide characters count two', () => {
    expect(stripVTControlCharacters(fit('负载均衡调度算法', 9))).toBe('负载均衡…');
    expect(fit('short', 10)).toBe('short');
  });
});
