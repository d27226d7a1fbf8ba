// The fact query asks only for what a host's tasks (or checks) read, and the fact command runs only what it asks for.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixture } from '../../test/unit/recorded.js';
import { parseFacts } from '../facts/parse.js';
import { factScript } from '../facts/script.js';
import type { FactQuery } from '../facts/types.js';
import { playbookSchema, type Playbook } from '../playbook/schema.js';
import { parseLab } from '../spec/load.js';
import { quote } from '../ssh/quote.js';
import { combinedScript } from '../verify/observe.js';
import { emptyQuery, planVerify } from '../verify/plan.js';
import { emptyProbe } from '../verify/probe.js';
import { factQuery } from './facts.js';
import { kmodModule } from '../modules/kmod.js';
import type { HostContext } from '../modules/types.js';

const lab = parseLab('labs/lvs-nat.yaml', fixture('../../labs/lvs-nat.yaml')).lab;
const playbook: Playbook = playbookSchema.parse(parse(fixture('../../playbooks/lvs-nat.yaml')));

const sections = (q: FactQuery) => ({ nm: q.nm, firewallZone: q.firewallZone, selinux: q.selinux, ipvs: q.ipvs });

describe('factQuery: sections from the host tasks', () => {
  it('a client (package curl, connection) asks for packages and NetworkManager only', () => {
    const q = factQuery(lab, playbook, 'client');
    expect(sections(q)).toEqual({ nm: true, firewallZone: false, selinux: false, ipvs: false });
    expect(q.packages).toEqual(['curl']);
    expect(q.services).toEqual([]);
    expect(q.sysctls).toEqual([]);
    expect(q.stateFile).toBe('/var/lib/lab/lvs-nat.state');
  });

  it('a real server asks for its zone, SELinux and profiles, and httpd under both names, but not IPVS', () => {
    const q = factQuery(lab, playbook, 'web1');
    expect(sections(q)).toEqual({ nm: true, firewallZone: true, selinux: true, ipvs: false });
    expect(q.services).toEqual(['apache2', 'httpd']);
    expect(q.sysctls).toEqual([]);
    expect(q.files).toEqual(['/var/www/html/index.html', '/etc/apache2/ports.conf', '/etc/httpd/conf/httpd.conf', '/etc/selinux/config']);
  });

  it('the director asks for every section, its sysctls and the ipvsadm unit', () => {
    const q = factQuery(lab, playbook, 'proxy');
    expect(sections(q)).toEqual({ nm: true, firewallZone: true, selinux: true, ipvs: true });
    expect(q.services).toEqual(['ipvsadm']);
    expect(q.sysctls).toEqual(['net.ipv4.ip_forward', 'net.ipv4.vs.conntrack']);
  });

  it('extra flags and names are added to what the tasks need', () => {
    const q = factQuery(lab, playbook, 'client', { ipvs: true, services: ['httpd'], sysctls: ['net.ipv4.ip_forward'] });
    expect(sections(q)).toEqual({ nm: true, firewallZone: false, selinux: false, ipvs: true });
    expect(q.services).toEqual(['apache2', 'httpd']);
    expect(q.sysctls).toEqual(['net.ipv4.ip_forward']);
  });
});

describe('verify: each host reads only the facts its checks judge', () => {
  const plan = planVerify(lab, playbook);
  const facts = (h: string) => plan.hosts.get(h)!.facts;

  it('NetworkManager on the director alone (its own addresses at boot); never the D-Bus zone; packages nowhere; the rest where a check reads it', () => {
    for (const h of ['client', 'proxy', 'web1', 'web2']) {
      expect(facts(h).nm, h).toBe(h === 'proxy');
      expect(facts(h).firewallZone, h).toBe(false);
      expect(facts(h).packages, h).toEqual([]);
      expect(facts(h).stateFile, h).toBeUndefined();
    }
    expect(facts('client')).toEqual(emptyQuery());
    expect(facts('proxy')).toMatchObject({ ipvs: true, selinux: true, services: ['firewalld'], sysctls: ['net.ipv4.ip_forward', 'net.ipv4.vs.conntrack'], files: ['/etc/selinux/config'] });
    expect(facts('web1')).toMatchObject({ ipvs: false, selinux: true, services: ['apache2', 'httpd', 'firewalld'], sysctls: [], files: ['/etc/apache2/ports.conf', '/etc/httpd/conf/httpd.conf', '/var/www/html/index.html', '/etc/selinux/config'] });
  });

  it('sends no shell functions in front of the fact script', () => {
    const s = combinedScript(facts('client'), plan.hosts.get('client')!.probe);
    expect(s).not.toMatch(/^\w+\(\) \{/m);
    expect(s).not.toContain('nmcli');
    expect(s).not.toContain('busctl');
    expect(s).not.toContain('systemctl');
  });
});

/** Run a fact script under a real /bin/sh with every external command stubbed: which ones ran, in order. */
let bin: string;
const TOOLS = ['cat', 'ip', 'nmcli', 'cut', 'dpkg-query', 'rpm', 'systemctl', 'sysctl', 'stat', 'head', 'base64', 'busctl', 'firewall-cmd', 'getenforce', 'ipvsadm'];

beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'lab-facts-'));
  for (const t of TOOLS) {
    writeFileSync(join(bin, t), `#!/bin/sh\necho ${t} >> ${bin}/ran\nexit 1\n`);
    chmodSync(join(bin, t), 0o755);
  }
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

