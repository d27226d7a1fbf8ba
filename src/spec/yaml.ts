// YAML documents with source positions: parse, and turn a value path into file:line:col.
import { open } from 'node:fs/promises';
import {
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import { z } from 'zod';
import { SpecError, UsageError } from '../errors.js';
import { t } from '../i18n/index.js';

export interface SourceDoc {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain data (`doc.toJS()`), converted once: aliases resolved and checked. */
  data: unknown;
}

/** A spec, playbook or roster is a few KiB; anything past this is refused before it is parsed. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** How many nodes aliases may expand to (the yaml package's default), against alias bombs. */
const MAX_ALIAS_COUNT = 100;

function tooBig(file: string, bytes: number): SpecError {
  return new SpecError([
    `${file}:1:1: ${t('spec.yaml.tooBig', { bytes, max: MAX_YAML_BYTES })}`,
  ]);
}

export async function readYaml(file: string): Promise<SourceDoc> {
  let text: string;
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      if (size > MAX_YAML_BYTES) throw tooBig(file, size);
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof SpecError) throw e;
    throw new UsageError(`${file}: ${t('spec.yaml.cannotRead', { code: (e as NodeJS.ErrnoException).code ?? String(e) })}`);
  }
  return parseYaml(file, text);
}

/** Codes of mistakes in the document's structure, after which the parser's further errors mostly follow from the first. */
const HINTS: Partial<Record<YAMLError['code'], () => string>> = {
  BAD_INDENT: () => t('spec.yaml.hint.badIndent'),
  TAB_AS_INDENT: () => t('spec.yaml.hint.tabAsIndent'),
  BLOCK_AS_IMPLICIT_KEY: () => t('spec.yaml.hint.blockAsImplicitKey'),
  MULTILINE_IMPLICIT_KEY: () => t('spec.yaml.hint.multilineImplicitKey', { colon: ': ' }),
  UNEXPECTED_TOKEN: () => t('spec.yaml.hint.unexpectedToken'),
  MISSING_CHAR: () => t('spec.yaml.hint.missingChar'),
  TAG_RESOLVE_FAILED: () => t('spec.yaml.hint.tagResolveFailed'),
};

/** The parser's messages that speak of its API rather than of the file. */
const MESSAGES: Partial<Record<YAMLError['code'], () => string>> = {
  MULTIPLE_DOCS: () => t('spec.yaml.multipleDocs'),
};

function yamlErrorLine(src: Omit<SourceDoc, 'data'>, e: YAMLError): string {
  const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const message = /Maximum call stack size exceeded/.test(first) ? t('spec.yaml.tooDeep') : (MESSAGES[e.code]?.() ?? first);
  const hint = HINTS[e.code]?.();
  return `${where(src, e.pos[0])}: ${hint ? t('spec.yaml.withHint', { message, hint }) : message}`;
}

interface Found {
  pos: number;
  /** The problem line, or how to render it (only the lines shown are). */
  line: string | (() => string);
  /** A mistake in the document's structure, after which the parser's further errors mostly follow from it. */
  structural: boolean;
}

/**
 * The YAML errors worth showing: warnings and duplicate keys each stand alone, but after the first mistake in the
 * structure (indentation, a stray character) the parser's further errors are mostly its consequences, so only
 * that first one is shown, with how many more follow.
 */
function yamlProblems(src: Omit<SourceDoc, 'data'>, duplicates: Found[]): string[] {
  const all: Found[] = [
    ...[...src.doc.errors, ...src.doc.warnings].map((e) => ({ pos: e.pos[0], line: () => yamlErrorLine(src, e), structural: e.name !== 'YAMLWarning' })),
    ...duplicates,
  ].sort((a, b) => a.pos - b.pos);
  const out: (string | (() => string))[] = [];
  for (const [i, e] of all.entries()) {
    if (!e.structural) {
      out.push(e.line);
      continue;
    }
    const rest = all.length - i - 1;
    const line = typeof e.line === 'string' ? e.line : e.line();
    out.push(rest > 0 ? t('spec.yaml.fixFirst', { line, count: rest }) : line);
    break;
  }
  return capLines(out);
}

/** Most aliases a lab file may have: resolving them costs the yaml package time quadratic in their number. */
export const MAX_ALIASES = 1000;

/**
 * One pass over the document: duplicate keys (the yaml package's own check is quadratic in a mapping's size; two keys
 * that JavaScript would make one, such as 1 and "1", count as the same), `__proto__` keys, and too many aliases.
 */
