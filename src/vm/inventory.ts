// The inventory a lab instance's VMs produce: written as snake_case YAML, read back as Inventory.
import type { HostTarget, Inventory } from '../inventory/types.js';
import type { Lab } from '../spec/schema.js';
import { nicHints } from './identity.js';
import { instanceFiles } from './paths.js';

export { defaultInventoryPath } from './paths.js';

/** The inventory of an instance's VMs: SSH to 127.0.0.1:PORT as root with the lab key and known_hosts; NICs by the MACs of each VM's identity. */
export function vmInventory(lab: Lab, instance: string, ports: Record<string, number>, identities: Record<string, string | undefined> = {}): Inventory {
  const files = instanceFiles(instance);
  const hosts: Record<string, HostTarget> = {};
  for (const [name, spec] of Object.entries(lab.hosts)) {
    const port = ports[name];
    if (port === undefined) continue;
    hosts[name] = {
      name,
      address: '127.0.0.1',
      port,
      user: 'root',
      identityFile: files.key,
      knownHosts: files.knownHosts,
      ...nicHints(identities[name] ?? instance, name, Object.keys(spec.interfaces)),
    };
  }
  return { lab: lab.name, source: 'vm', hosts };
}

// Reading and writing the file is shared with every other inventory source.
export { inventoryToYaml, parseInventory, readInventoryFile, writeInventoryFile } from '../inventory/file.js';
