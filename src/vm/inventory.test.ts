// Inventory YAML: snake_case on disk, camelCase in memory, round trip, one-line errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadLab } from '../spec/load.js';
import { macFor } from './identity.js';
import { defaultInventoryPath, inventoryToYaml, parseInventory, readInventoryFile, vmInventory, writeInventoryFile } from './inventory.js';

describe('inventory', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'lab-home-'));
    process.env.LAB_HOME = home;
  });
  afterEach(() => {
    delete process.env.LAB_HOME;
  });

  it('writes snake_case YAML and reads back the same Inventory', async () => {
    const { lab } = await loadLab('lvs-nat');
    const inv = vmInventory(lab, 'alice', { client: 40001, proxy: 40002, web1: 40003, web2: 40004 });
    const yaml = inventoryToYaml(inv);
    expect(yaml).toContain('identity_file:');
    expect(yaml).toContain('known_hosts:');
    expect(yaml).not.toContain('identityFile');
    const path = defaultInventoryPath('alice');
    expect(path).toBe(join(home, 'alice', 'inventory.yaml'));
    writeInventoryFile(join(home, 'inv.yaml'), inv);
    const back = readInventoryFile(join(home, 'inv.yaml'));
    expect(back).toEqual(inv);
    expect(back.hosts.proxy).toMatchObject({
      name: 'proxy',
      address: '127.0.0.1',
      port: 40002,
      user: 'root',
      identityFile: join(home, 'alice', 'id_ed25519'),
      knownHosts: join(home, 'alice', 'known_hosts'),
      interfaces: { public: { mac: macFor('alice', 'proxy', 'public') }, private: { mac: macFor('alice', 'proxy', 'private') } },
      management: { mac: macFor('alice', 'proxy', 'mgmt') },
    });
  });

  it('rejects a bad file with one line naming the field and its position', () => {
    expect(() => parseInventory('x.yaml', 'lab: l\nhosts:\n  a: { port: 22 }\n')).toThrow(/^x\.yaml:3:6: hosts\.a\.address: /);
    const p = join(home, 'bad.yaml');
    writeFileSync(p, 'lab: [');
    expect(() => readInventoryFile(p)).toThrow(/bad\.yaml:1:\d+: /);
    expect(() => readInventoryFile(join(home, 'none.yaml'))).toThrow(/cannot read the inventory/);
  });
});
