// Benchmark: plain ssh scripts vs Ansible vs `lab up` on the same four emulated VMs; medians, min/max, ratios.
// Usage: npm run bench -- [--runs 3] [--only plain,ansible,lab] [--persist 60]   (needs root, qemu; ansible from Debian for that contender)
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = new URL('..', import.meta.url).pathname;
const INSTANCE = 'bench';
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', '3'));
const ONLY = arg('only', 'plain,ansible,lab').split(',');
const LAB = ['lvs-nat', '--instance', INSTANCE];
// lab keeps each host's connection between runs for LAB_PERSIST seconds (default 60, as Ansible's ControlPersist);
// `--persist 0` measures every run with fresh connections. The bench's keeper has a folder of its own and is stopped
// by PID at the end.
const PERSIST = arg('persist', '60');
const KEEPER_DIR = mkdtempSync(join(tmpdir(), 'lab-bench-keeper-'));
const lab = (args, opts = {}) => execa('node', [join(ROOT, 'bin/lab.js'), ...args], { cwd: ROOT, reject: false, stdin: 'ignore', env: { LAB_KEEPER_DIR: KEEPER_DIR, LAB_PERSIST: PERSIST, FORCE_COLOR: '0' }, ...opts });

function stopKeeper() {
  for (const f of readdirSync(KEEPER_DIR).filter((n) => n.endsWith('.pid'))) {
    const pid = Number(readFileSync(join(KEEPER_DIR, f), 'utf8'));
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('keeper/daemon.js')) process.kill(pid, 'SIGTERM');
    } catch {
      /* gone already */
    }
  }
  rmSync(KEEPER_DIR, { recursive: true, force: true });
}

function inventory() {
  return parse(readFileSync(join(ROOT, '.lab', INSTANCE, 'inventory.yaml'), 'utf8'));
}

function sshArgs(h) {
  return ['-i', h.identity_file, '-p', String(h.port), '-o', `UserKnownHostsFile=${h.known_hosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `root@${h.address}`];
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  const ok = await fn();
  return { s: Number(process.hrtime.bigint() - t) / 1e9, ok };
}

async function balanced() {
  const h = inventory().hosts.client;
  const r = await execa('ssh', [...sshArgs(h), 'for i in 1 2 3 4 5 6 7 8; do curl -s --max-time 5 http://192.168.4.5/ || echo FAIL; done'], { reject: false });
  const seq = r.stdout.trim().split('\n');
  return seq.length === 8 && seq.every((x, i) => /^192\.168\.2\.(100|200)$/.test(x) && (i === 0 || x !== seq[i - 1]));
}

// (a) the seed's steps, adapted to Debian, as one plain ssh script per host, in parallel.
async function plain() {
  const inv = inventory().hosts;
  const common = readFileSync(join(ROOT, 'bench/plain-ssh/common.sh'), 'utf8');
  const script = (f) => common + readFileSync(join(ROOT, 'bench/plain-ssh', f), 'utf8');
  const runs = [
    ['client', 'client.sh', [inv.client.interfaces.public.mac]],
    ['proxy', 'director.sh', [inv.proxy.interfaces.public.mac, inv.proxy.interfaces.private.mac]],
    ['web1', 'web.sh', ['192.168.2.100', '192.168.2.5', inv.web1.interfaces.private.mac, inv.web1.management.mac]],
    ['web2', 'web.sh', ['192.168.2.200', '192.168.2.5', inv.web2.interfaces.private.mac, inv.web2.management.mac]],
  ];
  const rs = await Promise.all(runs.map(([h, f, a]) => execa('ssh', [...sshArgs(inv[h]), `sh -s -- ${a.join(' ')}`], { input: script(f), reject: false })));
  // The director also needs ip_vs's conntrack under firewalld's nftables backend; the course predates it.
  await execa('ssh', [...sshArgs(inv.proxy), 'sysctl -qw net.ipv4.vs.conntrack=1'], { reject: false });
  rs.forEach((r, i) => {
    if (r.exitCode !== 0) process.stderr.write(`plain: ${runs[i][0]}'s script exited ${r.exitCode}:\n${(r.stdout + r.stderr).split('\n').slice(-15).join('\n')}\n`);
  });
  return rs.every((r) => r.exitCode === 0);
}

