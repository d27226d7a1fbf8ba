// Mutation test of spec validation: a few hundred seeded mutants of labs/lvs-nat.yaml (lines deleted, swapped,
// re-indented; keys deleted, renamed, duplicated; values swapped or replaced by other scalars and collections), each
// through `lab validate`'s own entry point, in process. Every mutant either validates or is refused with exit 2 and
// every line at file:line:col inside the file; nothing else is ever thrown, so `lab` never says "internal error".
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isCollection, isPair, isScalar, parseDocument, visit, type Document, type Node, type Pair, type Scalar } from 'yaml';
import { validateCommand } from '../commands/spec.js';
import { exitCodeOf, SpecError } from '../errors.js';

const SEED = readFileSync(new URL('../../labs/lvs-nat.yaml', import.meta.url), 'utf8');
const MUTANTS = 400;

/** mulberry32: a small seeded PRNG, so every run checks the same mutants. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'client', 'proxy', 'web1', 'web2', 'director', 'real-server', 'public', 'private'];
const ADDRESSES = ['192.168.4.5', '192.168.2.5', '192.168.4.10', '192.168.2.100', '192.168.4.0', '192.168.4.255', '192.168.2.255', '0.0.0.0', '255.255.255.255', '192.168.2.500', '192.168.4.0/24', '192.168.2.0/24', '10.0.0.0/8', '192.168.4.5/32', '192.168.2.1/24'];
const WORDS = ['nat', 'dr', 'tun', 'tcp', 'udp', 'rr', 'wrr', 'sh', 'balancing', 'path', 'real-servers', 'assigned', 'absent', 'running', 'net.ipv4.ip_forward', '', ' ', 'x', 'a'.repeat(300), 'Web1', '1x', 'ünï'];
const NUMBERS = [0, 1, -1, 2, 8, 80, 255, 256, 1000, 65535, 65536, 1.5, 1e21, Number.NaN];
const SCALARS: unknown[] = [...NAMES, ...ADDRESSES, ...WORDS, ...NUMBERS, true, false, null];
const COLLECTIONS: unknown[] = [[], {}, ['client'], { client: 1 }, [{ host: 'web1' }], { public: '192.168.4.11' }, [[]]];
const KEYS = ['role', 'interfaces', 'gateway', 'vip', 'director', 'port', 'hosts', 'networks', 'check', 'from', 'real_servers', 'weight', 'memory', 'x', '', ...NAMES];
/** Keys whose maps are records keyed by user names. */
const RECORDS = ['hosts', 'networks', 'interfaces', 'sysctl'];
/** Text that YAML reads specially, for text-level replacements. */
const TOKENS = ['*x', '&a', '!!int', '!!binary', '!tag', '[', ']', '{', '}', '"', "'", ':', '- ', '#', '? ', '|', '>', '%YAML 1.1', '---', '...', '@', '`', '\t', ': :', '<<', '*a', ...NAMES, ...ADDRESSES, '0x10', '0o7', '.inf', '~', 'null', 'yes'];