function ran(script: string): string[] {
  rmSync(join(bin, 'ran'), { force: true });
  execFileSync('/bin/sh', ['-c', script], { env: { PATH: bin } });
  try {
    return [...new Set(readFileSync(join(bin, 'ran'), 'utf8').trim().split('\n'))];
  } catch {
    return [];
  }
}

describe('factScript runs only the sections asked for', () => {
  it('an empty query runs only ip (os-release is read with builtins)', () => {
    expect(ran(factScript(emptyQuery()))).toEqual(['ip']);
  });

  it('every section asked runs its command', () => {
    const q: FactQuery = { packages: ['apache2'], services: ['apache2'], sysctls: ['net.ipv4.ip_forward'], files: ['/x'], stateFile: '/y', nm: true, firewallZone: true, selinux: true, ipvs: true };
    // stat/head/base64 only run for files that exist; here none does. nmcli fails, so no second call.
    // busctl fails here, so NetworkManager's profiles take the two-call fallback; nmcli fails too, so only one call.
    expect(ran(factScript(q))).toEqual(['ip', 'busctl', 'nmcli', 'dpkg-query', 'systemctl', 'sysctl', 'getenforce', 'ipvsadm']);
  });

  it('the client of lvs-nat runs no systemctl, sysctl, getenforce or ipvsadm (busctl only to list NetworkManager\'s profiles)', () => {
    expect(ran(factScript(factQuery(lab, playbook, 'client')))).toEqual(['ip', 'busctl', 'nmcli', 'dpkg-query']);
  });

  it('reads os-release byte for byte as cat did, and passes every listed UUID to the second nmcli call, no cut', () => {
    const nm = mkdtempSync(join(tmpdir(), 'lab-nm-'));
    try {
      // nmcli's list: the NAME field may hold an escaped ':' (nmcli -t escapes it as \:) and spaces.
      writeFileSync(
        join(nm, 'nmcli'),
        [
          '#!/bin/sh',
          'printf "%s\\n" "$*" >> "$(dirname "$0")/calls"',
          'case "$*" in *UUID,DEVICE,NAME*) printf "%s\\n" "1111-aa:ens2:Wired connection 1" "2222-bb::odd\\\\:name x";; esac',
        ].join('\n'),
      );
      chmodSync(join(nm, 'nmcli'), 0o755);
      const q: FactQuery = { ...emptyQuery(), nm: true };
      const out = execFileSync('/bin/sh', ['-c', factScript(q)], { env: { PATH: `${nm}:/usr/bin:/bin` } }).toString();
      const calls = readFileSync(join(nm, 'calls'), 'utf8').trim().split('\n');
      expect(calls).toHaveLength(2);
      expect(calls[1]).toMatch(/connection show 1111-aa 2222-bb$/);
      expect(out).toContain('@@lab nmlist\n1111-aa:ens2:Wired connection 1\n2222-bb::odd\\:name x\n');
      const os = /@@lab os\n([\s\S]*?)\n@@lab ip\n/.exec(out)![1];
      expect(`${os}`).toBe(readFileSync('/etc/os-release', 'utf8'));
    } finally {
      rmSync(nm, { recursive: true, force: true });
    }
  });

  it('the script still ends with the end marker and exits 0', () => {
    const out = execFileSync('/bin/sh', ['-c', factScript(emptyQuery())], { env: { PATH: bin } }).toString();
    expect(out).toMatch(/@@lab os\n[\s\S]*@@lab addr\n[\s\S]*@@lab route\n[\s\S]*@@lab end\n$/);
  });
});

