// Benchmark of spec validation on large inputs: is the time linear in the size, and is an oversized file refused
// before it is parsed? The unit tests check what is said about these inputs; this prints how long it takes.
// Usage: npm run bench:spec -- [--runs 5]      (no VMs, no network; needs `npm run build` first, which the script does)
import { cpus, totalmem } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecError } from '../dist/errors.js';
import { specProblems } from '../dist/spec/load.js';
import { readYaml } from '../dist/spec/yaml.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', '5'));

const problems = (text) => specProblems('labs/x.yaml', text);

/** A spec of n real servers and n directors, all rules run to the end (the last director holds a network address). */
function hostsSpec(n) {
  const hosts = Array.from({ length: n }, (_, i) => `  h${i}:\n    role: real-server\n    interfaces: { private: 10.${(i >> 8) & 255}.${i & 255}.10 }\n    gateway: 10.${(i >> 8) & 255}.${i & 255}.1\n`);
  const gws = Array.from({ length: n }, (_, i) => `  g${i}:\n    role: director\n    interfaces: { private: 10.${(i >> 8) & 255}.${i & 255}.1, public: 192.168.${i >> 8}.${i & 255} }\n`);
  return `name: big\nnetworks:\n  private: 10.0.0.0/8\n  public: 192.168.0.0/16\nhosts:\n${hosts.join('')}${gws.join('')}services: []\n`;
}
const dupKeys = (n) => `${Array.from({ length: n }, (_, i) => `k: ${i}`).join('\n')}\n`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function time(fn) {
  const out = [];
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint();
    const got = fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (got.length === 0) throw new Error('the input validated; the benchmark needs one that is refused after every rule ran');
  }
  return median(out);
}

console.log(`spec validation, median of ${RUNS} runs, ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
for (const [label, make, sizes] of [
  ['hosts (real servers + directors)', hostsSpec, [1000, 2000, 4000]],
  ['duplicate keys', dupKeys, [15000, 30000, 60000]],
]) {
  problems(make(sizes[0])); // warm-up: the first call pays for compiling the validator
  const base = time(() => problems(make(sizes[0])));
  for (const n of sizes) {
    const text = make(n);
    const ms = n === sizes[0] ? base : time(() => problems(text));
    console.log(`  ${label.padEnd(34)} n=${String(n).padStart(6)}  ${(Buffer.byteLength(text) / 1024).toFixed(0).padStart(5)} KiB  ${ms.toFixed(0).padStart(6)} ms  ×${(ms / base).toFixed(2)} for ×${n / sizes[0]} the size`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lab-bench-spec-'));
try {
  const file = join(dir, 'big.yaml');
  writeFileSync(file, `name: x\n#${'x'.repeat(5 * 1024 * 1024)}\n`);
  const out = [];
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint();
    const err = await readYaml(file).catch((e) => e);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (!(err instanceof SpecError)) throw new Error('a 5 MiB file was not refused');
  }
  console.log(`  ${'5 MiB file refused before parsing'.padEnd(34)} ${median(out).toFixed(1).padStart(26)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
