// The probe's sections: curl records, ip route get, sysctl files and firewalld's zone, parsed from recorded text.
import { describe, expect, it } from 'vitest';
import { parseBusctlPorts, parseBusctlStrings, parseFirewall, parseProbe, parseRequestLine, parseRouteGet, probeScript, sysctlPattern, emptyProbe } from './probe.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('probe parsing', () => {
  it('reads one curl record per line: exit code, then the body and the HTTP status', () => {
    expect(parseRequestLine(`0 ${b64('192.168.2.100\n\n@@http 200')}`)).toEqual({ exit: 0, http: 200, body: '192.168.2.100\n' });
    expect(parseRequestLine(`28 ${b64('\n@@http 000')}`)).toEqual({ exit: 28, http: 0, body: '' });
    expect(parseRequestLine('7 ')).toEqual({ exit: 7, http: 0, body: '' });
  });

  it('reads ip route get: via, dev, src, or the error', () => {
    expect(parseRouteGet('192.168.4.10 via 192.168.2.5 dev ens4 src 192.168.2.100 uid 0')).toMatchObject({ ok: true, via: '192.168.2.5', dev: 'ens4', src: '192.168.2.100' });
    expect(parseRouteGet('192.168.4.5 dev ens4 src 192.168.4.10 uid 0')).toMatchObject({ ok: true, via: undefined, dev: 'ens4' });
    expect(parseRouteGet('RTNETLINK answers: Network is unreachable')).toMatchObject({ ok: false });
  });

  it('reads busctl arrays', () => {
    expect(parseBusctlStrings('as 2 "ssh" "dhcpv6-client"')).toEqual(['ssh', 'dhcpv6-client']);
    expect(parseBusctlPorts('aas 1 2 "80" "tcp"')).toEqual([{ port: '80', protocol: 'tcp' }]);
    expect(parseBusctlStrings('')).toBeUndefined();
  });

  it('reads the firewall section with the zone file', () => {
    const fw = parseFirewall(
      [
        'zone public',
        'services as 2 "ssh" "dhcpv6-client"',
        'ports aas 0',
        'xml /usr/lib/firewalld/zones/public.xml <?xml version="1.0" encoding="utf-8"?> <zone>   <short>Public</short>   <service name="ssh"/>   <service name="dhcpv6-client"/> </zone> ',
      ].join('\n'),
    );
    expect(fw).toMatchObject({ zone: 'public', services: ['ssh', 'dhcpv6-client'], ports: [], xml: { target: 'default', services: ['ssh', 'dhcpv6-client'] } });
  });

  it('splits a whole probe output into its sections', () => {
    const out = ['@@verify requests http://192.168.4.5/', `0 ${b64('192.168.2.200\n\n@@http 200')}`, `0 ${b64('192.168.2.100\n\n@@http 200')}`, '', '@@verify route 192.168.4.10', 'RTNETLINK answers: Network is unreachable', '', '@@verify end', ''].join('\n');
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