describe('parseFacts: a section not asked for reads as empty', () => {
  it('no profiles, no zone, no SELinux mode, ipvsadm not installed, no state', () => {
    const f = parseFacts(execFileSync('/bin/sh', ['-c', factScript(emptyQuery())], { env: { PATH: bin } }).toString(), emptyQuery());
    expect(f.nm).toBe(false);
    expect(f.connections).toEqual([]);
    expect(f.firewallZone).toBeUndefined();
    expect(f.selinux).toBeUndefined();
    expect(f.ipvs).toEqual({ installed: false, save: '' });
    expect(f.packages.size + f.services.size + f.sysctl.size + f.files.size + f.state.size).toBe(0);
  });

  it('the probe follows the fact script in one exec', () => {
    expect(combinedScript(emptyQuery(), emptyProbe())).toContain('@@verify-begin');
  });
});

describe('files: one batch reads the same facts as one section per file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lab-files-'));
    writeFileSync(join(dir, 'index.html'), '192.168.2.100\n');
    chmodSync(join(dir, 'index.html'), 0o640);
    writeFileSync(join(dir, 'binary'), Buffer.from([0, 1, 2, 255, 10, 0, 13]));
    writeFileSync(join(dir, 'empty'), '');
    writeFileSync(join(dir, 'big'), Buffer.alloc(70_000, 'x'));
    writeFileSync(join(dir, "it's a name"), 'quoted\n');
    execFileSync('ln', ['-s', 'index.html', join(dir, 'link')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** What each file's own section used to print (the command every file had before the batch). */
  function perFile(paths: string[]): string {
    return paths
      .map((f) => `printf '\\n@@lab %s\\n' ${quote(`file ${f}`)}; if [ -f ${quote(f)} ]; then stat -c %a ${quote(f)}; head -c 65536 ${quote(f)} | base64 -w0; echo; fi`)
      .join('\n');
  }

  it('modes, bytes (NULs, no final newline, empty, capped at 64 KiB), symlinks, absent files and /proc', () => {
    const names = ['index.html', 'binary', 'missing', 'empty', 'big', 'link', "it's a name"].map((n) => join(dir, n));
    const q: FactQuery = { ...emptyQuery(), files: [...names, '/proc/self/status'], stateFile: join(dir, 'state') };
    const script = factScript(q);
    expect(script.match(/@@lab files/g)).toHaveLength(1);
    expect(script).toContain("'file /proc/self/status'; if [ -f /proc/self/status ]");
    const batched = parseFacts(execFileSync('/bin/sh', ['-c', script]).toString(), q).files;
    const legacy = parseFacts(execFileSync('/bin/sh', ['-c', perFile([...names, join(dir, 'state')])]).toString(), q).files;
    for (const f of [...names, join(dir, 'state')]) expect(batched.get(f), f).toEqual(legacy.get(f));
    expect(batched.get(join(dir, 'index.html'))).toEqual({ mode: '0640', content: Buffer.from('192.168.2.100\n') });
    expect(batched.get(join(dir, 'big'))?.content.length).toBe(65536);
    expect(batched.get(join(dir, 'missing'))).toBeNull();
    expect(batched.get('/proc/self/status')?.content.toString()).toMatch(/^Name:/);
  });

  it('without a symlink among them, one stat call gives MODE SIZE lines: the same facts again', () => {
    const names = ['index.html', 'binary', 'missing', 'empty', 'big'].map((n) => join(dir, n));
    const q: FactQuery = { ...emptyQuery(), files: names };
    const text = execFileSync('/bin/sh', ['-c', factScript(q)]).toString();
    expect(text).toMatch(/@@lab files\n11011\n640 14\n/);
    const batched = parseFacts(text, q).files;
    const legacy = parseFacts(execFileSync('/bin/sh', ['-c', perFile(names)]).toString(), q).files;
    for (const f of names) expect(batched.get(f), f).toEqual(legacy.get(f));
  });

  it('sizes that do not add up (a file changed while read) are an error, not misattributed bytes', () => {
    const q: FactQuery = { ...emptyQuery(), files: ['/a', '/b'] };
    const out = (sizes: string, data: string) => `@@lab files\n11\n644\n644\n${sizes}\n${Buffer.from(data).toString('base64')}\n@@lab end\n`;
    expect(parseFacts(out('2\n3', 'ab' + 'cde'), q).files.get('/b')?.content.toString()).toBe('cde');
    expect(() => parseFacts(out('2\n3', 'abcdef'), q)).toThrow(/changed while/);
    expect(parseFacts(`@@lab files\n11\n644 2\n600 3\n${Buffer.from('abcde').toString('base64')}\n`, q).files.get('/b')).toEqual({ mode: '0600', content: Buffer.from('cde') });
    expect(() => parseFacts('@@lab files\n1\n@@lab end\n', q)).toThrow(/1 of 2 files/);
  });
});

