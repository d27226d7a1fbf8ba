// The `lab ssh` line progress prints: the next step's commands as one script that runs each of them, heredocs included.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { oneScript, sshLine } from './progress.js';

describe('the next step as one script', () => {
  it('one-line commands are joined with "; " after set -e', () => {
    expect(sshLine('lvs-nat', 'proxy', ['sysctl -w net.ipv4.ip_forward=1', 'ipvsadm -A -t 192.168.4.5:80 -s wrr'], { instance: 's1' })).toBe(
      "lab ssh lvs-nat proxy --instance s1 -- 'set -e; sysctl -w net.ipv4.ip_forward=1; ipvsadm -A -t 192.168.4.5:80 -s wrr'",
    );
  });

  it('a heredoc followed by more commands: every command runs (as the TUN real servers\' tunnel step needs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-oneScript-'));
    try {
      const script = oneScript(['set -e', `cat > ${dir}/unit <<'LAB_EOF'\n[Service]\nType=oneshot\nLAB_EOF`, `echo after > ${dir}/after`, `cat > ${dir}/last <<'LAB_EOF'\nx\nLAB_EOF`]);
      const r = await execa('sh', ['-c', script], { reject: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(readFileSync(`${dir}/unit`, 'utf8')).toBe('[Service]\nType=oneshot\n');
      expect(readFileSync(`${dir}/after`, 'utf8')).toBe('after\n');
      expect(readFileSync(`${dir}/last`, 'utf8')).toBe('x\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