type Rand = () => number;
const pick = <T,>(rand: Rand, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** Every pair and every scalar of the document, with the collection that holds it. */
function nodes(doc: Document): { pairs: { pair: Pair; map: { items: unknown[] }; record: boolean }[]; items: { seq: { items: unknown[] }; i: number }[]; scalars: Scalar[] } {
  const pairs: { pair: Pair; map: { items: unknown[] }; record: boolean }[] = [];
  const items: { seq: { items: unknown[] }; i: number }[] = [];
  const scalars: Scalar[] = [];
  visit(doc, {
    Map: (_k, map, path) => {
      const parent = path[path.length - 1];
      const record = isPair(parent) && isScalar(parent.key) && RECORDS.includes(String(parent.key.value));
      for (const p of map.items) pairs.push({ pair: p as Pair, map, record });
    },
    Seq: (_k, seq) => {
      seq.items.forEach((_x, i) => items.push({ seq, i }));
    },
    Scalar: (_k, s) => {
      scalars.push(s);
    },
  });
  return { pairs, items, scalars };
}

/** One change to the parsed document: delete, rename, duplicate, swap or replace. */
function mutateDoc(doc: Document, rand: Rand): void {
  const { pairs, items, scalars } = nodes(doc);
  if (pairs.length < 2 || scalars.length < 2) return;
  const op = Math.floor(rand() * 9);
  if (op === 0) {
    const { pair, map } = pick(rand, pairs);
    map.items.splice(map.items.indexOf(pair), 1);
  } else if (op === 1 && items.length > 0) {
    // Delete or duplicate a list item (a service, a real server, a check).
    const { seq, i } = pick(rand, items);
    if (rand() < 0.5) seq.items.splice(i, 1);
    else seq.items.splice(i, 0, doc.createNode((seq.items[i] as Node).toJSON()));
  } else if (op === 2) {
    // Rename a key, often a host's, network's or interface's name, often to a name that is also a built-in of Object.prototype.
    const records = pairs.filter((p) => p.record);
    const name = rand() < 0.4 ? 'constructor' : rand() < 0.6 ? pick(rand, NAMES) : pick(rand, KEYS);
    pick(rand, rand() < 0.6 ? records : pairs).pair.key = doc.createNode(name);
  } else if (op === 3) {
    const { pair, map } = pick(rand, pairs);
    map.items.push(doc.createPair(isScalar(pair.key) ? pair.key.value : 'x', (pair.value as Node | null)?.toJSON?.() ?? null));
  } else if (op === 4) {
    // Swap the values of two keys of the same name (two roles, two gateways, two hosts), or of any two.
    const a = pick(rand, pairs).pair;
    const same = pairs.filter(({ pair }) => pair !== a && isScalar(pair.key) && isScalar(a.key) && pair.key.value === a.key.value);
    const b = same.length > 0 && rand() < 0.8 ? pick(rand, same).pair : pick(rand, pairs).pair;
    [a.value, b.value] = [b.value, a.value];
  } else if (op === 5) {
    const a = pick(rand, scalars);
    const b = pick(rand, scalars);
    [a.value, b.value] = [b.value, a.value];
  } else {
    const { pair } = pick(rand, pairs);
    const value = rand() < 0.8 ? pick(rand, SCALARS) : pick(rand, COLLECTIONS);
    if (rand() < 0.7 || !isCollection(pair.value)) pair.value = doc.createNode(value);
    else {
      const inner = (pair.value as { items: unknown[] }).items;
      if (inner.length > 0) {
        const at = Math.floor(rand() * inner.length);
        const item = inner[at];
        if (isPair(item)) item.value = doc.createNode(value);
        else inner[at] = doc.createNode(value);
      }
    }
  }
}

/** One change to the text: lines deleted, swapped, duplicated, re-indented; a token replaced by YAML syntax or a value. */
function mutateText(text: string, rand: Rand): string {
  const lines = text.split('\n');
  const i = Math.floor(rand() * lines.length);
  const j = Math.floor(rand() * lines.length);
  const op = Math.floor(rand() * 7);
  if (op === 0) lines.splice(i, 1);
  else if (op === 1) [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  else if (op === 2) lines.splice(i, 0, lines[j]!);
  else if (op === 3) lines[i] = rand() < 0.5 ? ` ${lines[i]}` : lines[i]!.replace(/^ {1,2}/, '');
  else if (op === 4 || op === 5) {
    const tokens = [...lines[i]!.matchAll(/[A-Za-z0-9_.\/-]+/g)];
    if (tokens.length === 0) lines[i] = `${lines[i]}${pick(rand, TOKENS)}`;
    else {
      const t = pick(rand, tokens);
      lines[i] = lines[i]!.slice(0, t.index) + pick(rand, op === 4 ? TOKENS : SCALARS.map(String)) + lines[i]!.slice(t.index! + t[0].length);
    }
  } else if (op === 6) {
    // Aliases: one to an anchor that is not there, or an anchor and aliases that multiply.
    const at = lines.findIndex((l, k) => k >= i && /: \S/.test(l));
    if (at >= 0) lines[at] = lines[at]!.replace(/: (\S.*)$/, rand() < 0.6 ? ': *nowhere' : ': &v [$1, $1, $1, $1, $1, $1, $1, $1, $1, $1, $1]');
    if (at >= 0 && lines[at]!.includes('&v')) lines.splice(at + 1, 0, ...Array.from({ length: 12 }, (_, k) => `x${k}: [*v, *v, *v, *v, *v, *v, *v, *v, *v, *v]`));
  }
  return lines.join('\n');
}

function mutant(n: number): string {
  const rand = prng(0x5eed + n);
  const ops = 1 + Math.floor(rand() * 3);
  if (rand() < 0.6) {
    const doc = parseDocument(SEED);
    for (let k = 0; k < ops; k++) mutateDoc(doc, rand);
    return doc.toString();
  }
  let text = SEED;
  for (let k = 0; k < ops; k++) text = mutateText(text, rand);
  return text;
}

const dir = mkdtempSync(join(tmpdir(), 'lab-mutants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mutants of labs/lvs-nat.yaml through lab validate', () => {
  it(`${MUTANTS} seeded mutants: each validates, or is refused with exit 2 and every line at file:line:col`, async () => {
    mkdirSync(join(dir, 'labs'));
    mkdirSync(join(dir, 'playbooks'));
    copyFileSync(new URL('../../playbooks/lvs-nat.yaml', import.meta.url), join(dir, 'playbooks', 'lvs-nat.yaml'));
    const file = join(dir, 'labs', 'lvs-nat.yaml');
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const positioned = new RegExp(`^${escaped}:(\\d+):(\\d+): \\S`);
    let accepted = 0;
    const refusals = new Map<string, number>();
    const unexpected: string[] = [];
    try {
      writeFileSync(file, SEED);
      expect(await validateCommand(file)).toBe(0);
      for (let n = 0; n < MUTANTS; n++) {
        const text = mutant(n);
        writeFileSync(file, text);
        const lineCount = text.split('\n').length;
        try {
          expect(await validateCommand(file)).toBe(0);
          accepted++;
        } catch (e) {
          const bad = (why: string) => unexpected.push(`mutant ${n}: ${why}\n--- mutant ---\n${text}\n---`);
          if (!(e instanceof SpecError)) {
            bad(`${(e as Error)?.constructor?.name}: ${(e as Error)?.message} (exit ${exitCodeOf(e)})`);
            continue;
          }
          if (exitCodeOf(e) !== 2) bad(`exit ${exitCodeOf(e)}`);
          if (e.problems.length === 0) bad('a SpecError with no lines');
          for (const line of e.problems) {
            const m = positioned.exec(line);
            if (!m) bad(`not at file:line:col: ${line}`);
            else if (Number(m[1]) < 1 || Number(m[1]) > lineCount || Number(m[2]) < 1) bad(`position outside the file (${lineCount} lines): ${line}`);
            if (/internal error/i.test(line)) bad(`internal error: ${line}`);
          }
          const kind = e.problems[0]!.replace(positioned, '').replace(/\d+/g, 'N').slice(0, 60);
          refusals.set(kind, (refusals.get(kind) ?? 0) + 1);
        }
      }
    } finally {
      out.mockRestore();
    }
    expect(unexpected.slice(0, 3).join('\n\n')).toBe('');
    const refused = [...refusals.values()].reduce((a, b) => a + b, 0);
    expect(accepted + refused).toBe(MUTANTS);
    // The mutants reach many different rules, and not only YAML syntax: the test would notice a validator that
    // refused everything, or one that never got past the parser.
    expect(refused).toBeGreaterThan(MUTANTS / 2);
    expect(accepted).toBeGreaterThan(5);
    expect(refusals.size).toBeGreaterThan(40);
  }, 60_000);

  it('the mutator is deterministic and makes different mutants', () => {
    expect(mutant(7)).toBe(mutant(7));
    expect(new Set(Array.from({ length: 50 }, (_, n) => mutant(n))).size).toBeGreaterThan(45);
  });
});
