// The complete inventory example in docs/inventory.md is one lab accepts for lvs-nat, field for field.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/file.js';
import { parseLab } from '../../src/spec/load.js';

const ROOT = new URL('../..', import.meta.url).pathname;

describe('docs/inventory.md', () => {
  it('its example is a valid lvs-nat inventory, read as the page says', () => {
    const doc = readFileSync(`${ROOT}docs/inventory.md`, 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const { lab } = parseLab('labs/lvs-nat.yaml', readFileSync(`${ROOT}labs/lvs-nat.yaml`, 'utf8'));
    // The files it names, next to it, as they would be in a class folder.
    const dir = mkdtempSync(join(tmpdir(), 'lab-inv-doc-'));
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys', 'lab_ed25519'), 'key\n');
    writeFileSync(join(dir, 'known_hosts'), '');
    let inv;
    try {
      inv = parseInventory(join(dir, 'inventory.yaml'), yaml, lab);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(Object.keys(inv.hosts).sort()).toEqual(['client', 'proxy', 'web1', 'web2']);
    expect(inv.hosts.client).toMatchObject({ address: '10.0.0.21', port: 22, user: 'student', identityFile: expect.stringMatching(/\/keys\/lab_ed25519$/), knownHosts: expect.stringMatching(/lab-inv-doc-\w+\/known_hosts$/), interfaces: { public: { device: 'ens224' } } });
    expect(inv.hosts.proxy).toMatchObject({ port: 2222, user: 'root', interfaces: { public: { mac: '00:50:56:aa:bb:01' }, private: { mac: '00:50:56:aa:bb:02' } }, management: { device: 'ens192' } });
    expect(inv.hosts.web1).toMatchObject({ address: 'web1.lab.example', password: 'Classroom-2026' });
    expect(inv.hosts.web2).toMatchObject({ agent: true, sudo: true });
  });
});
