// The student pool: never more than N at once, one student's failure is theirs alone, 40 students × 4 hosts in bounded memory.
import { describe, expect, it } from 'vitest';
import type { Student } from '../roster/load.js';
import { runStudents } from './pool.js';
import { Progress } from './live.js';
import type { ClassroomEvent } from './types.js';

const students = (n: number): Student[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `s${String(i).padStart(2, '0')}`,
    inventory: { lab: 'lvs-nat', source: 'roster', hosts: Object.fromEntries(['client', 'proxy', 'web1', 'web2'].map((h) => [h, { name: h, address: `10.0.${i}.1`, port: 22, user: 'root' }])) },
  }));

describe('runStudents', () => {
  it('runs at most N students at once and keeps every result in roster order', async () => {
    let now = 0;
    let peak = 0;
    const results = await runStudents(students(40), 8, async (s) => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, 2 + (Number(s.name.slice(1)) % 5)));
      now--;
      return { status: 'ok' };
    });
    expect(peak).toBe(8);
    expect(results.map((r) => r.student)).toEqual(students(40).map((s) => s.name));
  });

  it('a student whose job throws fails alone; the others complete', async () => {
    const events: ClassroomEvent[] = [];
    const results = await runStudents(
      students(5),
      2,
      async (s, phase) => {
        phase('working');
        if (s.name === 's01') throw new Error('proxy: internal trouble');
        return { status: s.name === 's03' ? 'unreachable' : 'ok', problem: s.name === 's03' ? 'web1: no route' : undefined };
      },
      (e) => events.push(e),
    );
    expect(results.map((r) => `${r.student}:${r.status}`)).toEqual(['s00:ok', 's01:failed', 's02:ok', 's03:unreachable', 's04:ok']);
    expect(results[1]!.problem).toBe('proxy: internal trouble');
    const p = new Progress(5);
    for (const e of events) p.apply(e);
    expect({ done: p.done, failing: p.failing.map((f) => f.student), running: p.running.size, waiting: p.waiting }).toEqual({ done: 5, failing: ['s01', 's03'], running: 0, waiting: 0 });
  });

  it('the progress view holds counts and names only, whatever the results carry', () => {
    const p = new Progress(40);
    const big = { student: 's00', status: 'ok' as const, ms: 1, hosts: [{ host: 'x', unreachable: false, ms: 1, tasks: Array.from({ length: 1000 }, () => ({ label: 'x'.repeat(100), status: 'ok' as const, changes: [] })) }] };
    for (const s of students(40)) {
      p.apply({ type: 'start', student: s.name });
      p.apply({ type: 'done', student: s.name, result: { ...big, student: s.name } });
    }
    expect(p.done).toBe(40);
    expect(JSON.stringify({ running: [...p.running], failing: p.failing }).length).toBeLessThan(100);
  });
});
