// Ports: a taken port is never picked; a free preferred port is kept.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pickPort, portFree } from './ports.js';

describe('ports', () => {
  it('skips a taken port and keeps a free one', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const taken = (srv.address() as { port: number }).port;
    expect(await portFree(taken)).toBe(false);
    const other = await pickPort(new Set(), taken);
    expect(other).not.toBe(taken);
    srv.close();
    const free = await pickPort(new Set());
    expect(await pickPort(new Set(), free)).toBe(free);
    expect(await pickPort(new Set([free]), free)).not.toBe(free);
  });
});
