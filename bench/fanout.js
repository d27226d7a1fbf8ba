// Benchmark, scenario 4 (fan-out): `lab plan --roster` for 40 students × the 4 lvs-nat hosts = 160 real OpenSSH
// endpoints, against `ansible-playbook --check` of bench/ansible/lvs-nat.yml over the same 160 entries: wall time and
// peak memory, medians over --runs (default 3), min and max, ratios; JSON to bench/results/fanout-*.json.
//
// Usage (root; iproute2, openssh-server, ansible from Debian):
//   npm run bench:fanout -- [--runs 3] [--students 40] [--forks 32] [--concurrency 8] [--only lab,ansible] [--keep-output]
//
// The test bed, all made here and removed again however the run ends (success, failure, SIGINT, SIGTERM):
// - one network namespace per host (lfo<pid>s<N><host>), holding the lab's own NICs as dummy interfaces with the
//   lab addresses the spec's `start:` declares (192.168.4.x / 192.168.2.x exist only inside these namespaces), a
//   management NIC ens3 (veth), and one real sshd (/usr/sbin/sshd -D) listening on that NIC only, with a temp host
//   key and a temp authorized key, started and stopped by PID;
// - one control namespace (lfo<pid>ctl) with a bridge to every management NIC, on 198.18.0.0/15 (RFC 2544's
//   benchmarking range); it has no link to the root namespace, so nothing can leave the machine. `lab` and
//   `ansible-playbook` run inside it.
// The hosts share this machine's file system (Debian 12): both tools read its real os-release, dpkg database and
// /proc/sys, so they plan against what is really there. What the namespaces lack is said in the output.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const ROOT = new URL('..', import.meta.url).pathname;
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', '3'));
const STUDENTS = Number(arg('students', '40'));
const FORKS = Number(arg('forks', '32'));
const CONCURRENCY = arg('concurrency', undefined);
const ONLY = arg('only', 'lab,ansible').split(',');
const KEEP = process.argv.includes('--keep-output');

const HOSTS = {
  client: { nics: { public: '192.168.4.10' } },
  proxy: { nics: { public: '192.168.4.5', private: '192.168.2.5' } },
  web1: { nics: { private: '192.168.2.100' }, gateway: '192.168.2.5', page: '192.168.2.100' },
  web2: { nics: { private: '192.168.2.200' }, gateway: '192.168.2.5', page: '192.168.2.200' },
};
const HOST_NAMES = Object.keys(HOSTS);
const TAG = `lfo${process.pid}`;
const CTL = `${TAG}ctl`;
const mac = (s, h, n) => `52:54:00:${[s, h, n].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
const mgmtIp = (s, h) => `198.18.${s}.${10 + h}`;

/** Everything this run made, so that cleanup removes exactly that. */
const made = { netns: [], sshd: [], children: new Set(), dir: undefined, runSshd: false };

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

function need() {
  if (process.getuid?.() !== 0) throw new Error('needs root (network namespaces and sshd)');
  const missing = [
    ['ip', 'iproute2'],
    ['/usr/sbin/sshd', 'openssh-server'],
    ['ssh-keygen', 'openssh-client'],
    ['ssh-keyscan', 'openssh-client'],
  ].filter(([c]) => {
    try {
      sh('sh', ['-c', `command -v ${c}`]);
      return false;
    } catch {
      return true;
    }
  });
  if (ONLY.includes('ansible')) {
    try {
      sh('ansible-playbook', ['--version']);
    } catch {
      missing.push(['ansible-playbook', 'ansible']);
    }
  }
  if (missing.length > 0)
    throw new Error(`missing ${missing.map(([c]) => c).join(', ')}; nothing is installed for you. Install Debian's packages:\n  apt-get install -y ${[...new Set(missing.map(([, p]) => p))].join(' ')}`);
}

// ---- the test bed -------------------------------------------------------------------------------------------------

