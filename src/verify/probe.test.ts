// The probe's sections: curl records, ip route get, sysctl files and firewalld's zone, parsed from recorded text.
import { describe, expect, it } from 'vitest';
import { parseBusctlPorts, parseBusctlStrings, parseFirewall, parseProbe, parseRequests, parseRouteGet, probeScript, sysctlPattern, emptyProbe } from './probe.js';

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
