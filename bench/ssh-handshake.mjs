// SSH handshake cost per algorithm set, against one host of a `lab vm` instance (run as root, VMs up).
//   node bench/ssh-handshake.mjs PORT IDENTITY_FILE [RUNS]
// Prints the median time to an authenticated connection for each set, and the median of a first `exec true`.
// Host keys are not checked here: it only ever connects to 127.0.0.1, to a VM of this machine.
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';

const [port, identity, runs = '8'] = process.argv.slice(2);
if (!port || !identity) {
  process.stderr.write('usage: node bench/ssh-handshake.mjs PORT IDENTITY_FILE [RUNS]\n');
  process.exit(2);
}
const sets = {
  'ssh2 default': undefined,
  'curve25519 + chacha20-poly1305': { kex: ['curve25519-sha256'], cipher: ['chacha20-poly1305@openssh.com'], serverHostKey: ['ssh-ed25519'] },
  'curve25519 + aes128-gcm': { kex: ['curve25519-sha256'], cipher: ['aes128-gcm@openssh.com'], serverHostKey: ['ssh-ed25519'] },
  'curve25519 + aes128-ctr/hmac-sha2-256': { kex: ['curve25519-sha256'], cipher: ['aes128-ctr'], hmac: ['hmac-sha2-256'], serverHostKey: ['ssh-ed25519'] },
  'ecdh-nistp256 + aes128-gcm': { kex: ['ecdh-sha2-nistp256'], cipher: ['aes128-gcm@openssh.com'], serverHostKey: ['ssh-ed25519'] },
  'dh-group14-sha256 + aes128-gcm': { kex: ['diffie-hellman-group14-sha256'], cipher: ['aes128-gcm@openssh.com'], serverHostKey: ['ssh-ed25519'] },
};
const key = readFileSync(identity);

function once(algorithms, command) {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    const t0 = process.hrtime.bigint();
    const since = (t) => Number(process.hrtime.bigint() - t) / 1e6;
    c.on('ready', () => {
      const ready = since(t0);
      if (!command) {
        c.end();
        return resolve({ ready, exec: 0 });
      }
      const t1 = process.hrtime.bigint();
      c.exec(command, (err, s) => {
        if (err) return reject(err);
        s.on('data', () => {});
        s.stderr.on('data', () => {});
        s.on('close', () => {
          c.end();
          resolve({ ready, exec: since(t1) });
        });
      });
    });
    c.on('error', reject);
    c.connect({ host: '127.0.0.1', port: Number(port), username: 'root', privateKey: key, algorithms, hostVerifier: () => true });
  });
}

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [name, algorithms] of Object.entries(sets)) {
  const t = [];
  for (let i = 0; i < Number(runs); i++) t.push((await once(algorithms)).ready);
  console.log(`${name.padEnd(40)} median ${median(t).toFixed(0)} ms  [${t.map((x) => x.toFixed(0)).join(' ')}]`);
}
const e = [];
for (let i = 0; i < Number(runs); i++) e.push((await once(undefined, 'true')).exec);
console.log(`${'first exec of `true`'.padEnd(40)} median ${median(e).toFixed(0)} ms  [${e.map((x) => x.toFixed(0)).join(' ')}]`);