function scan(src: Omit<SourceDoc, 'data'>): { duplicates: Found[]; proto: (() => string)[]; aliases: string[] } {
  const duplicates: Found[] = [];
  const proto: (() => string)[] = [];
  const aliases: string[] = [];
  let aliasCount = 0;
  visit(src.doc, {
    Map: (_k, map) => {
      const keys = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const pos = pair.key.range?.[0] ?? 0;
        if (keys.has(key)) duplicates.push({ pos, line: () => `${where(src, pos)}: ${t('spec.yaml.duplicateKey', { key })}`, structural: false });
        keys.add(key);
      }
    },
    Pair: (_k, pair, path) => {
      if (!isScalar(pair.key) || String(pair.key.value) !== '__proto__') return;
      const chain = [...path, pair];
      const keys = chain.flatMap((n, i) => {
        if (isPair(n)) return [isScalar(n.key) ? String(n.key.value) : '?'];
        if (isSeq(n)) return [String(n.items.indexOf(chain[i + 1] as never))];
        return [];
      });
      const at = where(src, pair.key.range?.[0] ?? 0);
      proto.push(() => `${at}: ${dotted(keys)}: ${t('spec.yaml.protoKey', { key: '__proto__' })}`);
    },
    Alias: (_k, alias) => {
      aliasCount += 1;
      if (aliasCount === MAX_ALIASES + 1)
        aliases.push(`${where(src, alias.range?.[0] ?? 0)}: ${t('spec.yaml.tooManyAliases', { max: MAX_ALIASES })}`);
    },
  });
  return { duplicates, proto, aliases };
}

export function parseYaml(file: string, text: string): SourceDoc {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_YAML_BYTES) throw tooBig(file, bytes);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const partial = { file, doc, lines };
  const found = scan(partial);
  for (const problems of [yamlProblems(partial, found.duplicates), capLines(found.proto), found.aliases]) {
    if (problems.length > 0) throw new SpecError(problems);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new SpecError([aliasProblem(partial, e)]);
  }
  return { ...partial, data };
}

/** Most problem lines shown for one file: past them, the rest are counted on the last line. */
export const MAX_PROBLEMS = 20;

/** The first MAX_PROBLEMS lines, rendered only when shown; the last says how many more there are. */
export function capLines(lines: readonly (string | (() => string))[]): string[] {
  const shown = lines.slice(0, MAX_PROBLEMS).map((l) => (typeof l === 'string' ? l : l()));
  const rest = lines.length - shown.length;
  if (rest > 0) shown[shown.length - 1] = t('spec.yaml.moreProblems', { line: shown[shown.length - 1]!, count: rest });
  return shown;
}

/** Names for a message: all of them, or the first ten and how many more. */
export function nameList(names: readonly string[]): string {
  return names.length <= 10 ? names.join(', ') : t('spec.yaml.nameListMore', { names: names.slice(0, 10).join(', '), count: names.length - 10 });
}

/**
 * Where converting the document to data failed: an alias with no anchor before it, or aliases expanding past the
 * limit (accounted as the yaml package does, in document order, so the alias named is the one that crossed it).
 */
function aliasProblem(src: Omit<SourceDoc, 'data'>, err: unknown): string {
  const anchors = new Map<Node, { count: number; aliasCount: number }>();
  const seen: Node[] = [];
  const resolve = (source: string, before: number): Node | undefined => {
    let found: Node | undefined;
    for (const n of seen.slice(0, before)) if ((n as { anchor?: string }).anchor === source) found = n;
    return found;
  };
  const aliasCount = (node: unknown): number => {
    if (isAlias(node)) {
      const target = resolve(node.source, seen.indexOf(node as Node));
      const data = target && anchors.get(target);
      return data ? data.count * data.aliasCount : 0;
    }
    if (isCollection(node)) return Math.max(0, ...node.items.map(aliasCount));
    if (isPair(node)) return Math.max(aliasCount(node.key), aliasCount(node.value));
    return 1;
  };
  visit(src.doc, {
    Node: (_k, node) => {
      if (isAlias(node) || (node as { anchor?: string }).anchor) seen.push(node as Node);
    },
  });
  for (const [i, node] of seen.entries()) {
    if (!isAlias(node)) {
      anchors.set(node, { count: 0, aliasCount: 0 });
      continue;
    }
    const at = where(src, node.range?.[0] ?? 0);
    const target = resolve(node.source, i);
    if (!target) return `${at}: ${t('spec.yaml.unknownAlias', { alias: node.source })}`;
    const data = anchors.get(target)!;
    data.count += 1;
    if (data.aliasCount === 0) data.aliasCount = aliasCount(target);
    if (data.count * data.aliasCount > MAX_ALIAS_COUNT)
      return `${at}: ${t('spec.yaml.aliasBomb', { max: MAX_ALIAS_COUNT })}`;
  }
  const first = seen.find(isAlias);
  return `${where(src, first?.range?.[0] ?? 0)}: ${t('spec.yaml.aliasesUnresolved', { error: (err as Error).message })}`;
}

export function where(src: Pick<SourceDoc, 'file' | 'lines'>, offset: number): string {
  const { line, col } = src.lines.linePos(offset);
  return `${src.file}:${line}:${col}`;
}