function ansibleInventory() {
  const inv = inventory().hosts;
  const pages = { web1: '192.168.2.100', web2: '192.168.2.200' };
  const host = (name) => {
    const h = inv[name];
    const spec = { client: { public: '192.168.4.10/24' }, proxy: { public: '192.168.4.5/24', private: '192.168.2.5/24' }, web1: { private: '192.168.2.100/24' }, web2: { private: '192.168.2.200/24' } }[name];
    return {
      ansible_host: h.address,
      ansible_port: h.port,
      ansible_user: 'root',
      ansible_ssh_private_key_file: h.identity_file,
      ansible_ssh_common_args: `-o UserKnownHostsFile=${h.known_hosts}`,
      mgmt_mac: h.management.mac,
      page: pages[name],
      lab_nics: Object.entries(spec).map(([net, addr]) => ({ net, mac: h.interfaces[net].mac, addr, ...(name.startsWith('web') ? { gw: '192.168.2.5' } : {}) })),
    };
  };
  const file = join(ROOT, '.lab', INSTANCE, 'ansible-inventory.yaml');
  // JSON, which Ansible reads as YAML: every MAC stays a quoted string (YAML 1.1 reads 52:54:00:12:34:56 as a base-60 number).
  writeFileSync(file, JSON.stringify({ all: { children: { web: { hosts: { web1: host('web1'), web2: host('web2') } }, director: { hosts: { proxy: host('proxy') } }, clients: { hosts: { client: host('client') } } } } }, null, 1));
  return file;
}

let ansibleRuns = 0;
async function ansible() {
  const r = await execa('ansible-playbook', ['-i', ansibleInventory(), join(ROOT, 'bench/ansible/lvs-nat.yml')], { cwd: join(ROOT, 'bench/ansible'), reject: false, env: { ANSIBLE_CONFIG: join(ROOT, 'bench/ansible/ansible.cfg') } });
  const log = join(ROOT, '.lab', INSTANCE, `ansible-${++ansibleRuns}.log`);
  writeFileSync(log, r.stdout + r.stderr);
  if (r.exitCode !== 0) process.stderr.write(r.stdout.split('\n').slice(-30).join('\n') + `\n(all of it: ${log})\n`);
  return r.exitCode === 0;
}

/** Why a contender's lab does not balance: what the client's curls got, and lab verify's explanation. */
async function diagnose(name) {
  const h = inventory().hosts.client;
  const r = await execa('ssh', [...sshArgs(h), 'for i in 1 2 3 4; do curl -s --max-time 5 http://192.168.4.5/ || echo FAIL; done'], { reject: false });
  const v = await lab(['verify', ...LAB]);
  process.stderr.write(`${name}: the client's curls answered: ${r.stdout.trim().split('\n').join(', ')}\nlab verify says:\n${v.stdout}${v.stderr}\n`);
}

async function labUp() {
  const r = await lab(['up', ...LAB]);
  if (r.exitCode !== 0) process.stderr.write(r.stdout + r.stderr);
  return r.exitCode === 0;
}

async function labVerify() {
  return (await lab(['verify', ...LAB])).exitCode === 0;
}

async function reset() {
  const r = await lab(['vm', 'reset', ...LAB, '--timeout', '900']);
  if (r.exitCode !== 0) throw new Error(`vm reset failed: ${r.stderr}`);
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? { median: s[Math.floor((s.length - 1) / 2)] + (s.length % 2 ? 0 : (s[s.length / 2] - s[s.length / 2 - 1]) / 2), min: s[0], max: s[s.length - 1], n: s.length } : undefined;
};

