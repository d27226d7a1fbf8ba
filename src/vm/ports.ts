// Free TCP ports on 127.0.0.1 for the VMs' SSH forwards.
import { createServer } from 'node:net';

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(got));
    });
  });
}

export async function portFree(port: number): Promise<boolean> {
  return (await listenOn(port)) === port;
}

/** `preferred` when it is free and not in `avoid`, else a fresh port from the kernel. */
export async function pickPort(avoid: Set<number>, preferred?: number): Promise<number> {
  if (preferred && !avoid.has(preferred) && (await portFree(preferred))) return preferred;
  for (let i = 0; i < 50; i++) {
    const port = await listenOn(0);
    if (port && !avoid.has(port)) return port;
  }
  throw new Error('no free TCP port on 127.0.0.1');
}
