// Benchmark of the VM test bed: a first `lab vm up` booted (--boot) vs from the templates, reset from the pristine snapshot
// vs --cold, warm up (resume) vs --boot.
// Usage: npm run bench:vm -- [--runs 3] [--only first,template,reset,cold,warm,boot] [--instance NAME]   (root, qemu, the image cached)
// Without `first`, an instance that already has a pristine snapshot starts from it; the instance is destroyed at the end.
import { $ } from 'zx';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', '3'));
const ONLY = arg('only', 'first,template,reset,cold,warm,boot').split(',');
const INSTANCE = arg('instance', 'bench-vm');
const LAB = ['lvs-nat', '--instance', INSTANCE];
// zx: each argument is quoted for the shell, the output is kept, a non-zero exit is returned (nothrow), not thrown.
const $lab = $({ cwd: ROOT, quiet: true, nothrow: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
const lab = async (args) => {
  const r = await $lab`node ${join(ROOT, 'bin/lab.js')} ${args}`;
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
};

/** Run a `lab vm` command, fail loudly, and return its wall time and the progress line time when all 4 answered SSH. */
async function timed(args) {
  const t = process.hrtime.bigint();
  const r = await lab(args);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.exitCode !== 0) throw new Error(`lab ${args.join(' ')} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const ssh = /\[\s*([\d.]+)s\] all 4 VMs of \S+ (?:answer SSH|resumed)/.exec(r.stderr);
  return { s, ssh: ssh ? Number(ssh[1]) : undefined, out: r.stdout, err: r.stderr };
}

function hasPristine() {
  try {
    return JSON.parse(readFileSync(join(ROOT, '.lab', INSTANCE, 'snapshots.json'), 'utf8')).snapshots.some((x) => x.name === 'pristine');
  } catch {
    return false;
  }
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? { median: s[Math.floor((s.length - 1) / 2)] + (s.length % 2 ? 0 : (s[s.length / 2] - s[s.length / 2 - 1]) / 2), min: s[0], max: s[s.length - 1], n: s.length } : undefined;
};

async function measure() {
  const times = {};
  const add = (k, v) => {
    (times[k] ??= []).push(v);
    process.stderr.write(`${k}: ${v.toFixed(1)} s\n`);
  };
  const expectIn = (r, re, what) => {
    if (!re.test(r.out)) throw new Error(`${what}: unexpected output: ${r.out.split('\n')[0]}`);
  };
  for (let run = 1; run <= RUNS; run++) {
    process.stderr.write(`run ${run}\n`);
    if (run === 1 && !ONLY.includes('first') && hasPristine()) {
      // An instance that already has its pristine snapshot: start from it instead of a first boot (not timed).
      await timed(['vm', 'reset', ...LAB, '--timeout', '900']);
    } else if (ONLY.includes('first') || run === 1) {
      // A first boot: --boot starts nothing from a template (and saves the templates when there are none).
      await timed(['vm', 'destroy', ...LAB]);
      const first = await timed(['vm', 'up', ...LAB, '--boot', '--timeout', '900']);
      if (ONLY.includes('first')) {
        add('first up, to SSH', first.ssh ?? NaN);
        add('first up, with the pristine snapshot', first.s);
      }
    }
    if (ONLY.includes('template')) {
      await timed(['vm', 'destroy', ...LAB]);
      const r = await timed(['vm', 'up', ...LAB, '--timeout', '900']);
      expectIn({ out: r.err }, /resumed web2 from the template/, 'first up from the templates');
      add('first up from the templates', r.s);
    }
    if (ONLY.includes('reset')) {
      const r = await timed(['vm', 'reset', ...LAB, '--timeout', '900']);
      expectIn(r, /resumed from snapshot pristine/, 'reset');
      add('reset (snapshot)', r.s);
    }
    if (ONLY.includes('warm')) {
      add('down (save, power-down)', (await timed(['vm', 'down', ...LAB])).s);
      const r = await timed(['vm', 'up', ...LAB, '--timeout', '900']);
      expectIn(r, /resumed from snapshot suspended/, 'warm up');
      add('warm up (resume)', r.s);
    }
    if (ONLY.includes('boot')) {
      await timed(['vm', 'down', ...LAB]);
      const r = await timed(['vm', 'up', ...LAB, '--boot', '--timeout', '900']);
      add('warm up --boot', r.s);
    }
    if (ONLY.includes('cold')) {
      const r = await timed(['vm', 'reset', ...LAB, '--cold', '--timeout', '900']);
      add('reset --cold', r.s);
    }
  }
  const summary = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, stats(v)]));
  const m = (k) => summary[k]?.median;
  const ratios = {
    'first up (boot) / first up from the templates': m('first up, with the pristine snapshot') / m('first up from the templates'),
    'reset --cold / reset (snapshot)': m('reset --cold') / m('reset (snapshot)'),
    'warm up --boot / warm up (resume)': m('warm up --boot') / m('warm up (resume)'),
  };
  const machine = `${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, guests under qemu TCG`;
  console.log(`machine: ${machine}`);
  console.log('scenario'.padEnd(38), 'median', '   min', '   max', ' n');
  for (const [k, s] of Object.entries(summary)) console.log(k.padEnd(38), s.median.toFixed(1).padStart(6), s.min.toFixed(1).padStart(6), s.max.toFixed(1).padStart(6), String(s.n).padStart(2));
  for (const [k, r] of Object.entries(ratios)) if (Number.isFinite(r)) console.log(`${k}: ${r.toFixed(2)}`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results', `vm-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`), JSON.stringify({ machine, runs: RUNS, times, summary, ratios }, null, 2));
}

async function main() {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, () => {
      if (stopping) return;
      stopping = true;
      lab(['vm', 'down', ...LAB, '--force']).finally(() => process.exit(130));
    });
  try {
    await measure();
  } finally {
    if (!stopping) await lab(['vm', 'destroy', ...LAB]);
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exit(1);
});
