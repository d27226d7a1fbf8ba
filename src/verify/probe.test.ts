// The probe's sections: curl records, ip route get, sysctl files and firewalld's zone, parsed from recorded text.
import { execFile, execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBatch, parseBusctlPorts, parseBusctlStrings, parseFirewall, parseHeldAnswer, parseHold, parseProbe, parseRequests, parseRouteGet, probeScript, sysctlPattern, emptyProbe } from './probe.js';
import { REUSED_CONNECTION } from './requests.js';

describe('probe parsing', () => {
  it('reads the request loop: body, HTTP status from the write-out, curl exit code', () => {
    const text = ['@@req', '192.168.2.100', '', '@@end 200', '@@rc 0', '@@req', '', '@@end 000', '@@rc 28', '@@req', 'no newline at end', '@@end 200', '@@rc 0', '@@req', '@@rc 127'].join('\n');
    expect(parseRequests(text)).toEqual([
      { exit: 0, http: 200, body: '192.168.2.100\n' },
      { exit: 28, http: 0, body: '' },
      { exit: 0, http: 200, body: 'no newline at end' },
      { exit: 127, http: 0, body: '' },
    ]);
  });

  it('reads ip route get: via, dev, src, or the error', () => {
    expect(parseRouteGet('192.168.4.10 via 192.168.2.5 dev ens4 src 192.168.2.100 uid 0')).toMatchObject({ ok: true, via: '192.168.2.5', dev: 'ens4', src: '192.168.2.100' });
    expect(parseRouteGet('192.168.4.5 dev ens4 src 192.168.4.10 uid 0')).toMatchObject({ ok: true, via: undefined, dev: 'ens4' });
    expect(parseRouteGet('RTNETLINK answers: Network is unreachable')).toMatchObject({ ok: false });
    // ip route get's whole output (iproute2 6.1, Debian 12): a trailing space, then the cache line.
    expect(parseRouteGet('192.168.4.10 via 192.168.2.5 dev ens3 src 192.168.2.100 uid 0 \n    cache \n')).toEqual({
      text: '192.168.4.10 via 192.168.2.5 dev ens3 src 192.168.2.100 uid 0',
      ok: true,
      via: '192.168.2.5',
      dev: 'ens3',
      src: '192.168.2.100',
    });
  });

  it('reads busctl arrays', () => {
    expect(parseBusctlStrings('as 2 "ssh" "dhcpv6-client"')).toEqual(['ssh', 'dhcpv6-client']);
    expect(parseBusctlPorts('aas 1 2 "80" "tcp"')).toEqual([{ port: '80', protocol: 'tcp' }]);
    expect(parseBusctlStrings('')).toBeUndefined();
  });

  it('reads the firewall section: firewalld.conf zone, every zone file, runtime lists when asked', () => {
    const fw = parseFirewall(
      [
        'conf public',
        'xml /etc/firewalld/zones/public.xml  <?xml version="1.0" encoding="utf-8"?> <zone> <service name="ssh"/> <port port="8080" protocol="tcp"/> </zone>',
        'xml /usr/lib/firewalld/zones/public.xml  <?xml version="1.0" encoding="utf-8"?> <zone> <service name="ssh"/> <service name="dhcpv6-client"/> </zone>',
        'xml /usr/lib/firewalld/zones/trusted.xml  <?xml version="1.0" encoding="utf-8"?> <zone target="ACCEPT"> <short>Trusted</short> </zone>',
        'services as 2 "ssh" "dhcpv6-client"',
        'ports aas 0',
      ].join('\n'),
    );
    expect(fw.confZone).toBe('public');
    expect(fw.zones.get('public')).toMatchObject({ file: '/etc/firewalld/zones/public.xml', services: ['ssh'], ports: [{ port: '8080', protocol: 'tcp' }] });
    expect(fw.zones.get('trusted')?.target).toBe('ACCEPT');
    expect(fw.services).toEqual(['ssh', 'dhcpv6-client']);
    expect(fw.ports).toEqual([]);
  });

  it('splits a whole probe output into its sections', () => {
    const out = ['@@verify requests http://192.168.4.5/', '@@req', '192.168.2.200', '', '@@end 200', '@@rc 0', '@@req', '192.168.2.100', '', '@@end 200', '@@rc 0', '', '@@verify route 192.168.4.10', 'RTNETLINK answers: Network is unreachable', '', '@@verify end', ''].join('\n');
    const p = parseProbe(out);
    expect(p.requests.get('http://192.168.4.5/')?.map((r) => r.body.trim())).toEqual(['192.168.2.200', '192.168.2.100']);
    expect(p.routes.get('192.168.4.10')?.ok).toBe(false);
  });
});

