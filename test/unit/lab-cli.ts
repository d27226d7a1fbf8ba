// Shared by the CLI unit tests: run the built `lab` in a folder, and a loopback listener that counts connections.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';

const BIN = new URL('../../bin/lab.js', import.meta.url).pathname;

export function lab(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A listener on 127.0.0.1 where test hosts point: `count()` tells whether anything connected. */
export async function countingListener(): Promise<{ server: Server; port: number; count: () => number }> {
  let connections = 0;
  const server = createServer((s) => {
    connections += 1;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port, count: () => connections };
}
