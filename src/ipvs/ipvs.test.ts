// Unit tests of the IPVS model: parsing recorded `ipvsadm -Sn` outputs, round trips, diff and rendering.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  diffIpvs,
  extraServices,
  formatOp,
  forwardingFlag,
  normalizeService,
  parseIpvsSave,
  renderOp,
  renderSave,
  type IpvsOp,
  type IpvsService,
} from './index.js';
import { desiredServices } from '../modules/ipvs.js';
import { loadLab } from '../spec/load.js';
import { serviceSchema } from '../spec/schema.js';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../test/fixtures/ipvsadm/${name}`, import.meta.url)), 'utf8');

const FIXTURES = [
  'lvs-nat.txt',
  'centos7-nat-sysconfig.txt',
  'centos7-dr.txt',
  'centos7-dr-persistent.txt',
  'centos7-fwmark.txt',
  'tcp-udp.txt',
  'persistence-udp.txt',
  'rocky9-tun.txt',
  'empty.txt',
];

const lvsNat = (): IpvsService => ({
  protocol: 'tcp',
  vip: '192.168.4.5',
  port: 80,
  scheduler: 'wrr',
  reals: [
    { address: '192.168.2.100', port: 80, forwarding: 'nat', weight: 1 },
    { address: '192.168.2.200', port: 80, forwarding: 'nat', weight: 1 },
  ],
});

describe('parseIpvsSave', () => {
  it('reads the lvs-nat table', () => {
    expect(parseIpvsSave(fixture('lvs-nat.txt'))).toEqual([lvsNat()]);
  });

  it('reads an empty table (ipvsadm prints nothing) as no services', () => {
    expect(parseIpvsSave(fixture('empty.txt'))).toEqual([]);
    expect(parseIpvsSave('\n\n')).toEqual([]);
  });

  it('reads DR reals and persistence', () => {
    const [s] = parseIpvsSave(fixture('centos7-dr-persistent.txt'));
    expect(s).toEqual({
      protocol: 'tcp',
      vip: '192.168.175.100',
      port: 80,
      scheduler: 'rr',
      persistence: 300,
      reals: [
        { address: '192.168.175.102', port: 80, forwarding: 'dr', weight: 1 },
        { address: '192.168.175.103', port: 80, forwarding: 'dr', weight: 1 },
      ],
    });
    expect(parseIpvsSave(fixture('centos7-dr.txt'))[0]!.persistence).toBeUndefined();
  });

  it('reads udp services, netmask and the bare-persistence default', () => {
    const services = parseIpvsSave(fixture('persistence-udp.txt'));
    expect(services.map((s) => [s.protocol, s.port, s.scheduler, s.persistence, s.netmask])).toEqual([
      ['tcp', 443, 'wlc', 300, '255.255.255.0'],
      ['udp', 53, 'rr', 360, undefined],
    ]);
    expect(services[0]!.reals.map((r) => r.weight)).toEqual([2, 1]);
    expect(parseIpvsSave(fixture('tcp-udp.txt')).map((s) => `${s.protocol}:${s.port}:${s.reals.length}`)).toEqual([
      'tcp:80:2',
      'udp:8080:2',
    ]);
    expect(parseIpvsSave('-A -t 10.0.0.1:0 -s rr -p')[0]!.persistence).toBe(360);
  });

  it('reads tunnel reals, dropping the default --tun-type ipip that ipvsadm 1.31 prints', () => {
    const [s] = parseIpvsSave(fixture('rocky9-tun.txt'));
    expect(s!.reals[0]).toEqual({ address: '10.0.1.11', port: 80, forwarding: 'tun', weight: 1 });
    const gue = parseIpvsSave('-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 10.0.1.11:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum\n');
    expect(gue[0]!.reals[0]!.options).toEqual(['--tun-type', 'gue', '--tun-port', '6080', '--tun-nocsum']);
  });

  it('keeps fwmark services with a selector', () => {
    const [s] = parseIpvsSave(fixture('centos7-fwmark.txt'));
    expect(s!.selector).toEqual(['-f', '21']);
    expect(s!.persistence).toBe(300);
    expect(s!.reals.map((r) => `${r.address}:${r.port}`)).toEqual(['192.168.175.102:0', '192.168.175.103:0']);
  });

  it('accepts defaults, long options and IPv6 as ipvsadm -R would', () => {
    const [s] = parseIpvsSave(
      '--add-service --tcp-service 192.168.4.5:80\n--add-server --tcp-service 192.168.4.5:80 --real-server 192.168.2.100\n',
    );
    expect(s).toEqual({
      protocol: 'tcp',
      vip: '192.168.4.5',
      port: 80,
      scheduler: 'wlc',
      reals: [{ address: '192.168.2.100', port: 80, forwarding: 'dr', weight: 1 }],
    });
    const [v6] = parseIpvsSave('-A -t [2001:db8::1]:80 -s rr\n-a -t [2001:db8::1]:80 -r [2001:db8::10]:80 -m -w 3\n');
    expect(v6!.vip).toBe('2001:db8::1');
    expect(v6!.reals[0]!.address).toBe('2001:db8::10');
  });

  it.each([
    ['a command other than -A/-a', '-C', /line 1: expected an -A or -a rule.*: -C$/],
    ['garbage', 'IP Virtual Server version 1.2.1 (size=4096)', /line 1: expected an -A or -a rule/],
    ['a real before its service', '-a -t 1.2.3.4:80 -r 10.0.0.1:80 -m -w 1', /line 1: .*no earlier -A/],
    ['a bad weight', '-A -t 1.2.3.4:80 -s rr\n-a -t 1.2.3.4:80 -r 10.0.0.1:80 -m -w heavy', /line 2: weight "heavy"/],
    ['a weight out of range', '-A -t 1.2.3.4:80 -s rr\n-a -t 1.2.3.4:80 -r 10.0.0.1:80 -m -w 70000', /line 2: weight 70000/],
    ['an unknown option', '-A -t 1.2.3.4:80 -s rr -z', /line 1: unexpected "-z"/],
    ['a hostname (not -n output)', '-A -t localhost:http -s rr', /line 1: service address "localhost:http"/],
    ['a service twice', '-A -t 1.2.3.4:80 -s rr\n-A -t 1.2.3.4:80 -s wrr', /line 2: service -t 1.2.3.4:80 is defined twice/],
    ['port 0 without persistence', '-A -t 1.2.3.4:0 -s rr', /port 0/],
    ['two forwarding methods', '-A -t 1.2.3.4:80 -s rr\n-a -t 1.2.3.4:80 -r 10.0.0.1:80 -m -g', /more than one forwarding/],
  ])('throws with the offending line on %s', (_what, text, message) => {
    expect(() => parseIpvsSave(text)).toThrow(message);
  });
});

describe('renderSave', () => {
  it.each(FIXTURES)('reprints %s byte for byte and round-trips', (name) => {
    const text = fixture(name);
    const parsed = parseIpvsSave(text);
    expect(renderSave(parsed)).toBe(text);
    expect(parseIpvsSave(renderSave(parsed))).toEqual(parsed);
  });

  it('sorts as ipvsadm does: address services before fwmark, tcp before udp, then address and port', () => {
    const s = (protocol: 'tcp' | 'udp', vip: string, port: number): IpvsService => ({ protocol, vip, port, scheduler: 'rr', reals: [] });
    const fw: IpvsService = { ...s('tcp', '', 0), selector: ['-f', '5'], persistence: 360 };
    const text = renderSave([fw, s('udp', '10.0.0.1', 53), s('tcp', '10.0.0.9', 80), s('tcp', '10.0.0.10', 80), s('tcp', '10.0.0.9', 22)]);
    expect(text.split('\n').filter(Boolean)).toEqual([
      '-A -t 10.0.0.9:22 -s rr',
      '-A -t 10.0.0.9:80 -s rr',
      '-A -t 10.0.0.10:80 -s rr',
      '-A -u 10.0.0.1:53 -s rr',
      '-A -f 5 -s rr -p 360',
    ]);
  });

  it('sorts reals numerically and prints -m before -w', () => {
    const svc: IpvsService = {
      ...lvsNat(),
      reals: [
        { address: '192.168.2.200', port: 80, forwarding: 'nat', weight: 3 },
        { address: '192.168.2.20', port: 80, forwarding: 'nat', weight: 1 },
      ],
    };
    expect(renderSave([svc])).toBe(
      '-A -t 192.168.4.5:80 -s wrr\n-a -t 192.168.4.5:80 -r 192.168.2.20:80 -m -w 1\n-a -t 192.168.4.5:80 -r 192.168.2.200:80 -m -w 3\n',
    );
  });

  it('prints tunnels the CentOS 7 (1.27) way on request', () => {
    const services = parseIpvsSave(fixture('rocky9-tun.txt'));
    expect(renderSave(services, { tunType: false })).toBe(fixture('rocky9-tun.txt').replaceAll(' --tun-type ipip', ''));
  });

  it('prints an empty table as nothing', () => {
    expect(renderSave([])).toBe('');
  });
});

describe('diffIpvs', () => {
  it('adds a missing service, then its reals in desired order', () => {
    const ops = diffIpvs([lvsNat()], []);
    expect(ops.map(formatOp)).toEqual([
      'ipvsadm -A -t 192.168.4.5:80 -s wrr',
      'ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.100:80 -w 1 -m',
      'ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.200:80 -w 1 -m',
    ]);
  });

  it('finds nothing to do when the live table already matches', () => {
    expect(diffIpvs([lvsNat()], parseIpvsSave(fixture('lvs-nat.txt')))).toEqual([]);
    expect(diffIpvs([], [])).toEqual([]);
  });

  it('edits a real whose weight changed', () => {
    const want = lvsNat();
    want.reals[1]!.weight = 3;
    const ops = diffIpvs([want], parseIpvsSave(fixture('lvs-nat.txt')));
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ op: 'edit-real', real: { address: '192.168.2.200', weight: 3 }, from: { weight: 1 } });
    expect(formatOp(ops[0]!)).toBe('ipvsadm -e -t 192.168.4.5:80 -r 192.168.2.200:80 -w 3 -m');
  });

  it('edits the service when the scheduler or persistence changes, with the full settings', () => {
    const want = { ...lvsNat(), scheduler: 'rr' };
    expect(diffIpvs([want], parseIpvsSave(fixture('lvs-nat.txt'))).map(formatOp)).toEqual(['ipvsadm -E -t 192.168.4.5:80 -s rr']);
    const sticky = { ...lvsNat(), persistence: 300 };
    expect(diffIpvs([sticky], parseIpvsSave(fixture('lvs-nat.txt'))).map(formatOp)).toEqual([
      'ipvsadm -E -t 192.168.4.5:80 -s wrr -p 300',
    ]);
    const plain = { ...lvsNat(), vip: '192.168.175.100', scheduler: 'rr', reals: [] };
    const ops = diffIpvs([plain], parseIpvsSave(fixture('centos7-dr-persistent.txt')));
    expect(ops[0]).toMatchObject({ op: 'edit-service', from: { persistence: 300 } });
    expect(formatOp(ops[0]!)).toBe('ipvsadm -E -t 192.168.175.100:80 -s rr');
  });

  it('switches a real from -m to -g with an edit', () => {
    const want = lvsNat();
    want.reals.forEach((r) => (r.forwarding = 'dr'));
    expect(diffIpvs([want], parseIpvsSave(fixture('lvs-nat.txt'))).map(formatOp)).toEqual([
      'ipvsadm -e -t 192.168.4.5:80 -r 192.168.2.100:80 -w 1 -g',
      'ipvsadm -e -t 192.168.4.5:80 -r 192.168.2.200:80 -w 1 -g',
    ]);
  });

  it('deletes an extra real before adding a missing one', () => {
    const live = parseIpvsSave(fixture('lvs-nat.txt') + '-a -t 192.168.4.5:80 -r 192.168.2.99:80 -m -w 1\n');
    const want = lvsNat();
    want.reals.push({ address: '192.168.2.150', port: 80, forwarding: 'nat', weight: 1 });
    const ops = diffIpvs([want], live);
    expect(ops.map((o) => o.op)).toEqual(['delete-real', 'add-real']);
    expect(ops.map(formatOp)).toEqual([
      'ipvsadm -d -t 192.168.4.5:80 -r 192.168.2.99:80',
      'ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.150:80 -w 1 -m',
    ]);
  });

  it('leaves an extra service alone, reports it, and deletes it only with prune', () => {
    const live = [...parseIpvsSave(fixture('lvs-nat.txt')), ...parseIpvsSave(fixture('centos7-fwmark.txt'))];
    expect(diffIpvs([lvsNat()], live)).toEqual([]);
    const extra = extraServices([lvsNat()], live);
    expect(extra).toHaveLength(1);
    expect(extra[0]!.selector).toEqual(['-f', '21']);
    expect(diffIpvs([lvsNat()], live, { prune: true }).map(formatOp)).toEqual(['ipvsadm -D -f 21']);
  });

  it('orders services as desired, pruned deletes first', () => {
    const udp = parseIpvsSave(fixture('persistence-udp.txt'))[1]!;
    const ops = diffIpvs([udp, lvsNat()], parseIpvsSave(fixture('centos7-dr.txt')), { prune: true });
    expect(ops.map((o) => `${o.op} ${o.service.protocol}:${o.service.port}`)).toEqual([
      'delete-service tcp:80',
      'add-service udp:53',
      'add-real udp:53',
      'add-real udp:53',
      'add-service tcp:80',
      'add-real tcp:80',
      'add-real tcp:80',
    ]);
  });

  it('compares dr reals by the service port, as ipvsadm forces it', () => {
    const live = parseIpvsSave(fixture('centos7-dr.txt'));
    const want: IpvsService = {
      ...live[0]!,
      reals: live[0]!.reals.map((r) => ({ ...r, port: 8080 })),
    };
    expect(normalizeService(want).reals[0]!.port).toBe(80);
    expect(diffIpvs([want], live)).toEqual([]);
  });

  it('rejects a desired list naming a service twice', () => {
    expect(() => diffIpvs([lvsNat(), lvsNat()], [])).toThrow(/twice/);
  });
});

describe('renderOp', () => {
  const svc = lvsNat();
  const real = svc.reals[0]!;
  const cases: Array<[IpvsOp, string[]]> = [
    [{ op: 'add-service', service: svc }, ['ipvsadm', '-A', '-t', '192.168.4.5:80', '-s', 'wrr']],
    [
      { op: 'add-service', service: { ...svc, protocol: 'udp', persistence: 300, netmask: '255.255.255.0' } },
      ['ipvsadm', '-A', '-u', '192.168.4.5:80', '-s', 'wrr', '-p', '300', '-M', '255.255.255.0'],
    ],
    [{ op: 'edit-service', service: { ...svc, scheduler: 'rr' }, from: svc }, ['ipvsadm', '-E', '-t', '192.168.4.5:80', '-s', 'rr']],
    [{ op: 'delete-service', service: svc }, ['ipvsadm', '-D', '-t', '192.168.4.5:80']],
    [{ op: 'add-real', service: svc, real }, ['ipvsadm', '-a', '-t', '192.168.4.5:80', '-r', '192.168.2.100:80', '-w', '1', '-m']],
    [
      { op: 'edit-real', service: svc, real: { ...real, weight: 5, forwarding: 'tun' }, from: real },
      ['ipvsadm', '-e', '-t', '192.168.4.5:80', '-r', '192.168.2.100:80', '-w', '5', '-i'],
    ],
    [{ op: 'delete-real', service: svc, real }, ['ipvsadm', '-d', '-t', '192.168.4.5:80', '-r', '192.168.2.100:80']],
  ];
  it.each(cases)('renders %o', (op, argv) => {
    expect(renderOp(op)).toEqual(argv);
  });

  it('maps forwarding methods to ipvsadm flags', () => {
    expect([forwardingFlag('nat'), forwardingFlag('dr'), forwardingFlag('tun')]).toEqual(['-m', '-g', '-i']);
  });
});

describe('every scheduler the spec accepts', () => {
  const schedulers = serviceSchema.shape.scheduler.options;

  it('is the kernel list of Debian 12 (6.1) but twos, which came in 6.2', () => {
    expect([...schedulers].sort()).toEqual(['dh', 'fo', 'lblc', 'lblcr', 'lc', 'mh', 'nq', 'ovf', 'rr', 'sed', 'sh', 'wlc', 'wrr']);
  });

  it.each(schedulers)('%s round-trips through render, parse and diff, and an edit sets exactly -s %s', (scheduler) => {
    const want = { ...lvsNat(), scheduler };
    const text = renderSave([want]);
    expect(text.split('\n')[0]).toBe(`-A -t 192.168.4.5:80 -s ${scheduler}`);
    expect(parseIpvsSave(text)).toEqual([want]);
    expect(diffIpvs([want], parseIpvsSave(text))).toEqual([]);
    const other = scheduler === 'rr' ? 'wlc' : 'rr';
    const ops = diffIpvs([want], [{ ...lvsNat(), scheduler: other }]);
    expect(ops.map(formatOp)).toEqual([`ipvsadm -E -t 192.168.4.5:80 -s ${scheduler}`]);
    expect(ops[0]).toMatchObject({ op: 'edit-service', from: { scheduler: other } });
  });

  it.each(schedulers)('the director check expects -s %s from the spec', async (scheduler) => {
    const { lab } = await loadLab('lvs-nat');
    lab.services[0]!.scheduler = scheduler;
    expect(desiredServices(lab, 'proxy').map((s) => s.scheduler)).toEqual([scheduler]);
    expect(renderSave(desiredServices(lab, 'proxy'))).toContain(`-A -t 192.168.4.5:80 -s ${scheduler}\n`);
  });
});
