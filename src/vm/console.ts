// The last lines of a VM's serial console log, cleaned for a one-line error message.
import { readFileSync } from 'node:fs';

export function consoleTail(path: string, lines = 5): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return '(no console output)';
  }
  const clean = text
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/[^\x20-\x7e\n]/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return clean.length > 0 ? clean.slice(-lines).join(' | ') : '(no console output)';
}
