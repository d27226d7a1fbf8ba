// YAML documents with source positions: parse, and turn a value path into file:line:col.
import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { SpecError, UsageError } from '../errors.js';

export interface SourceDoc {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export async function readYaml(file: string): Promise<SourceDoc> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseYaml(file, text);
}

export function parseYaml(file: string, text: string): SourceDoc {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const src = { file, doc, lines };
  if (doc.errors.length > 0) {
    throw new SpecError(doc.errors.map((e) => `${where(src, e.pos[0])}: ${e.message.split('\n')[0]}`));
  }
  return src;
}

export function where(src: SourceDoc, offset: number): string {
  const { line, col } = src.lines.linePos(offset);
  return `${src.file}:${line}:${col}`;
}

/** Position of the node at `path`, or of the deepest ancestor that exists; keys point at the key itself. */
export function locate(src: SourceDoc, path: readonly PropertyKey[], atKey = false): string {
  let node: unknown = src.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const seg of path) {
    if (!node || typeof node !== 'object' || !('items' in node)) break;
    const items = (node as { items: unknown[] }).items;
    let next: unknown;
    if (isMap(node)) {
      const pair = items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!isPair(pair)) break;
      const keyNode = pair.key as Node;
      if (atKey && seg === path[path.length - 1]) return where(src, keyNode.range?.[0] ?? offset);
      next = pair.value ?? keyNode;
      offset = (pair.value as Node | null)?.range?.[0] ?? keyNode.range?.[0] ?? offset;
    } else {
      next = items[Number(seg)];
      offset = (next as Node | undefined)?.range?.[0] ?? offset;
    }
    node = next;
  }
  return where(src, offset);
}

export function dotted(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(top)';
}

/** zod issues → `file:line:col: path: message` lines, unknown keys pointed at the key. */
export function issueLines(src: SourceDoc, issues: readonly z.core.$ZodIssue[]): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push(`${locate(src, path, true)}: ${dotted(path)}: unknown key (allowed: ${allowedKeys(issue)})`);
      }
      continue;
    }
    if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
      out.push(`${locate(src, issue.path)}: ${dotted(issue.path)}: unknown check kind`);
      continue;
    }
    out.push(`${locate(src, issue.path)}: ${dotted(issue.path)}: ${issue.message}`);
  }
  return out;
}

function allowedKeys(issue: z.core.$ZodIssue): string {
  return (issue as { allowed?: string[] }).allowed?.join(', ') ?? 'see `lab schema`';
}
