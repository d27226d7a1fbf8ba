// The packet walk over captures recorded on the lab's VMs (test/fixtures/trace, scripts/record-trace-states.sh): each
// mode's good walk step by step, and each broken state stopping where the packet was last seen, naming the check.
import { describe, expect, it } from 'vitest';
import { replayTrace } from '../../test/unit/recorded-trace.js';
import { outputProblems } from '../report/output-schema.js';
import { styler } from '../report/style.js';
import { requestsOf, shownWalk, traceJson, traceOk } from './outputs.js';
import { formatWalk } from './render.js';

const line = (st: { host: string; dir: string; iface: string; src: string; dst: string; packet: string }) => `${st.host} ${st.dir} ${st.iface} ${st.src} → ${st.dst} ${st.packet}`;

async function shown(lab: string, state: string) {
  const r = await replayTrace(lab, state);
  const s = shownWalk(r.traced)!;
  // Every recorded state's --json fits the output schema, and the terminal prints every step.
  const json = traceJson(lab, 1000, { url: 'http://x/', client: r.meta.client, captured: r.meta.hosts }, r.traced, s);
  expect(outputProblems(JSON.parse(JSON.stringify(json))), `${lab} ${state}`).toEqual([]);
  const printed = formatWalk({ lab, url: 'http://x/', client: r.meta.client, clientPort: s.clientPort, captured: r.meta.hosts, requests: requestsOf(r.traced), shown: r.traced.indexOf(s) }, s.walk, styler(false));
  for (const st of s.walk.steps) expect(printed).toContain(st.text);
  return { ...r, s, walk: s.walk, printed };
}

describe('lvs-nat', () => {
  it('good: one request per real server, both walked to the end; the first in the note\'s eight sightings, NAT rewriting both ways', async () => {
    const { traced, walk, s, printed } = await shown('lvs-nat', 'good');
    expect(traceOk(traced)).toBe(true);
    expect(traced.map((t) => t.walk.realServer).sort()).toEqual(['web1', 'web2']);
    expect(new Set(traced.map((t) => t.clientPort)).size).toBe(2);
    const c = `192.168.4.10:${s.clientPort}`;
    const rip = walk.realServer === 'web1' ? '192.168.2.100' : '192.168.2.200';
    expect(walk.steps.map(line)).toEqual([
      `client out ens3 ${c} → 192.168.4.5:80 SYN`,
      `proxy in ens3 ${c} → 192.168.4.5:80 SYN`,
      `proxy out ens4 ${c} → ${rip}:80 SYN`,
      `${walk.realServer} in ens3 ${c} → ${rip}:80 SYN`,
      `${walk.realServer} out ens3 ${rip}:80 → ${c} SYN-ACK`,
      `proxy in ens4 ${rip}:80 → ${c} SYN-ACK`,
      `proxy out ens3 192.168.4.5:80 → ${c} SYN-ACK`,
      `client in ens3 192.168.4.5:80 → ${c} SYN-ACK`,
    ]);
    expect(walk.steps.map((st) => st.changed ?? [])).toEqual([[], [], [`dst 192.168.4.5:80 → ${rip}:80`], [], [], [], [`src ${rip}:80 → 192.168.4.5:80`], []]);
    expect(walk.steps.map((st) => st.network)).toEqual(['public', 'public', 'private', 'private', 'private', 'private', 'public', 'public']);
    expect(walk.steps[4]!.text).toContain('via its gateway 192.168.2.5 (the director)');
    expect(walk.notes).toContain('then client sent "GET / HTTP/1.1" and got "HTTP/1.1 200 OK" on the same path');
    expect(printed).toMatch(/the reply reached client from the VIP: HTTP 200; the page: "192\.168\.2\.\d+"/);
  });

  it("web1 without its gateway: web1 gets the SYN and has no way back; the walk stops at step 4 and names web1's route check", async () => {
    const { walk, traced } = await shown('lvs-nat', 'web1-no-gateway');
    expect(traceOk(traced)).toBe(false);
    expect(walk.realServer).toBe('web1');
    expect(walk.steps).toHaveLength(4);
    expect(walk.stop).toMatchObject({ after: 4, check: { check: 'real-servers', id: 'route', host: 'web1' }, command: 'lab verify lvs-nat --hosts web1' });
    expect(walk.stop!.why).toContain('web1 received the SYN but sent no reply on any interface (its route to 192.168.4.10: RTNETLINK answers: Network is unreachable)');
    expect(walk.notes[0]).toMatch(/^client sent the SYN \d+ times/);
  });

  it("web1's default route via the management network: the reply is seen leaving by ens2, on no lab network", async () => {
    const { walk } = await shown('lvs-nat', 'web1-gateway-mgmt');
    expect(walk.steps).toHaveLength(5);
    expect(walk.steps[4]).toMatchObject({ host: 'web1', dir: 'out', iface: 'ens2', packet: 'SYN-ACK' });
    expect(walk.steps[4]!.network).toBeUndefined();
    expect(walk.stop!.why).toMatch(/^web1 replied to 192\.168\.4\.10 via ens2, not a lab network \(192\.168\.4\.10 via 10\.0\.2\.2 dev ens2 .*\): the reply never reaches the director$/);
    expect(walk.stop!.check).toMatchObject({ check: 'real-servers', id: 'route', host: 'web1' });
  });

  it('ip_forward 0 on the director: IPVS sends the request on, the reply reaches the director and stops there', async () => {
    const { walk } = await shown('lvs-nat', 'proxy-ip-forward-0');
    expect(walk.steps.map((st) => `${st.host} ${st.dir}`)).toEqual(['client out', 'proxy in', 'proxy out', `${walk.realServer} in`, `${walk.realServer} out`, 'proxy in']);
    expect(walk.stop).toMatchObject({ after: 6, check: { check: 'director', id: 'ip_forward', host: 'proxy' } });
  });

  it("apache2 stopped on web2: web2 answers with a reset, and the walk names web2's web-server check", async () => {
    const { walk } = await shown('lvs-nat', 'web2-apache2-stopped');
    expect(walk.realServer).toBe('web2');
    expect(walk.steps.at(-1)).toMatchObject({ host: 'web2', dir: 'out', packet: 'RST' });
    expect(walk.stop).toMatchObject({ after: 5, check: { check: 'real-servers', id: 'web-server', host: 'web2' } });
    expect(walk.stop!.why).toBe('web2 refused the connection: no web server listens on 192.168.2.200:80');
  });

  it('no virtual service: the director answers with a reset itself, and the walk stops at the director', async () => {
    const { walk } = await shown('lvs-nat', 'proxy-no-service');
    expect(walk.steps).toHaveLength(2);
    expect(walk.stop).toMatchObject({ after: 2, check: { check: 'director', id: 'ipvs', host: 'proxy' } });
    expect(walk.notes).toContain('proxy answered client with a reset (RST) itself, out of ens3: with no virtual service for 192.168.4.5:80, the VIP\'s port 80 is just a closed port of proxy');
  });
});

