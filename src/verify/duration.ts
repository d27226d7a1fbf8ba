// Parse --wait durations like 30s, 2m, 1m30s, 500ms or a bare number of seconds.
import { UsageError } from '../errors.js';
import { t } from '../i18n/index.js';

const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, option = '--wait'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) throw new UsageError(t('usage.duration', { option, text }));
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * UNIT[p[2]!]!, 0));
}
