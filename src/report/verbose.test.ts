// lab up -v / -vv: a task's commands as it starts them, and with -vv what they printed, each line under its host.
import { describe, expect, it } from 'vitest';
import { styler } from './style.js';
import { eventLine } from './converge.js';
import type { TaskResult } from '../run/types.js';

const s = styler(false);
const task: TaskResult = {
  label: 'forwarding: 192.168.4.15 on tunl0',
  status: 'pending',
  changes: [{ title: '192.168.4.15/32 on tunl0, up', commands: ['ip link set tunl0 up', "cat > /etc/x <<'LAB_EOF'\na\nLAB_EOF"] }],
};

describe('lab up -v and -vv', () => {
  it('without -v a task that starts prints nothing; its result is one line', () => {
    expect(eventLine({ type: 'run', host: 'web1', task }, s)).toBeUndefined();
    expect(eventLine({ type: 'task', host: 'web1', task: { ...task, status: 'changed', ms: 300, output: 'x' } }, s)).toBe('web1: changed forwarding: 192.168.4.15 on tunl0 (192.168.4.15/32 on tunl0, up) 0.3s');
  });

  it('-v: the commands as the task starts, every line of a here-document too', () => {
    expect(eventLine({ type: 'run', host: 'web1', task }, s, 1)!.split('\n')).toEqual([
      'web1: run     forwarding: 192.168.4.15 on tunl0',
      'web1:   $ ip link set tunl0 up',
      "web1:   $ cat > /etc/x <<'LAB_EOF'",
      'web1:   $ a',
      'web1:   $ LAB_EOF',
    ]);
    expect(eventLine({ type: 'task', host: 'web1', task: { ...task, status: 'changed', ms: 300, output: 'x' } }, s, 1)).not.toContain('| x');
  });

  it('-vv: and what they printed, under the result line; a failed task too', () => {
    const failed = eventLine({ type: 'task', host: 'web2', task: { ...task, status: 'failed', error: 'exit 2', output: 'RTNETLINK answers: File exists\nsecond line' } }, s, 2)!;
    expect(failed.split('\n')).toEqual(['web2: FAILED  forwarding: 192.168.4.15 on tunl0: exit 2', 'web2:   | RTNETLINK answers: File exists', 'web2:   | second line']);
  });
});