/** Position of the node at `path`, or of the deepest ancestor that exists; keys point at the key itself. */
export function locate(src: Pick<SourceDoc, 'file' | 'lines' | 'doc'>, path: readonly PropertyKey[], atKey = false): string {
  let node: unknown = src.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const [i, seg] of path.entries()) {
    if (isAlias(node)) node = node.resolve(src.doc);
    if (!node || typeof node !== 'object' || !('items' in node)) break;
    const items = (node as { items: unknown[] }).items;
    let next: unknown;
    if (isMap(node)) {
      const pair = items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!isPair(pair)) break;
      const keyNode = pair.key as Node;
      if (atKey && i === path.length - 1) return where(src, keyNode.range?.[0] ?? offset);
      next = pair.value ?? keyNode;
      offset = (pair.value as Node | null)?.range?.[0] ?? keyNode.range?.[0] ?? offset;
    } else {
      next = items[Number(seg)];
      if (next === undefined) break;
      offset = (next as Node | undefined)?.range?.[0] ?? offset;
    }
    node = next;
  }
  return where(src, offset);
}

export function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(top)';
}

/** zod issues → `file:line:col: path: message` lines, unknown keys pointed at the key, with the keys allowed there. */
export function issueLines(src: SourceDoc, issues: readonly z.core.$ZodIssue[], schema?: z.ZodType): string[] {
  const out: (() => string)[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = (issue as { allowed?: string[] }).allowed ?? (schema ? allowedKeysAt(schema, src.data, issue.path) : undefined);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push(() => `${locate(src, path, true)}: ${dotted(path)}: ${allowed ? t('spec.issue.unknownKey', { keys: allowed.join(', ') }) : t('spec.issue.unknownKeySeeSchema')}`);
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      const inner = issue.issues.map((i) => i.message).join('; ');
      out.push(() => `${locate(src, issue.path, true)}: ${dotted(issue.path)}: ${t('spec.issue.invalidName', { name: String(issue.path[issue.path.length - 1]), reason: inner })}`);
      continue;
    }
    if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
      out.push(() => `${locate(src, issue.path)}: ${dotted(issue.path)}: ${t('spec.issue.unknownCheck')}`);
      continue;
    }
    if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) {
      out.push(() => `${locate(src, issue.path)}: ${dotted(issue.path)}: ${t('spec.issue.missing', { expected: issue.expected })}`);
      continue;
    }
    out.push(() => `${locate(src, issue.path)}: ${dotted(issue.path)}: ${issue.message}`);
  }
  return capLines(out);
}

/** The zod schema's definition, as far as walking it by path needs. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  values?: unknown[];
  getter?: () => z.ZodType;
}

const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Past wrappers (optional, default, pipes, lazy) to the schema that checks the value. */
function unwrap(s: z.ZodType, data: unknown): z.ZodType | undefined {
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe') s = defOf(d.in!).type === 'transform' ? d.out! : d.in!;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else if (d.type === 'union' && d.options) {
      const pick = unionOption(d, data);
      if (!pick) return undefined;
      s = pick;
    } else return s;
  }
  return undefined;
}

/** A union's option for this data: by the discriminator's value, or the only object option that fits. */
function unionOption(d: Def, data: unknown): z.ZodType | undefined {
  const options = d.options ?? [];
  if (d.discriminator && data && typeof data === 'object') {
    const value = (data as Record<string, unknown>)[d.discriminator];
    return options.find((o) => {
      const field = defOf(o).shape?.[d.discriminator!];
      return field !== undefined && (defOf(field).values ?? []).includes(value);
    });
  }
  // Without a discriminator: the one object option whose keys include all of the data's (a playbook task's module).
  const keys = data && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data) : [];
  const fits = options.filter((o) => defOf(o).type === 'object' && keys.every((k) => Object.hasOwn(defOf(o).shape!, k)));
  return fits.length === 1 ? fits[0] : undefined;
}

/** The keys the schema allows for the object at `path` of `data`, or undefined when the path cannot be followed. */
export function allowedKeysAt(schema: z.ZodType, data: unknown, path: readonly PropertyKey[]): string[] | undefined {
  let s: z.ZodType | undefined = unwrap(schema, data);
  let here = data;
  for (const seg of path) {
    if (!s) return undefined;
    const d = defOf(s);
    let next: z.ZodType | undefined;
    if (d.type === 'object') next = Object.hasOwn(d.shape!, String(seg)) ? d.shape![String(seg)] : undefined;
    else if (d.type === 'record') next = d.valueType;
    else if (d.type === 'array') next = d.element;
    here = here && typeof here === 'object' ? (here as Record<string, unknown>)[String(seg)] : undefined;
    s = next && unwrap(next, here);
  }
  if (!s) return undefined;
  const d = defOf(s);
  return d.type === 'object' ? Object.keys(d.shape!) : undefined;
}