describe('probeScript', () => {
  it('quotes every value and makes each request its own curl process', () => {
    const p = emptyProbe();
    p.requests.set("http://192.168.4.5/a'b", 3);
    p.routes.add('192.168.4.10');
    p.sysctlKeys.add('net.ipv4.ip_forward');
    const s = probeScript(p);
    expect(s).toContain(`'http://192.168.4.5/a'\\''b'`);
    expect(s).toContain('while [ "$i" -lt 3 ]');
    expect(s).toContain('ip route get 192.168.4.10');
    expect(sysctlPattern(['net.ipv4.ip_forward'])).toBe('^[[:space:]]*-?(net[./]ipv4[./]ip_forward)[[:space:]]*=');
  });
});

describe('batched requests: one curl for all of a URL', () => {
  it('reads each request: body, HTTP status, its own exit code; a reused connection is flagged', () => {
    // curl 7.88's output for -w '\n@@end %{http_code} %{exitcode} %{num_connects}\n' over four URLs, then our rc line.
    const text = ['192.168.2.100', '', '@@end 200 0 1', '', '@@end 000 7 1', 'no newline at end', '@@end 200 0 1', '192.168.2.200', '', '@@end 200 0 0', '@@rc 0'].join('\n');
    expect(parseBatch(text, 4)).toEqual([
      { exit: 0, http: 200, body: '192.168.2.100\n' },
      { exit: 7, http: 0, body: '' },
      { exit: 0, http: 200, body: 'no newline at end' },
      { exit: REUSED_CONNECTION, http: 200, body: '192.168.2.200\n' },
    ]);
  });

  it('requests curl never made take its exit code (not installed: 127)', () => {
    expect(parseBatch('@@rc 127', 2)).toEqual([
      { exit: 127, http: 0, body: '' },
      { exit: 127, http: 0, body: '' },
    ]);
  });

  it('a per-request fallback section replaces its batch', () => {
    const out = ['@@verify batch http://x/', '192.168.2.100', '', '@@end 200  1', '@@rc 0', '@@verify requests http://x/', '@@req', '192.168.2.200', '', '@@end 200', '@@rc 0', '@@verify end', ''].join('\n');
    expect(parseProbe(out, new Map([['http://x/', 1]])).requests.get('http://x/')).toEqual([{ exit: 0, http: 200, body: '192.168.2.200\n' }]);
  });
});

describe('probeScript under a real /bin/sh with a stub curl', () => {
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'lab-probe-'));
    // Prints, per URL, the URL's last path part as the body and the write-out as a curl of the given kind would.
    // An old curl (< 7.75) does not know %{exitcode}: it warns on stderr and prints nothing for it.
    writeFileSync(
      join(bin, 'curl'),
      [
        '#!/bin/sh',
        'printf "%s\\n" "$*" >> "$(dirname "$0")/calls"',
        'w=; for a; do case "$a" in *@@end*) w=$a;; esac; done',
        'for a; do case "$a" in http*)',
        '  printf "%s\\n" "${a##*/}"',
        '  case "$w" in',
        '    *exitcode*) if [ "$CURL_KIND" = old ]; then echo "curl: unknown --write-out variable: \'exitcode\'" >&2; printf "\\n@@end 200  1\\n"; else printf "\\n@@end 200 0 1\\n"; fi;;',
        '    *) printf "\\n@@end 200\\n";;',
        '  esac;;',
        'esac; done',
        'exit 0',
      ].join('\n'),
    );
    chmodSync(join(bin, 'curl'), 0o755);
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  function run(kind: 'new' | 'old'): { out: ReturnType<typeof parseProbe>; calls: string[] } {
    rmSync(join(bin, 'calls'), { force: true });
    const p = emptyProbe();
    p.requests.set('http://192.168.4.5/web1', 3);
    const text = execFileSync('/bin/sh', ['-c', probeScript(p)], { env: { PATH: `${bin}:/usr/bin:/bin`, CURL_KIND: kind } }).toString();
    return { out: parseProbe(text, p.requests), calls: readFileSync(join(bin, 'calls'), 'utf8').trim().split('\n') };
  }

  it('a current curl: one process, every request read', () => {
    const { out, calls } = run('new');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toContain('-H Connection: close');
    expect(out.requests.get('http://192.168.4.5/web1')).toEqual(Array(3).fill({ exit: 0, http: 200, body: 'web1\n' }));
  });

  it('an old curl: falls back to one process per request, whose records are used', () => {
    const { out, calls } = run('old');
    expect(calls).toHaveLength(4);
    expect(out.requests.get('http://192.168.4.5/web1')).toEqual(Array(3).fill({ exit: 0, http: 200, body: 'web1\n' }));
  });
});

