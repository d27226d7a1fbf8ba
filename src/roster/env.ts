// ${VAR} references in a roster: expand them from the environment, remember every value as a secret, point at unset ones.
import { isScalar, visit, type Scalar } from 'yaml';
import { t } from '../i18n/index.js';
import { where, type SourceDoc } from '../spec/yaml.js';
import { MIN_SECRET } from './redact.js';

const REF = /\$\$|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface Expansion {
  /** Every value that came from the environment: never to be shown. */
  secrets: string[];
  /** Unset or malformed references, each at file:line:col; the reference is left as written. */
  problems: string[];
}

/** Offset of `needle` inside the scalar's source text, so the error points at the reference itself. */
function offsetOf(src: SourceDoc, text: string, node: Scalar, needle: string): number {
  const [start = 0, end = start] = node.range ?? [];
  const i = text.slice(start, end).indexOf(needle);
  return i < 0 ? start : start + i;
}

/** Replace ${VAR} in every string value (not keys) in place; `$$` stands for a literal `$`. */
export function expandEnv(src: SourceDoc, text: string, env: NodeJS.ProcessEnv): Expansion {
  const secrets = new Set<string>();
  const problems: string[] = [];
  visit(src.doc, {
    Scalar(key, node) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const value = node.value.replace(REF, (whole: string, name: string | undefined) => {
        if (whole === '$$') return '$';
        if (name === undefined || !NAME.test(name)) {
          problems.push(`${where(src, offsetOf(src, text, node, whole))}: ${t('inventory.badReference', { ref: whole })}`);
          return whole;
        }
        const v = env[name];
        if (v === undefined) {
          problems.push(`${where(src, offsetOf(src, text, node, whole))}: ${t('inventory.unsetVariable', { ref: `\${${name}}` })}`);
          return whole;
        }
        if (v !== '' && v.length < MIN_SECRET) {
          problems.push(`${where(src, offsetOf(src, text, node, whole))}: ${t('inventory.shortSecret', { ref: `\${${name}}`, min: MIN_SECRET })}`);
          return whole;
        }
        if (v !== '') secrets.add(v);
        return v;
      });
      if (value !== node.value && isScalar(node)) node.value = value;
    },
  });
  return { secrets: [...secrets], problems };
}
