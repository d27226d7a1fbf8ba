// The keeper's pure parts: its folder must be private, its messages survive any chunking, and what counts as the same connection.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostTarget } from '../../inventory/types.js';
import { keepKey, keeperDir, line, lineReader, persistSeconds, safeKeeperDir, type KeeperMessage } from './common.js';

const base = mkdtempSync(join(tmpdir(), 'lab-keeper-unit-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the keeper folder', () => {
  it('is $LAB_KEEPER_DIR, else $XDG_RUNTIME_DIR/lab, else a per-user folder in the temp dir', () => {
    expect(keeperDir({ LAB_KEEPER_DIR: '/x/y' })).toBe('/x/y');
    expect(keeperDir({ XDG_RUNTIME_DIR: '/run/user/1000' })).toBe('/run/user/1000/lab');
    expect(keeperDir({})).toBe(join(tmpdir(), `lab-${process.getuid!()}`));
  });

  it('is created 0700; one that others can enter, or a symlink, means no keeper', () => {
    const fresh = join(base, 'fresh');
    expect(safeKeeperDir({ LAB_KEEPER_DIR: fresh })).toBe(fresh);
    const open = join(base, 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    expect(safeKeeperDir({ LAB_KEEPER_DIR: open })).toBeUndefined();
    const link = join(base, 'link');
    symlinkSync(fresh, link);
    expect(safeKeeperDir({ LAB_KEEPER_DIR: link })).toBeUndefined();
  });
});

describe('LAB_PERSIST', () => {
  it('defaults to 60 s, takes seconds, and 0 turns the keeper off', () => {
    expect(persistSeconds({})).toBe(60);
    expect(persistSeconds({ LAB_PERSIST: '5' })).toBe(5);
    expect(persistSeconds({ LAB_PERSIST: '0' })).toBe(0);
    expect(persistSeconds({ LAB_PERSIST: 'soon' })).toBe(60);
  });
});

describe('messages', () => {
  it('arrive whole however the stream cuts them, newlines and non-ASCII inside strings included', () => {
    const msgs: KeeperMessage[] = [
      { op: 'out', id: 1, data: 'line 1\nline 2\n' },
      { op: 'out', id: 1, data: '网卡 ens33 \u0000 "quoted"' },
      { op: 'exit', id: 1, code: 0, stderr: '' },
    ];
    const bytes = Buffer.from(msgs.map(line).join(''));
    for (const size of [1, 3, 7, bytes.length]) {
      const got: KeeperMessage[] = [];
      const read = lineReader<KeeperMessage>((m) => got.push(m));
      // Cut on bytes, as a socket may, even inside a multi-byte character.
      for (let i = 0; i < bytes.length; i += size) read(bytes.subarray(i, i + size));
      expect(got, `chunks of ${size}`).toEqual(msgs);
    }
  });
});

describe('the same connection', () => {
  const t: HostTarget = { name: 'web1', address: '127.0.0.1', port: 2222, user: 'root', identityFile: '/k', knownHosts: '/kh' };
  it('is the same address, port, user, key, known_hosts, agent and sudo; the lab host name does not matter', () => {
    expect(keepKey({ ...t, name: 'other' }, undefined)).toBe(keepKey(t, undefined));
    for (const other of [{ ...t, port: 2223 }, { ...t, user: 'vagrant' }, { ...t, identityFile: '/k2' }, { ...t, knownHosts: '/kh2' }, { ...t, sudo: true }, { ...t, recordNewKeys: true }])
      expect(keepKey(other, undefined)).not.toBe(keepKey(t, undefined));
    expect(keepKey(t, '/agent.sock')).not.toBe(keepKey(t, undefined));
  });

  it('is checked against the same known_hosts files: every user and global file, and the HostKeyAlias', () => {
    const f = { user: ['/u1', '/u2'], global: ['/g1'] };
    expect(keepKey(t, undefined, { ...f })).toBe(keepKey(t, undefined, f));
    for (const other of [{ ...f, user: ['/u1'] }, { ...f, global: ['/g1', '/g2'] }, { ...f, global: [] }, { ...f, alias: 'web1' }])
      expect(keepKey(t, undefined, other)).not.toBe(keepKey(t, undefined, f));
  });
});
