// Record what `lab verify` reads on each host, as test/fixtures/verify/STATE/ holds it: HOST.txt is the stdout of the
// one command verify runs there (fact command + probe), HOST.nm.txt that of its NetworkManager command.
// Usage (after `npm run build`): node scripts/record-verify.js LAB INVENTORY OUTDIR [HOST...]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInventoryFile } from '../dist/inventory/file.js';
import { loadPlaybook } from '../dist/playbook/load.js';
import { loadLab } from '../dist/spec/load.js';
import { FACT_PRELUDE } from '../dist/facts/script.js';
import { combinedScript, nmScript } from '../dist/verify/observe.js';
import { planVerify } from '../dist/verify/plan.js';
import { sshArgs } from '../dist/vm/ssh.js';

const [labArg, invFile, outDir, ...only] = process.argv.slice(2);
if (!labArg || !invFile || !outDir) {
  process.stderr.write('usage: node scripts/record-verify.js LAB INVENTORY OUTDIR [HOST...]\n');
  process.exit(2);
}
const loaded = await loadLab(labArg);
const plan = planVerify(loaded.lab, await loadPlaybook(loaded));
const inventory = readInventoryFile(invFile, loaded.lab);
mkdirSync(outDir, { recursive: true });

/** Run a script as the host's login shell would get it from lab: on stdin, over the system ssh, host key checked. */
function run(host, script) {
  const h = inventory.hosts[host];
  if (!h.identityFile || !h.knownHosts) throw new Error(`${host}: the inventory gives no identity_file or known_hosts (record from a \`lab vm\` inventory)`);
  return execFileSync('ssh', [...sshArgs(h), 'sh -s'], { input: script, maxBuffer: 64 << 20 });
}

for (const [host, need] of plan.hosts) {
  if (only.length > 0 && !only.includes(host)) continue;
  writeFileSync(join(outDir, `${host}.txt`), run(host, FACT_PRELUDE + combinedScript(need.facts, need.probe)));
  writeFileSync(join(outDir, `${host}.nm.txt`), run(host, nmScript()));
  process.stderr.write(`${host}: recorded\n`);
}