function hostNs(s, h) {
  return `${TAG}s${s}${HOST_NAMES[h]}`;
}

function wireNs(s) {
  return `${TAG}s${s}wire`;
}

function batch(dir, ns, lines) {
  writeFileSync(join(dir, 'ip.batch'), lines.join('\n') + '\n');
  sh('ip', ['-n', ns, '-b', join(dir, 'ip.batch')]);
}

/**
 * This machine has no NetworkManager (and must not get one: it would manage the root namespace's NICs), and `lab`
 * plans addresses with nmcli. Each host's PATH therefore starts with a read-only nmcli stand-in that answers the
 * queries both tools make the way NetworkManager answers on a test-bed VM at the lab's start: "Wired connection 1" on
 * the management NIC (DHCP), one "Wired connection N" per lab NIC holding its address (manual, no gateway). Any
 * other nmcli use (a change) fails loudly; neither `lab plan` nor `ansible-playbook --check` should make one.
 */
function nmStub(dir, s, h) {
  const name = HOST_NAMES[h];
  const profiles = [{ id: 'Wired connection 1', dev: 'ens3', mac: mac(s, h, 0), method: 'auto', addr: '' }];
  Object.values(HOSTS[name].nics).forEach((ip, i) => profiles.push({ id: `Wired connection ${i + 2}`, dev: `ens${4 + i}`, mac: mac(s, h, 1 + i), method: 'manual', addr: `${ip}/24` }));
  profiles.forEach((p, i) => (p.uuid = `5e1d${String(s).padStart(4, '0')}-${String(h).padStart(4, '0')}-4000-8000-${String(i).padStart(12, '0')}`));
  const terse = (p) =>
    [`connection.id:${p.id}`, `connection.uuid:${p.uuid}`, 'connection.type:802-3-ethernet', `connection.interface-name:${p.dev}`, 'connection.autoconnect:yes', '802-3-ethernet.mac-address:', `ipv4.method:${p.method}`, `ipv4.addresses:${p.addr}`, 'ipv4.gateway:', 'ipv4.never-default:no'].join('\n');
  const pretty = (p) =>
    [
      ['connection.id', p.id], ['connection.uuid', p.uuid], ['connection.type', '802-3-ethernet'], ['connection.interface-name', p.dev], ['connection.autoconnect', 'yes'],
      ['connection.zone', '--'], ['802-3-ethernet.mac-address', '--'], ['ipv4.method', p.method], ['ipv4.dns', '--'], ['ipv4.dns-search', '--'], ['ipv4.addresses', p.addr || '--'],
      ['ipv4.gateway', '--'], ['ipv4.routes', '--'], ['ipv4.route-metric', '-1'], ['ipv4.ignore-auto-routes', 'no'], ['ipv4.ignore-auto-dns', 'no'], ['ipv4.dhcp-client-id', '--'],
      ['ipv4.never-default', 'no'], ['ipv4.may-fail', 'yes'], ['ipv6.method', 'auto'], ['ipv6.addresses', '--'], ['ipv6.gateway', '--'], ['GENERAL.STATE', 'activated'],
    ].map(([k, v]) => `${`${k}:`.padEnd(40)}${v}`).join('\n');
  const q = (t) => `'${t.replace(/'/g, `'\\''`)}'`;
  const script = [
    '#!/bin/sh',
    '# nmcli stand-in (bench/fanout.js): NetworkManager\'s answers on a test-bed VM at the lab\'s start; read-only.',
    'case "$*" in',
    `"-t -f UUID,DEVICE,NAME connection show") printf '%s\\n' ${q(profiles.map((p) => `${p.uuid}:${p.dev}:${p.id}`).join('\n'))} ;;`,
    `"-t -f "*" connection show "*) printf '%s\\n' ${q(profiles.map(terse).join('\n\n'))} ;;`,
    `"--fields name --terse con show") printf '%s\\n' ${q(profiles.map((p) => p.id).join('\n'))} ;;`,
    ...profiles.map((p) => `"-g GENERAL.CONNECTION device show ${p.dev}") printf '%s\\n' ${q(p.id)} ;;`),
    ...profiles.map((p) => `"--show-secrets con show ${p.id}"|"con show ${p.id}") printf '%s\\n' ${q(pretty(p))} ;;`),
    '"--show-secrets con show "*|"con show "*) echo "Error: ${*##* show } - no such connection profile." >&2; exit 10 ;;',
    '*) echo "nmcli stand-in: not answering \'$*\' (a change, or a query the benchmark does not expect)" >&2; exit 2 ;;',
    'esac',
    '',
  ].join('\n');
  const stubDir = join(dir, 'nm', `s${s}h${h}`);
  mkdirSync(stubDir, { recursive: true });
  writeFileSync(join(stubDir, 'nmcli'), script, { mode: 0o755 });
  return stubDir;
}

function setUp(dir) {
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lab-fanout-host', '-f', join(dir, 'host_ed25519')]);
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'lab-fanout-client', '-f', join(dir, 'id_ed25519')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')), { mode: 0o600 });
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      'Port 22',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'UseDNS no',
      'PidFile none',
      'LogLevel ERROR',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'home'), { mode: 0o700 });
  if (!existsSync('/run/sshd')) {
    mkdirSync('/run/sshd', { mode: 0o755 });
    made.runSshd = true;
  }
  // Namespaces: control, one per host, and per student one "wire" namespace whose bridges are the lab's networks
  // (public, private), the way the VMs' lab NICs share a segment; this kernel has no dummy interfaces anyway.
  const all = [CTL];
  for (let s = 1; s <= STUDENTS; s++) all.push(wireNs(s), ...HOST_NAMES.map((_, h) => hostNs(s, h)));
  writeFileSync(join(dir, 'netns.batch'), all.map((n) => `netns add ${n}\n`).join(''));
  made.netns.push(...all); // recorded before creation: cleanup deletes whatever of them exists
  sh('ip', ['-b', join(dir, 'netns.batch')]);
  const ctl = ['link set lo up', 'link add br0 type bridge', 'addr add 198.18.0.1/15 dev br0', 'link set br0 up'];
  for (let s = 1; s <= STUDENTS; s++)
    for (let h = 0; h < HOST_NAMES.length; h++) ctl.push(`link add v${s}-${h} type veth peer name ens3 netns ${hostNs(s, h)}`, `link set v${s}-${h} master br0 up`);
  batch(dir, CTL, ctl);
  for (let s = 1; s <= STUDENTS; s++) {
    const wire = ['link set lo up', 'link add public type bridge', 'link set public up', 'link add private type bridge', 'link set private up'];
    HOST_NAMES.forEach((name, h) =>
      Object.keys(HOSTS[name].nics).forEach((net, i) => wire.push(`link add p${h}-${i} type veth peer name ens${4 + i} netns ${hostNs(s, h)}`, `link set p${h}-${i} master ${net} up`)),
    );
    batch(dir, wireNs(s), wire);
    HOST_NAMES.forEach((name, h) => {
      const spec = HOSTS[name];
      const lines = ['link set lo up', `link set ens3 address ${mac(s, h, 0)}`, 'link set ens3 up', `addr add ${mgmtIp(s, h)}/15 dev ens3`];
      Object.entries(spec.nics).forEach(([net, ip], i) => {
        const dev = `ens${4 + i}`;
        lines.push(`link set ${dev} address ${mac(s, h, 1 + i)}`, `addr add ${ip}/24 dev ${dev}`, `link set ${dev} up`);
      });
      lines.push('route add default via 198.18.0.1 dev ens3');
      batch(dir, hostNs(s, h), lines);
    });
  }
  // One sshd per host namespace, listening on its management address only; PIDs kept for the cleanup.
  for (let s = 1; s <= STUDENTS; s++)
    for (let h = 0; h < HOST_NAMES.length; h++) {
      const stub = nmStub(dir, s, h);
      // A fresh root HOME, as on the test-bed VMs: this machine's /root/.bashrc runs `pyenv init` (two pyenv starts), which
      // bash reads for every command sshd runs; that is this machine's cost, not a lab host's, and it would tax every
      // command of both tools (Ansible's far more: one shell per task).
      const env = `PATH=${stub}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=${join(dir, 'home')}`;
      const p = spawn('ip', ['netns', 'exec', hostNs(s, h), '/usr/sbin/sshd', '-D', '-f', join(dir, 'sshd_config'), '-o', `ListenAddress=${mgmtIp(s, h)}`, '-o', `SetEnv=${env}`, '-E', join(dir, 'sshd.log')], {
        stdio: 'ignore',
      });
      made.sshd.push(p.pid);
      p.on('exit', () => (made.sshd = made.sshd.filter((x) => x !== p.pid)));
    }
  // Every endpoint answers with our host key, scanned from the control namespace: that is known_hosts.
  const addrs = [];
  for (let s = 1; s <= STUDENTS; s++) for (let h = 0; h < HOST_NAMES.length; h++) addrs.push(mgmtIp(s, h));
  const key = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  let lines = [];
  for (let tries = 0; tries < 30; tries++) {
    const out = spawnSyncText('ip', ['netns', 'exec', CTL, 'ssh-keyscan', '-T', '5', '-t', 'ed25519', ...addrs]);
    lines = out.split('\n').filter((l) => l && !l.startsWith('#'));
    if (lines.length === addrs.length) break;
    sleepSync(500);
  }
  if (lines.length !== addrs.length) throw new Error(`only ${lines.length} of ${addrs.length} sshd endpoints answered (log: ${join(dir, 'sshd.log')})`);
  if (!lines.every((l) => l.endsWith(key))) throw new Error('an endpoint answered with a host key that is not ours');
  writeFileSync(join(dir, 'known_hosts'), lines.join('\n') + '\n');
  return addrs.length;
}

function spawnSyncText(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  } catch (e) {
    return e.stdout ?? '';
  }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Processes living in one of our namespaces (per-connection sshd children, ssh ControlPersist masters, shells). */
function pidsInOurNetns() {
  const inodes = new Set();
  for (const n of made.netns) {
    try {
      inodes.add(String(statSync(`/run/netns/${n}`).ino));
    } catch {
      /* not created */
    }
  }
  const pids = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const ns = readlinkSync(`/proc/${d}/ns/net`); // net:[4026532xyz]
      if (inodes.has(/\[(\d+)\]/.exec(ns)?.[1])) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

function kill(pids, signal) {
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      /* already gone */
    }
  }
}

let cleaned = false;
function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  kill([...made.children], 'SIGTERM');
  kill(made.sshd, 'SIGTERM');
  for (let i = 0, pids = pidsInOurNetns(); i < 30 && pids.length > 0; i++, pids = pidsInOurNetns()) {
    kill(pids, i < 15 ? 'SIGTERM' : 'SIGKILL');
    sleepSync(100);
  }
  const left = pidsInOurNetns();
  if (left.length) process.stderr.write(`fanout: processes still in our namespaces: ${left.join(' ')}\n`);
  if (made.netns.length) {
    const existing = made.netns.filter((n) => existsSync(`/run/netns/${n}`));
    if (existing.length && made.dir) {
      writeFileSync(join(made.dir, 'del.batch'), existing.map((n) => `netns del ${n}\n`).join(''));
      try {
        sh('ip', ['-b', join(made.dir, 'del.batch')]);
      } catch (e) {
        process.stderr.write(`fanout: ip netns del: ${e.stderr ?? e.message}\n`);
      }
    }
  }
  if (made.runSshd) {
    try {
      rmdirSync('/run/sshd');
    } catch {
      /* in use by someone else now, or not empty: leave it */
    }
  }
  if (made.dir && !KEEP) rmSync(made.dir, { recursive: true, force: true });
}

// ---- what each tool is given --------------------------------------------------------------------------------------

function roster(dir) {
  const students = {};
  for (let s = 1; s <= STUDENTS; s++) {
    const hosts = {};
    HOST_NAMES.forEach((name, h) => {
      hosts[name] = {
        address: mgmtIp(s, h),
        interfaces: Object.fromEntries(Object.keys(HOSTS[name].nics).map((net, i) => [net, { mac: mac(s, h, 1 + i) }])),
        management: { mac: mac(s, h, 0) },
      };
    });
    students[`s${String(s).padStart(2, '0')}`] = { hosts };
  }
  const file = join(dir, 'roster.yaml');
  writeFileSync(file, stringify({ lab: 'lvs-nat', defaults: { user: 'root', identity_file: 'id_ed25519', known_hosts: 'known_hosts' }, students }));
  return file;
}

function ansibleInventory(dir) {
  const groups = { web: {}, director: {}, client: {} };
  for (let s = 1; s <= STUDENTS; s++)
    HOST_NAMES.forEach((name, h) => {
      const spec = HOSTS[name];
      const group = name === 'proxy' ? 'director' : name.startsWith('web') ? 'web' : 'client';
      groups[group][`s${String(s).padStart(2, '0')}-${name}`] = {
        ansible_host: mgmtIp(s, h),
        mgmt_mac: mac(s, h, 0),
        ...(spec.page ? { page: spec.page } : {}),
        lab_nics: Object.entries(spec.nics).map(([net, ip], i) => ({ net, mac: mac(s, h, 1 + i), addr: `${ip}/24`, ...(spec.gateway ? { gw: spec.gateway } : {}) })),
      };
    });
  const file = join(dir, 'ansible-inventory.yaml');
  const vars = {
    ansible_user: 'root',
    ansible_ssh_private_key_file: join(dir, 'id_ed25519'),
    ansible_ssh_common_args: `-o UserKnownHostsFile=${join(dir, 'known_hosts')}`,
  };
  // JSON, which Ansible reads as YAML: MACs stay quoted strings (YAML 1.1 would read 52:54:00:01:02:00 as a base-60 number).
  writeFileSync(file, JSON.stringify({ all: { vars, children: Object.fromEntries(Object.entries(groups).map(([g, hosts]) => [g, { hosts }])) } }, null, 1));
  // The benchmark's own config, with forks for 160 hosts: as many connections at once as lab's default (8 students × 4).
  const cfg = readFileSync(join(ROOT, 'bench/ansible/ansible.cfg'), 'utf8').replace(/^forks\s*=.*$/m, `forks = ${FORKS}`);
  writeFileSync(join(dir, 'ansible.cfg'), cfg);
  // The same playbook; each play keeps going past a failed task, so that every host runs every task (see the notes).
  const plays = parse(readFileSync(join(ROOT, 'bench/ansible/lvs-nat.yml'), 'utf8')).map((p) => ({ ...p, ignore_errors: true }));
  writeFileSync(join(dir, 'lvs-nat-check.yml'), stringify(plays));
  return file;
}

// ---- measuring ----------------------------------------------------------------------------------------------------

function treeOf(root) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch {
      /* gone */
    }
  }
  const out = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop();
    out.push(p);
    stack.push(...(kids.get(p) ?? []));
  }
  return out;
}

function rssKiB(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Run a command under /usr/bin/time; wall time from here, peak RSS of its largest process (time's %M) and of its whole process tree summed (sampled every 200 ms). */
function measure(cmd, args, opts) {
  return new Promise((resolve) => {
    const timeFile = join(made.dir, 'time.out');
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%e %M %U %S', '-o', timeFile, ...[cmd, ...args]], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    made.children.add(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let treePeak = 0;
    const sample = setInterval(() => {
      const sum = treeOf(child.pid).reduce((a, p) => a + rssKiB(p), 0);
      if (sum > treePeak) treePeak = sum;
    }, 200);
    child.on('exit', (code) => {
      clearInterval(sample);
      made.children.delete(child.pid);
      const s = Number(process.hrtime.bigint() - started) / 1e9;
      const [, maxKiB, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      resolve({ code, s, cpuS: user + sys, maxRssMiB: maxKiB / 1024, treeRssMiB: Math.max(treePeak, maxKiB) / 1024, stdout, stderr });
    });
  });
}

async function runLab(dir, rosterFile, run) {
  const report = join(dir, `plan-${run}.json`);
  const extra = CONCURRENCY ? ['--concurrency', CONCURRENCY] : [];
  const r = await measure('ip', ['netns', 'exec', CTL, process.execPath, join(ROOT, 'bin/lab.js'), 'plan', 'lvs-nat', '--roster', rosterFile, '--report', `json:${report}`, ...extra], {
    cwd: ROOT,
    // Every run a cold pass over the classroom, as Ansible's (a fresh control path folder each run): no kept connections.
    env: { ...process.env, NO_COLOR: '1', LAB_PERSIST: '0' },
  });
  const result = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : undefined;
  const hosts = (result?.students ?? []).flatMap((st) => (st.hosts ?? []).map((h) => ({ student: st.student, ...h })));
  const planned = hosts.filter((h) => !h.unreachable && !h.error);
  const changes = planned.reduce((a, h) => a + h.tasks.reduce((b, t) => b + t.changes.length, 0), 0);
  const commands = planned.reduce((a, h) => a + h.tasks.reduce((b, t) => b + t.changes.reduce((c, ch) => c + ch.commands.length, 0), 0), 0);
  const problems = hosts.filter((h) => h.unreachable || h.error).map((h) => `${h.student}/${h.host}: ${h.error}`);
  const byHost = Object.fromEntries(HOST_NAMES.map((n) => [n, planned.find((h) => h.host === n)]));
  return { ...r, works: r.code === 0 && planned.length === STUDENTS * HOST_NAMES.length, hostsPlanned: planned.length, changes, commands, problems, sample: byHost };
}

async function runAnsible(dir, inventory, run) {
  const cp = join(dir, `cp-${run}`);
  mkdirSync(cp);
  const r = await measure('ip', ['netns', 'exec', CTL, 'ansible-playbook', '--check', '-i', inventory, join(dir, 'lvs-nat-check.yml')], {
    cwd: join(ROOT, 'bench/ansible'),
    env: { ...process.env, ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_SSH_CONTROL_PATH_DIR: cp, ANSIBLE_NOCOLOR: '1' },
  });
  // ssh's ControlPersist masters outlive ansible-playbook (60 s); stop ours so the next run starts cold too.
  const masters = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(cp);
      } catch {
        return false;
      }
    })
    .map(Number);
  kill(masters, 'SIGTERM');
  writeFileSync(join(dir, `ansible-${run}.out`), r.stdout + r.stderr);
  const recap = {};
  for (const m of r.stdout.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)/gm)) {
    recap[m[1]] = { ok: +m[2], changed: +m[3], unreachable: +m[4], failed: +m[5], skipped: +m[6], ignored: +m[8] };
  }
  const totals = Object.values(recap).reduce((a, x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, (a[k] ?? 0) + v])), {});
  const failedTasks = {};
  for (const m of r.stdout.matchAll(/^TASK \[([^\]]+)\][^\n]*\n((?:(?!TASK \[|PLAY )[^\n]*\n)*)/gm)) {
    const n = (m[2].match(/^fatal: /gm) ?? []).length + (m[2].match(/^failed: /gm) ?? []).length;
    if (n) failedTasks[m[1]] = (failedTasks[m[1]] ?? 0) + n;
  }
  const firstError = /^(?:fatal|failed): \[[^\]]+\].*?"msg": "([^"]{0,200})/m.exec(r.stdout)?.[1];
  const hosts = Object.keys(recap).length;
  return { ...r, stdout: undefined, works: hosts === STUDENTS * HOST_NAMES.length && totals.unreachable === 0, hosts, totals, failedTasks, firstError };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return undefined;
  const mid = Math.floor((s.length - 1) / 2);
  return { median: s.length % 2 ? s[mid] : (s[mid] + s[mid + 1]) / 2, min: s[0], max: s[s.length - 1], n: s.length };
};

async function main() {
  need();
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.once(sig, () => {
      process.stderr.write(`fanout: ${sig}, cleaning up\n`);
      cleanUp();
      process.exit(130);
    });
  process.once('exit', cleanUp);
  made.dir = mkdtempSync(join(tmpdir(), 'lab-fanout-'));
  const t0 = Date.now();
  const endpoints = setUp(made.dir);
  process.stderr.write(`fanout: ${endpoints} sshd endpoints in ${endpoints} network namespaces, ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${made.dir})\n`);
  const rosterFile = roster(made.dir);
  const inventory = ansibleInventory(made.dir);
  const runs = { lab: [], ansible: [] };
  for (let run = 1; run <= RUNS; run++) {
    if (ONLY.includes('lab')) {
      const r = await runLab(made.dir, rosterFile, run);
      runs.lab.push(r);
      process.stderr.write(
        `run ${run} lab plan: ${r.s.toFixed(2)} s (its own CPU ${r.cpuS.toFixed(1)} s), peak RSS ${r.maxRssMiB.toFixed(0)} MiB; ${r.hostsPlanned}/${endpoints} hosts planned, ${r.changes} changes, ${r.commands} commands` +
          `${r.problems.length ? `; ${r.problems.length} hosts with errors, first: ${r.problems[0]}` : ''}${r.code !== 0 ? `; exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}\n`,
      );
    }
    if (ONLY.includes('ansible')) {
      const r = await runAnsible(made.dir, inventory, run);
      runs.ansible.push(r);
      process.stderr.write(
        `run ${run} ansible-playbook --check: ${r.s.toFixed(2)} s (its own CPU ${r.cpuS.toFixed(1)} s), peak RSS ${r.maxRssMiB.toFixed(0)} MiB (largest process), ${r.treeRssMiB.toFixed(0)} MiB (process tree); ` +
          `${r.hosts} hosts in the recap, ${JSON.stringify(r.totals)}, exit ${r.code}\n`,
      );
    }
  }
  const ok = (k) => runs[k].filter((r) => r.works);
  const summary = {};
  for (const k of ['lab', 'ansible']) {
    const rs = ok(k);
    if (!rs.length) continue;
    summary[k] = { wall_s: stats(rs.map((r) => r.s)), cpu_s: stats(rs.map((r) => r.cpuS)), peak_rss_mib: stats(rs.map((r) => r.maxRssMiB)), peak_tree_rss_mib: stats(rs.map((r) => r.treeRssMiB)) };
  }
  const ratio = summary.lab && summary.ansible ? summary.ansible.wall_s.median / summary.lab.wall_s.median : undefined;
  const machine = `${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const labRun = runs.lab.find((r) => r.works);
  const ansRun = runs.ansible.find((r) => r.works);
  console.log(`machine: ${machine}`);
  console.log(`fan-out: ${STUDENTS} students × ${HOST_NAMES.length} lvs-nat hosts = ${endpoints} sshd endpoints (one network namespace and one sshd each)`);
  console.log(`lab plan --roster (concurrency ${CONCURRENCY ?? 'default 8 students = 32 connections'}); ansible-playbook --check (forks ${FORKS}, pipelining, no fact gathering)`);
  console.log(`${'contender'.padEnd(26)} ${'wall s: median'.padStart(14)} ${'min'.padStart(7)} ${'max'.padStart(7)}   ${'peak RSS MiB: median'.padStart(20)} ${'min'.padStart(6)} ${'max'.padStart(6)}   tree RSS MiB  n`);
  for (const [k, s] of Object.entries(summary)) {
    const name = k === 'lab' ? 'lab plan' : 'ansible-playbook --check';
    console.log(
      `${name.padEnd(26)} ${s.wall_s.median.toFixed(2).padStart(14)} ${s.wall_s.min.toFixed(2).padStart(7)} ${s.wall_s.max.toFixed(2).padStart(7)}   ${s.peak_rss_mib.median.toFixed(0).padStart(20)} ${s.peak_rss_mib.min.toFixed(0).padStart(6)} ${s.peak_rss_mib.max.toFixed(0).padStart(6)}   ${s.peak_tree_rss_mib.median.toFixed(0).padStart(12)}  ${s.wall_s.n}`,
    );
  }
  for (const [k, s] of Object.entries(summary)) console.log(`${k === 'lab' ? 'lab plan' : 'ansible-playbook --check'}: CPU of the tool's own processes (user+sys), median ${s.cpu_s.median.toFixed(1)} s (the hosts' side runs on the same cores)`);
  if (ratio) console.log(`ansible --check / lab plan, wall time over the medians: ${ratio.toFixed(1)}×`);
  if (summary.lab) console.log(`goals: lab plan < 10 s: ${summary.lab.wall_s.median < 10 ? 'yes' : 'NO'}; peak RSS < 300 MB: ${summary.lab.peak_rss_mib.median * 1.048576 < 300 ? 'yes' : 'NO'}; ≥ 10× faster than ansible --check: ${ratio === undefined ? 'not measured' : ratio >= 10 ? 'yes' : 'NO'}`);
  if (labRun) {
    console.log(`what lab planned (every run): ${labRun.hostsPlanned} hosts, ${labRun.changes} changes, ${labRun.commands} commands; for student s01:`);
    for (const [n, h] of Object.entries(labRun.sample)) console.log(`  ${n} (${h?.os}): ${h?.tasks.flatMap((t) => t.changes.map((c) => `${t.label}: ${c.title}`)).join('; ') || 'nothing to change'}`);
  }
  for (const r of runs.lab.filter((x) => !x.works)) console.log(`a lab run did not plan every host (exit ${r.code}): ${r.problems[0] ?? r.stderr.trim().split('\n').pop()}`);
  if (ansRun) {
    console.log(`what ansible did (per run): ${ansRun.hosts} hosts; task results summed over hosts ${JSON.stringify(ansRun.totals)}`);
    if (Object.keys(ansRun.failedTasks).length) console.log(`  failed (and ignored) on these namespace hosts: ${Object.entries(ansRun.failedTasks).map(([t, n]) => `${t} ×${n}`).join('; ')}${ansRun.firstError ? `; e.g. "${ansRun.firstError}"` : ''}`);
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const out = join(ROOT, 'bench/results', `fanout-${new Date().toISOString().slice(0, 19)}.json`);
  const strip = (r) => ({ ...r, stdout: undefined, stderr: r.code === 0 ? undefined : r.stderr.slice(-2000), sample: undefined });
  writeFileSync(
    out,
    JSON.stringify({ machine, students: STUDENTS, hosts: endpoints, forks: FORKS, concurrency: CONCURRENCY ?? 8, runs: { lab: runs.lab.map(strip), ansible: runs.ansible.map(strip) }, summary, ratio, sample: labRun?.sample }, null, 2),
  );
  console.log(`written: ${out}`);
}

main()
  .catch((e) => {
    process.stderr.write(`fanout: ${e.message}\n`);
    process.exitCode = 1;
  })
  .finally(cleanUp);
