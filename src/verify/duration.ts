// Parse --wait durations like 30s, 2m, 1m30s, 500ms or a bare number of seconds.
import { UsageError } from '../errors.js';

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, option = '--wait'): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) throw new UsageError(`${option} ${text}: expected a duration like 30s, 2m or 1m30s`);
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * UNIT[p[2]!]!, 0));
}