/** The Ansible contender uses what is installed; nothing is installed behind the user's back. */
async function checkAnsible() {
  const v = await execa('ansible-playbook', ['--version'], { reject: false });
  if (v.failed || v.exitCode !== 0) {
    throw new Error('ansible-playbook is not installed. Install Debian\'s package (it brings community.general and ansible.posix):\n  apt-get install -y ansible\nor leave that contender out: --only plain,lab');
  }
  const c = await execa('ansible-doc', ['-t', 'module', '-l', 'community.general', 'ansible.posix'], { reject: false });
  for (const m of ['community.general.nmcli', 'community.general.modprobe', 'ansible.posix.sysctl']) {
    if (!new RegExp(`^${m.replace(/\./g, '\\.')}\\s`, 'm').test(c.stdout)) throw new Error(`the Ansible module ${m} is missing; Debian's package \`ansible\` (7.x) has it:\n  apt-get install -y ansible`);
  }
  process.stderr.write(`bench: ${v.stdout.split('\n')[0]}\n`);
}

async function main() {
  if (ONLY.includes('ansible')) await checkAnsible();
  // The VMs are stopped again however the run ends: on success, on a failure, on Ctrl-C or SIGTERM.
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`bench: ${sig}, stopping the VMs\n`);
      lab(['vm', 'down', ...LAB]).finally(() => {
        stopKeeper();
        process.exit(130);
      });
    });
  try {
    await measure();
  } finally {
    if (!stopping) await lab(['vm', 'down', ...LAB]);
    stopKeeper();
  }
}

async function measure() {
  const up = await lab(['vm', 'up', ...LAB, '--timeout', '900']);
  if (up.exitCode !== 0) throw new Error(`vm up failed: ${up.stderr}`);
  const times = {};
  const add = (k, v) => (times[k] ??= []).push(v);
  for (let run = 1; run <= RUNS; run++) {
    for (const [name, cold, warm] of [['plain', plain], ['ansible', ansible, ansible], ['lab', labUp, labUp]]) {
      if (!ONLY.includes(name)) continue;
      await reset();
      const c = await timed(cold);
      const works = c.ok && (await balanced());
      process.stderr.write(`run ${run} ${name} cold: ${c.s.toFixed(1)} s ${works ? 'balances' : 'DID NOT PRODUCE A WORKING LAB'}\n`);
      if (!works) {
        if (c.ok) await diagnose(name);
        continue;
      }
      add(`${name} cold`, c.s);
      if (warm) {
        const w = await timed(warm);
        process.stderr.write(`run ${run} ${name} re-run: ${w.s.toFixed(1)} s\n`);
        if (w.ok) add(`${name} re-run`, w.s);
      }
      if (name === 'lab') {
        const v = await timed(labVerify);
        process.stderr.write(`run ${run} lab verify: ${v.s.toFixed(1)} s ${v.ok ? 'passed' : 'FAILED'}\n`);
        if (v.ok) add('lab verify', v.s);
      }
    }
  }
  const summary = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
  const m = (k) => summary[k]?.median;
  const ratios = {
    'lab cold / plain cold': m('lab cold') / m('plain cold'),
    'ansible cold / lab cold': m('ansible cold') / m('lab cold'),
    'ansible re-run / lab re-run': m('ansible re-run') / m('lab re-run'),
  };
  const machine = `${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, guests under qemu TCG`;
  console.log(`machine: ${machine}`);
  console.log('scenario'.padEnd(18), 'median', '   min', '   max', ' n');
  for (const [k, s] of Object.entries(summary)) console.log(k.padEnd(18), s.median.toFixed(1).padStart(6), s.min.toFixed(1).padStart(6), s.max.toFixed(1).padStart(6), String(s.n).padStart(2));
  for (const [k, r] of Object.entries(ratios)) if (Number.isFinite(r)) console.log(`${k}: ${r.toFixed(2)}`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results', `converge-${new Date().toISOString().slice(0, 19)}.json`), JSON.stringify({ machine, runs: RUNS, persist: Number(PERSIST), times, summary, ratios }, null, 2));
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exit(1);
});