describe('the hold probe (least-connection schedulers), run for real with bash on loopback', () => {
  let server: Server;
  let port = 0;
  let closed = 0;
  const opened: number[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`${req.headers.connection === 'close' ? 'page' : 'other'}\n`);
    });
    server.on('connection', (s) => {
      opened.push(Date.now());
      s.on('close', () => closed++);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  // Asynchronous: the server answers from this process's event loop while the probe runs.
  async function hold(p: number, h: number, n: number): Promise<ReturnType<typeof parseProbe>> {
    const probe = emptyProbe();
    probe.holds.set(`http://127.0.0.1:${p}/`, { vip: '127.0.0.1', port: p, path: '/', hold: h, fresh: n });
    return parseProbe((await promisify(execFile)('/bin/sh', ['-c', probeScript(probe)])).stdout);
  }

  it('holds the connections through the fresh requests, then reads each held one, leaving no socket open', async () => {
    const before = opened.length;
    const out = (await hold(port, 2, 3)).holds.get(`http://127.0.0.1:${port}/`)!;
    expect(out.held).toEqual(Array(2).fill({ exit: 0, http: 200, body: 'page' }));
    expect(out.fresh).toEqual(Array(3).fill({ exit: 0, http: 200, body: 'page\n' }));
    // 2 held + 3 fresh connections, the held ones opened first; all closed when the probe returns.
    expect(opened.length - before).toBe(5);
    await new Promise((r) => setTimeout(r, 200));
    expect(closed).toBe(opened.length);
  });

  it('records a refused port as refused, held and fresh alike', async () => {
    const out = (await hold(1, 1, 2)).holds.get('http://127.0.0.1:1/')!;
    expect(out.held.map((r) => r.exit)).toEqual([7]);
    expect(out.fresh.map((r) => r.exit)).toEqual([7, 7]);
  });

  it('quotes the URL parts and bounds the whole probe with timeout(1)', () => {
    const probe = emptyProbe();
    probe.holds.set('http://192.168.4.5:8080/a.html', { vip: '192.168.4.5', port: 8080, path: '/a.html', hold: 1, fresh: 8 });
    const s = probeScript(probe);
    expect(s).toContain("printf '\\n@@verify %s\\n' 'hold 1 8 http://192.168.4.5:8080/a.html'");
    expect(s).toMatch(/^timeout 38 bash -c '/m);
    expect(s).toContain('/dev/tcp/192.168.4.5/8080');
    // Inside bash -c's single quotes, each ' is '\''.
    expect(s).toContain(String.raw`printf '\''GET %s HTTP/1.0\r\n'\'' /a.html >&"$fd"`);
    expect(s).toContain(String.raw`printf '\''Host: %s\r\nConnection: close\r\n\r\n'\'' 192.168.4.5:8080 >&"$fd"`);
  });
});

describe('parseHold', () => {
  it('counts what a killed probe never got to as timed out', () => {
    const text = ['@@open 10 11', 'web1', '', '@@end 200 0 1', '@@rc 0', '@@held', 'HTTP/1.1 200 OK\r', 'Content-Length: 5\r', '\r', 'web2', '@@held-rc 1', '@@held', '', '@@hold-rc 124'].join('\n');
    const out = parseHold(text, 2, 3);
    expect(out.held).toEqual([{ exit: 0, http: 200, body: 'web2' }, { exit: 28, http: 0, body: '' }]);
    expect(out.fresh.map((r) => r.exit)).toEqual([0, 28, 28]);
  });

  it('tells a read timeout from a connection the server closed without answering', () => {
    expect(parseHeldAnswer('', '142')).toEqual({ exit: 28, http: 0, body: '' });
    expect(parseHeldAnswer('', '1')).toEqual({ exit: 52, http: 0, body: '' });
    expect(parseHeldAnswer('', 'x')).toEqual({ exit: 7, http: 0, body: '' });
    expect(parseHeldAnswer('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n<html>', '1')).toMatchObject({ exit: 0, http: 408 });
  });
});
