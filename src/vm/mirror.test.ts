// The host's apt sources → the Debian main archive URI, never a security or third-party archive.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeb822Sources, parseOneLineSources, pickDebianMirror, resolveMirror } from './mirror.js';

const DEB822 = `Types: deb
# http://snapshot.example.invalid/archive/debian/20250520T000000Z
URIs: http://mirror.example.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example.invalid/debian-security
Suites: bookworm-security
Components: main
`;

describe('apt sources', () => {
  it('parses deb822 stanzas', () => {
    const s = parseDeb822Sources(DEB822);
    expect(s).toHaveLength(2);
    expect(s[0]).toEqual({ types: ['deb'], uris: ['http://mirror.example.invalid/debian'], suites: ['bookworm', 'bookworm-updates'], components: ['main'] });
  });

  it('parses one-line entries with options and comments', () => {
    const s = parseOneLineSources('# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://a.example.invalid/debian bookworm main contrib # tail\ndeb-src http://a.example.invalid/debian bookworm main\n');
    expect(s).toEqual([
      { types: ['deb'], uris: ['http://a.example.invalid/debian'], suites: ['bookworm'], components: ['main', 'contrib'] },
      { types: ['deb-src'], uris: ['http://a.example.invalid/debian'], suites: ['bookworm'], components: ['main'] },
    ]);
  });

  it('picks the main archive, not security, not third-party, not deb-src', () => {
    const sources = [
      ...parseOneLineSources('deb https://vendor.example.invalid/apt cloud-sdk-bookworm main\ndeb-src http://src.example.invalid/debian bookworm main'),
      ...parseDeb822Sources('Types: deb\nURIs: https://node.example.invalid/node_20.x\nSuites: nodistro\nComponents: main\n'),
      ...parseDeb822Sources(DEB822),
    ];
    expect(pickDebianMirror(sources)).toBe('http://mirror.example.invalid/debian');
  });

  it('skips disabled stanzas and finds nothing when there is nothing', () => {
    expect(pickDebianMirror(parseDeb822Sources('Enabled: no\nTypes: deb\nURIs: http://x.example.invalid/debian\nSuites: bookworm\n'))).toBeUndefined();
    expect(pickDebianMirror(parseOneLineSources('deb http://x.example.invalid/debian-security bookworm-security main'))).toBeUndefined();
  });

  it('reads sources.list, *.list and *.sources but ignores other files', () => {
    const etc = mkdtempSync(join(tmpdir(), 'lab-apt-'));
    mkdirSync(join(etc, 'sources.list.d'));
    writeFileSync(join(etc, 'sources.list.d', 'debian.sources.disabled'), 'Types: deb\nURIs: http://wrong.example.invalid/debian\nSuites: bookworm\n');
    writeFileSync(join(etc, 'sources.list.d', 'local.list'), 'deb http://right.example.invalid/debian/ bookworm main\n');
    expect(resolveMirror(undefined, etc)).toBe('http://right.example.invalid/debian');
    expect(resolveMirror('http://given.example.invalid/debian/', etc)).toBe('http://given.example.invalid/debian');
    expect(() => resolveMirror(undefined, join(etc, 'none'))).toThrow(/--mirror/);
  });
});