describe('lvs-dr', () => {
  it('good: the director passes the frame on unchanged, the real server answers the client itself', async () => {
    const { walk, s, traced } = await shown('lvs-dr', 'good');
    expect(traceOk(traced)).toBe(true);
    const c = `192.168.4.10:${s.clientPort}`;
    const web = walk.realServer!;
    expect(walk.steps.map(line)).toEqual([
      `client out ens3 ${c} → 192.168.4.15:80 SYN`,
      `proxy in ens3 ${c} → 192.168.4.15:80 SYN`,
      `proxy out ens3 ${c} → 192.168.4.15:80 SYN`,
      `${web} in ens3 ${c} → 192.168.4.15:80 SYN`,
      `${web} out ens3 192.168.4.15:80 → ${c} SYN-ACK`,
      `client in ens3 192.168.4.15:80 → ${c} SYN-ACK`,
    ]);
    // No address changes anywhere: only the frames' MACs. The real server got it from the director's MAC; the client gets the reply from the real server's.
    expect(walk.steps.every((st) => st.changed === undefined)).toBe(true);
    expect(walk.steps[3]!.macOf).toBe('proxy');
    expect(walk.steps[5]!.macOf).toBe(web);
    expect(walk.steps[5]!.text).toContain(`(the frame comes from ${web}'s MAC, not the director's)`);
    expect(walk.steps[3]!.text).toContain(`still addressed to the VIP 192.168.4.15:80, which ${web} holds on lab-vip`);
    expect(walk.notes.some((n) => n.includes('saw the reply too'))).toBe(false);
  });

  it("web1 without the VIP: it gets the frame for 192.168.4.15 and drops it; the walk names web1's vip check", async () => {
    const { walk } = await shown('lvs-dr', 'web1-vip-gone');
    expect(walk.realServer).toBe('web1');
    expect(walk.stop).toMatchObject({ after: 4, check: { check: 'real-servers', id: 'vip', host: 'web1' } });
    expect(walk.steps[3]!.text).toContain('still addressed to the VIP 192.168.4.15:80, which web1 does not hold');
    expect(walk.stop!.why).toBe('web1 received the SYN for the VIP 192.168.4.15 but did not answer: it does not hold the VIP, and must (on lab-vip) to accept a packet addressed to it');
  });
});

describe('lvs-tun', () => {
  it('good: the director wraps the packet in IP-in-IP, the real server unwraps it on tunl0 and answers the client itself', async () => {
    const { walk, s, traced } = await shown('lvs-tun', 'good');
    expect(traceOk(traced)).toBe(true);
    const c = `192.168.4.10:${s.clientPort}`;
    const web = walk.realServer!;
    const rip = web === 'web1' ? '192.168.2.100' : '192.168.2.200';
    expect(walk.steps.map(line)).toEqual([
      `client out ens3 ${c} → 192.168.4.15:80 SYN`,
      `proxy in ens3 ${c} → 192.168.4.15:80 SYN`,
      `proxy out ens3 ${c} → 192.168.4.15:80 SYN`,
      `${web} in ens3 ${c} → 192.168.4.15:80 SYN`,
      `${web} in tunl0 ${c} → 192.168.4.15:80 SYN`,
      `${web} out ens3 192.168.4.15:80 → ${c} SYN-ACK`,
      `client in ens3 192.168.4.15:80 → ${c} SYN-ACK`,
    ]);
    expect(walk.steps[2]!.outer).toBe(`192.168.4.5 → ${rip}`);
    expect(walk.steps[2]!.changed).toEqual([`wrapped in 192.168.4.5 → ${rip}`]);
    expect(walk.steps[4]!.changed).toEqual([`unwrapped (was 192.168.4.5 → ${rip})`]);
    expect(walk.steps[4]!.text).toBe(`${web}'s tunl0 unwraps it: ${c} → 192.168.4.15:80, to the VIP, which ${web} holds on tunl0`);
  });

  it('rp_filter on web1: the packet is unwrapped on tunl0 and dropped; the walk names the sysctls check', async () => {
    const { walk } = await shown('lvs-tun', 'web1-rp-filter');
    expect(walk.steps.at(-1)).toMatchObject({ host: 'web1', iface: 'tunl0', dir: 'in' });
    expect(walk.stop).toMatchObject({ check: { check: 'real-servers', id: 'sysctls', host: 'web1' } });
    expect(walk.stop!.why).toMatch(/^web1 holds the VIP on tunl0 and received the packet, but dropped it after unwrapping: reverse-path filtering/);
  });
});
