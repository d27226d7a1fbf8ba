// Property test: random strings survive quote() through a real /bin/sh byte for byte.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { argv, quote, raw, sh } from './quote.js';

const META = [...`'"\\$\`!*?[]{}()<>|&;#~ \t\n=%^,.:/-_@`];

function randomString(len: number): string {
  const bytes = randomBytes(len);
  let s = '';
  for (const b of bytes) {
    if (b % 3 === 0) s += META[b % META.length];
    else if (b % 3 === 1) s += String.fromCharCode(1 + (b % 126));
    else s += String.fromCodePoint(0x80 + b * 7);
  }
  return s;
}

describe('quote', () => {
  it('leaves plain words readable', () => {
    expect(quote('192.168.4.5:80')).toBe('192.168.4.5:80');
    expect(quote('/var/www/html/index.html')).toBe('/var/www/html/index.html');
    expect(quote('')).toBe("''");
    expect(quote('Wired connection 1')).toBe("'Wired connection 1'");
    expect(quote("it's")).toBe(`'it'\\''s'`);
  });

  it('rejects NUL', () => {
    expect(() => quote('a\0b')).toThrow(/NUL/);
  });

  it('round-trips 300 random strings with shell metacharacters through a real sh', () => {
    const samples = Array.from({ length: 300 }, (_, i) => randomString(1 + (i % 40)));
    samples.push("'", "''", '\\', '$(touch /tmp/pwned)', '`id`', '-n', '--', '*', '\n', ' lead', 'trail ');
    // One shell run: each argument printed NUL-terminated, so newlines survive too.
    const script = `for a in ${samples.map(quote).join(' ')}; do printf '%s\\0' "$a"; done`;
    const out = execFileSync('/bin/sh', ['-c', script]);
    const back = out.toString('utf8').split('\0').slice(0, -1);
    expect(back).toEqual(samples);
  });

  it('sh quotes interpolations but not literals, argv quotes every word', () => {
    const conn = 'Wired connection 2';
    expect(sh`nmcli connection up ${conn}`).toBe("nmcli connection up 'Wired connection 2'");
    expect(sh`a ${['x y', 'z']} ${raw('&&')} b`).toBe("a 'x y' z && b");
    expect(argv(['ipvsadm', '-A', '-t', '192.168.4.5:80', '-s', 'wrr'])).toBe('ipvsadm -A -t 192.168.4.5:80 -s wrr');
  });
});
