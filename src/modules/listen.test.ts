// The listen module on Debian's real ports.conf (recorded on a lab VM): the port IPVS sends to, and nothing else touched.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/unit/recorded.js';
import type { Facts } from '../facts/types.js';
import { detectOs } from '../os/families.js';
import { listenAfter, listenChange, listenEdit, listenLines, listenModule } from './listen.js';

const PORTS = fixture('debian12/apache2-ports.conf');
const debian = detectOs(fixture('debian12/os-release'))!;
const FILE = '/etc/apache2/ports.conf';

function ctx(content: string | null, state: Record<string, string> = {}) {
  const facts = { files: new Map([[FILE, content === null ? null : { mode: '0644', content: Buffer.from(content) }]]), state: new Map(Object.entries(state)) } as unknown as Facts;
  return { facts, os: debian, hostName: 'web1' };
}

describe('listen', () => {
  it('reads only the top-level Listen lines (not the TLS ones inside <IfModule>)', () => {
    expect(listenLines(PORTS)).toEqual([{ line: 5, text: 'Listen 80', port: 80 }]);
    expect(listenLines('Listen 0.0.0.0:8080\nListen [::]:81 http\n')).toEqual([
      { line: 1, text: 'Listen 0.0.0.0:8080', port: 8080 },
      { line: 2, text: 'Listen [::]:81 http', port: 81 },
    ]);
  });

  it('the stock file on port 80: nothing to do', () => {
    expect(listenChange(ctx(PORTS), { service: 'httpd', port: 80 })).toBeUndefined();
  });

  it('moved to 8080 by a student: line 5 back to Listen 80, then a restart only if it runs; the old port recorded', () => {
    const c = listenChange(ctx(PORTS.replace('Listen 80\n', 'Listen 8080\n')), { service: 'httpd', port: 80 })!;
    expect(c.title).toBe('apache2 listens on port 80: Listen 80 in /etc/apache2/ports.conf (line 5: Listen 8080)');
    expect(c.commands).toEqual(["sed -i -e '5s/.*/Listen 80/' /etc/apache2/ports.conf", 'systemctl try-restart apache2']);
    expect(c.record).toEqual({ 'listen./etc/apache2/ports.conf': '8080' });
  });

  it('an extra Listen line is deleted by its number; a file with none gets one appended', () => {
    expect(listenEdit(FILE, 'Listen 80\n\nListen 8080\n', [80])).toBe('sed -i -e 3d /etc/apache2/ports.conf');
    expect(listenEdit(FILE, '# no listen\n', [80])).toBe("printf 'Listen %s\\n' 80 >> /etc/apache2/ports.conf");
  });

  it('before the package is installed: nothing for 80 (the stock file), a guarded edit for another port', () => {
    expect(listenChange(ctx(null), { service: 'httpd', port: 80 })).toBeUndefined();
    expect(listenChange(ctx(null), { service: 'httpd', port: 8080 })!.commands).toEqual(["sed -i 's/^Listen[[:space:]].*/Listen 8080/' /etc/apache2/ports.conf", 'systemctl try-restart apache2']);
  });

  it('down puts back the recorded port', () => {
    const c = listenModule.down({ service: 'httpd', port: 80 }, ctx(PORTS, { [`listen.${FILE}`]: '8080' }) as never);
    expect(c.map((x) => x.commands)).toEqual([["sed -i -e '5s/.*/Listen 8080/' /etc/apache2/ports.conf", 'systemctl try-restart apache2']]);
  });

  it('fills {port} from the spec and refuses a value that is not a port', () => {
    expect(listenModule.bind({ service: 'httpd', port: '{port}' } as never, { port: '8080' }, {} as never)).toEqual({ service: 'httpd', port: 8080 });
    expect(() => listenModule.bind({ service: 'httpd', port: '{host}' } as never, { host: 'web1' }, {} as never)).toThrow(/not a port number/);
  });
});

describe('listen: plan --diff shows what the sed does', () => {
  const cases: [string, string, number[]][] = [
    ['the recorded ports.conf moved to 8080', PORTS, [8080]],
    ['two Listen lines down to one', 'a\nListen 81\nb\nListen 82\nc\n', [80]],
    ['none, one appended', '# nothing\n', [80]],
    ['one with an address, rewritten', 'Listen 0.0.0.0:8080\n', [80]],
  ];
  for (const [name, content, ports] of cases)
    it(`${name}: listenAfter is the file the real sed and printf leave`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'lab-listen-'));
      try {
        const file = join(dir, 'ports.conf');
        writeFileSync(file, content);
        const edit = listenEdit(file, content, ports)!;
        const r = spawnSync('/bin/sh', ['-c', edit], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        expect(listenAfter(content, ports)).toBe(readFileSync(file, 'utf8'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

  it("the change carries a unified diff of ports.conf: Listen 80 out, Listen 8080 in", () => {
    const change = listenChange(ctx(PORTS), { service: 'httpd', port: 8080 })!;
    expect(change.diff).toContain(`--- ${FILE}\n+++ ${FILE}\n`);
    expect(change.diff).toMatch(/^-Listen 80$/m);
    expect(change.diff).toMatch(/^\+Listen 8080$/m);
  });
});
