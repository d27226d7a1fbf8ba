// Record what `lab up` reads on each host: OUTDIR/HOST.facts.txt is the stdout of the one fact command up runs there.
// Usage (after `npm run build`): node scripts/record-facts.js LAB INVENTORY OUTDIR [HOST...]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInventoryFile } from '../dist/inventory/file.js';
import { loadPlaybook } from '../dist/playbook/load.js';
import { loadLab } from '../dist/spec/load.js';
import { FACT_PRELUDE, factScript } from '../dist/facts/script.js';
import { factQuery } from '../dist/run/facts.js';
import { sshArgs } from '../dist/vm/ssh.js';

const [labArg, invFile, outDir, ...only] = process.argv.slice(2);
if (!labArg || !invFile || !outDir) {
  process.stderr.write('usage: node scripts/record-facts.js LAB INVENTORY OUTDIR [HOST...]\n');
  process.exit(2);
}
const loaded = await loadLab(labArg);
const playbook = await loadPlaybook(loaded);
const inventory = readInventoryFile(invFile, loaded.lab);
mkdirSync(outDir, { recursive: true });

for (const host of Object.keys(loaded.lab.hosts)) {
  if (only.length > 0 && !only.includes(host)) continue;
  const h = inventory.hosts[host];
  if (!h.identityFile || !h.knownHosts) throw new Error(`${host}: the inventory gives no identity_file or known_hosts (record from a \`lab vm\` inventory)`);
  const script = FACT_PRELUDE + factScript(factQuery(loaded.lab, playbook, host));
  writeFileSync(join(outDir, `${host}.facts.txt`), execFileSync('ssh', [...sshArgs(h), 'sh -s'], { input: script, maxBuffer: 64 << 20 }));
  process.stderr.write(`${host}: recorded\n`);
}