describe('fewer processes: ip once, paths with builtins', () => {
  const run = (script: string, path = '/usr/sbin:/usr/bin:/sbin:/bin') => execFileSync('/bin/sh', ['-c', script], { env: { PATH: path } }).toString();

  it('one `ip -batch` reads the same addresses and routes as the two calls it replaces', () => {
    const f = parseFacts(run(factScript(emptyQuery())), emptyQuery());
    const two = parseFacts(`@@lab addr\n${run('ip -j addr show')}\n@@lab route\n${run('ip -j route show table main')}\n`, emptyQuery());
    expect(f.links.length).toBeGreaterThan(0);
    expect(f.links).toEqual(two.links);
    expect(f.routes).toEqual(two.routes);
  });

  it('iproute2 without JSON (CentOS 7) gets the two text calls', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-ip-'));
    try {
      writeFileSync(join(dir, 'ip'), ['#!/bin/sh', 'case "$1" in -j) echo \'Option "-j" is unknown, try "ip -help".\' >&2; exit 255;; esac', `case "$1" in addr) cat ${quote(new URL('../../test/fixtures/centos7/ip-addr.txt', import.meta.url).pathname)};; route) cat ${quote(new URL('../../test/fixtures/centos7/ip-route.txt', import.meta.url).pathname)};; esac`].join('\n'));
      chmodSync(join(dir, 'ip'), 0o755);
      const f = parseFacts(run(factScript(emptyQuery()), `${dir}:/usr/bin:/bin`), emptyQuery());
      expect(f.links.map((l) => l.name)).toEqual(['lo', 'eth0', 'eth1']);
      expect(f.routes.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('paths are checked with [ -e ], one flag each, in order, with no process', () => {
    const dir = mkdtempSync(join(tmpdir(), "lab-ex'"));
    try {
      writeFileSync(join(dir, "a 'b"), '');
      const q: FactQuery = { ...emptyQuery(), exists: [join(dir, "a 'b"), join(dir, 'missing'), dir] };
      const script = factScript(q);
      expect(ran(script)).toEqual(['ip']);
      expect([...parseFacts(run(script), q).exists]).toEqual([[join(dir, "a 'b"), true], [join(dir, 'missing'), false], [dir, true]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kmod: loaded is /sys/module/NAME, so a built-in ip_vs is not loaded again on every run', () => {
  const facts = (loaded: boolean) => {
    const q = factQuery(lab, playbook, 'proxy');
    expect(q.exists).toEqual(['/sys/module/ip_vs']);
    expect(q.files).not.toContain('/proc/modules');
    const f = parseFacts(`@@lab os\n${fixture('debian12/os-release')}\n@@lab exists\n${loaded ? 1 : 0}\n`, q);
    return f;
  };
  const kmod = (loaded: boolean) => kmodModule.plan({ names: ['ip_vs'] }, { hostName: 'proxy', lab, facts: facts(loaded) } as HostContext).flatMap((c) => c.commands);

  it('plans modprobe only when /sys/module/ip_vs is absent', () => {
    expect(kmod(false)).toContain('modprobe -a ip_vs');
    expect(kmod(true)).not.toContain('modprobe -a ip_vs');
    expect(kmod(true)).toHaveLength(1); // the modules-load.d file is still missing here
  });
});

describe("NetworkManager's profiles in one nmcli call over NM's own profile paths", () => {
  const rec = (f: string) => fixture(`debian12/${f}`);
  /** busctl and nmcli stand-ins that answer with the recorded outputs and log their arguments. */
  function stubs(busctl: string, nmcliFast: { out: string; code: number }): string {
    const dir = mkdtempSync(join(tmpdir(), 'lab-nm1-'));
    const w = (name: string, body: string) => {
      writeFileSync(join(dir, name), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${quote(join(dir, 'calls'))}\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    writeFileSync(join(dir, 'busctl.out'), busctl);
    writeFileSync(join(dir, 'fast.out'), nmcliFast.out);
    writeFileSync(join(dir, 'list.out'), rec('nmcli-con-list.txt'));
    writeFileSync(join(dir, 'uuids.out'), rec('nmcli-con-uuids.txt'));
    w('busctl', `cat ${quote(join(dir, 'busctl.out'))}`);
    w(
      'nmcli',
      [
        'case "$*" in',
        `  *GENERAL.DEVICES*) cat ${quote(join(dir, 'fast.out'))}; exit ${nmcliFast.code};;`,
        `  *UUID,DEVICE,NAME*) cat ${quote(join(dir, 'list.out'))};;`,
        `  *) cat ${quote(join(dir, 'uuids.out'))};;`,
        'esac',
      ].join('\n'),
    );
    return dir;
  }
  const q: FactQuery = { ...emptyQuery(), nm: true };
  function gather(dir: string) {
    const out = execFileSync('/bin/sh', ['-c', factScript(q)], { env: { PATH: `${dir}:/usr/sbin:/usr/bin:/sbin:/bin` } }).toString();
    const calls = readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
    return { facts: parseFacts(out, q), nmcli: calls.filter((c) => !c.startsWith('--auto-start')) };
  }

  it('one nmcli call, with each path busctl listed, reads what the two calls read (recorded on a lab vm guest)', () => {
    const dir = stubs(rec('busctl-nm-connections.txt'), { out: rec('nmcli-con-paths.txt'), code: 0 });
    const fallback = stubs('', { out: '', code: 1 });
    try {
      const one = gather(dir);
      expect(one.nmcli).toHaveLength(1);
      expect(one.nmcli[0]).toMatch(/GENERAL\.DEVICES connection show path \/org\/freedesktop\/NetworkManager\/Settings\/1 path \/org\/freedesktop\/NetworkManager\/Settings\/2 path \/org\/freedesktop\/NetworkManager\/Settings\/3$/);
      const two = gather(fallback);
      expect(two.nmcli).toHaveLength(2);
      expect(one.facts.nm).toBe(true);
      expect(one.facts.connections).toEqual(two.facts.connections);
      expect(one.facts.connections.map((c) => `${c.name}@${c.device}`)).toEqual(['Wired connection 1@ens2', 'Wired connection 2@ens3', 'lo@lo']);
      expect(one.facts.connections[1]).toMatchObject({ addresses: ['192.168.2.100/24'], gateway: '192.168.2.5', method: 'manual' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(fallback, { recursive: true, force: true });
    }
  });

  it('an inactive profile has no GENERAL lines: no device', () => {
    const inactive = rec('nmcli-con-paths.txt').replace('\nGENERAL.DEVICES:ens3', '');
    const dir = stubs(rec('busctl-nm-connections.txt'), { out: inactive, code: 0 });
    try {
      expect(gather(dir).facts.connections.find((c) => c.name === 'Wired connection 2')?.device).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('falls back to two calls when a profile vanished (nmcli exit 10) or busctl names a path that is not NM\'s', () => {
    for (const [busctl, fast] of [
      [rec('busctl-nm-connections.txt'), { out: '', code: 10 }],
      ['ao 2 "/org/freedesktop/NetworkManager/Settings/1" "/org/freedesktop/NetworkManager/Settings/2;reboot"\n', { out: rec('nmcli-con-paths.txt'), code: 0 }],
      ['ao 1 "/tmp/x"\n', { out: rec('nmcli-con-paths.txt'), code: 0 }],
      ['ao 0\n', { out: '', code: 0 }],
    ] as const) {
      const dir = stubs(busctl, fast);
      try {
        const g = gather(dir);
        expect(g.nmcli.filter((c) => c.includes('GENERAL.DEVICES')).every((c) => !c.includes('reboot') && !c.includes('/tmp/x'))).toBe(true);
        expect(g.nmcli.some((c) => c.includes('UUID,DEVICE,NAME')), busctl).toBe(true);
        expect(g.facts.connections).toHaveLength(3);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('a count that does not match the profiles described is an error, not a partial view', () => {
    const out = `@@lab nmpaths\n4\n@@lab nmconns\n${rec('nmcli-con-paths.txt')}`;
    expect(() => parseFacts(out, q)).toThrow(/listed 4 profiles but nmcli described 3/);
  });
});
