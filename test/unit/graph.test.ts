// `lab graph`: the topology model of the three shipped labs, and its text, DOT, Mermaid and SVG drawings.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { labGraph, withInterfaces, type LabGraph } from '../../src/graph/model.js';
import { renderDot, renderMermaid, renderText, travelOrder } from '../../src/graph/render.js';
import { renderSvg } from '../../src/graph/svg.js';
import { loadLab } from '../../src/spec/load.js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lab } from './lab-cli.js';

async function graph(name: string): Promise<LabGraph> {
  return labGraph((await loadLab(name)).lab);
}

describe('lab graph --live: the interface names found on the hosts', () => {
  it("labels each link with the interface holding its address; one no interface holds is marked; an unreachable host's links stay as the spec draws them", async () => {
    const g = await graph('lvs-nat');
    // As `ip -o -4 addr` on the lab's VMs gives them (proxy's inside address removed by hand; web2 not reached).
    const found = new Map([
      ['client', new Map([['192.168.4.10', 'ens3'], ['10.0.2.15', 'ens2']])],
      ['proxy', new Map([['192.168.4.5', 'ens3']])],
      ['web1', new Map([['192.168.2.100', 'enp0s8']])],
    ]);
    const live = withInterfaces(g, found);
    const links = (h: string) => live.hosts.find((x) => x.name === h)!.links.map((l) => [l.address, l.iface]);
    expect(links('client')).toEqual([['192.168.4.10', 'ens3']]);
    expect(links('proxy')).toEqual([['192.168.4.5', 'ens3'], ['192.168.2.5', null]]);
    expect(links('web1')).toEqual([['192.168.2.100', 'enp0s8']]);
    expect(live.hosts.find((x) => x.name === 'web2')!.links[0]!.iface).toBeUndefined();
    const text = renderText(live);
    expect(text).toContain('192.168.2.100 on enp0s8');
    expect(text).toContain('192.168.2.5 (on no interface!)');
    expect(text).toMatch(/web2 +\[real server\] +192\.168\.2\.200 +gateway/);
    expect(renderDot(live)).toContain('label="192.168.4.5 on ens3\\n= the VIP"');
    expect(renderMermaid(live)).toContain('"192.168.2.100 on enp0s8"');
    // The spec alone draws no interface names.
    expect(renderText(g)).not.toMatch(/ on ens|no interface/);
  });
});

describe('the graph model', () => {
  it('NAT: the VIP is the director\'s own public address; the real servers\' gateway is the director', async () => {
    const g = await graph('lvs-nat');
    expect(g.networks).toEqual([{ name: 'public', cidr: '192.168.4.0/24' }, { name: 'private', cidr: '192.168.2.0/24' }]);
    const proxy = g.hosts.find((h) => h.name === 'proxy')!;
    expect(proxy.links).toEqual([{ network: 'public', address: '192.168.4.5', vips: ['192.168.4.5'] }, { network: 'private', address: '192.168.2.5', vips: [] }]);
    for (const web of ['web1', 'web2']) {
      const h = g.hosts.find((x) => x.name === web)!;
      expect(h.gateway).toEqual({ address: '192.168.2.5', host: 'proxy' });
      expect(h.hiddenVips).toEqual([]);
    }
    expect(g.services).toEqual([
      { name: 'tcp 192.168.4.5:80', vip: '192.168.4.5', port: 80, protocol: 'tcp', scheduler: 'wrr', forwarding: 'nat', mode: 'NAT (ipvsadm -m)', director: 'proxy', reals: [{ host: 'web1', weight: 1 }, { host: 'web2', weight: 1 }], repliesViaDirector: true },
    ]);
  });

  it('DR: the director holds the VIP beside its address; each real server holds it on a device, unannounced', async () => {
    const g = await graph('lvs-dr');
    expect(g.hosts.find((h) => h.name === 'proxy')!.links).toEqual([{ network: 'public', address: '192.168.4.5', vips: ['192.168.4.15'] }]);
    for (const web of ['web1', 'web2']) expect(g.hosts.find((h) => h.name === web)!.hiddenVips).toEqual([{ vip: '192.168.4.15', device: 'lab-vip' }]);
    expect(g.services[0]).toMatchObject({ forwarding: 'dr', repliesViaDirector: false });
  });

  it('TUN: the real servers hold the VIP on tunl0 and route through the router, whose addresses are their gateways', async () => {
    const g = await graph('lvs-tun');
    for (const web of ['web1', 'web2']) {
      const h = g.hosts.find((x) => x.name === web)!;
      expect(h.hiddenVips).toEqual([{ vip: '192.168.4.15', device: 'tunl0' }]);
      expect(h.gateway).toEqual({ address: '192.168.2.1', host: 'router' });
    }
    expect(g.hosts.find((h) => h.name === 'proxy')!.gateway).toEqual({ address: '192.168.4.1', host: 'router' });
  });

  it('a gateway no host owns is drawn without an owner', async () => {
    const { lab } = await loadLab('lvs-nat');
    lab.hosts.web1!.gateway = '192.168.2.254';
    expect(labGraph(lab).hosts.find((h) => h.name === 'web1')!.gateway).toEqual({ address: '192.168.2.254' });
    expect(renderText(labGraph(lab))).toMatch(/web1 +\[real server\] +192\.168\.2\.100 +gateway 192\.168\.2\.254$/m);
  });
});

describe('the drawings', () => {
  it('text: each network with its hosts, roles, addresses, the VIP and who is whose gateway', async () => {
    const text = renderText(await graph('lvs-nat'));
    expect(text).toContain('service tcp 192.168.4.5:80, wrr, NAT (ipvsadm -m): director proxy → web1 (weight 1), web2 (weight 1); replies back through the director');
    const lines = text.split('\n');
    const pub = lines.indexOf('public 192.168.4.0/24');
    const priv = lines.indexOf('private 192.168.2.0/24');
    expect(pub).toBeGreaterThan(0);
    expect(lines.slice(pub + 1, priv)).toEqual(['  ├─ client  [client]       192.168.4.10', '  └─ proxy   [director]     192.168.4.5      the VIP']);
    expect(lines.slice(priv + 1, priv + 4)).toEqual([
      '  ├─ proxy   [director]     192.168.2.5      gateway of web1, web2',
      '  ├─ web1    [real server]  192.168.2.100    gateway 192.168.2.5 (proxy)',
      '  └─ web2    [real server]  192.168.2.200    gateway 192.168.2.5 (proxy)',
    ]);
    const tun = renderText(await graph('lvs-tun'));
    expect(tun).toMatch(/web1 +\[real server\] +192\.168\.2\.100 +gateway 192\.168\.2\.1 \(router\); VIP 192\.168\.4\.15 on tunl0, not announced/);
    expect(tun).toContain('replies straight to the client, not through the director');
  });

  it('DOT: links in the order a request travels, from the client to the real servers', async () => {
    const order = travelOrder(await graph('lvs-nat')).map((e) => `${e.from} -- ${e.to}`);
    expect(order).toEqual(['host:client -- net:public', 'net:public -- host:proxy', 'host:proxy -- net:private', 'net:private -- host:web1', 'net:private -- host:web2']);
    const tun = travelOrder(await graph('lvs-tun')).map((e) => `${e.from} -- ${e.to}`);
    expect(tun).toEqual(['host:client -- net:public', 'net:public -- host:proxy', 'net:public -- host:router', 'host:router -- net:private', 'net:private -- host:web1', 'net:private -- host:web2']);
    const dot = renderDot(await graph('lvs-nat'));
    expect(dot).toMatch(/^graph "lvs-nat" \{/);
    expect(dot).toContain('"net:public" -- "host:proxy" [label="192.168.4.5\\n= the VIP"];');
    expect(dot).toContain('"host:web1" [label="web1\\nreal server\\ngateway 192.168.2.5 (proxy)"');
  });

  it('DOT quotes what a spec may hold: quotes, backslashes and newlines stay inside their string', async () => {
    const g = await graph('lvs-nat');
    g.lab = 'a "quoted" \\ lab\nwith a newline';
    const dot = renderDot(g);
    expect(dot.split('\n')[0]).toBe('graph "a \\"quoted\\" \\\\ lab\\nwith a newline" {');
    // Graphviz reads it: the title survives with its quotes.
    const svg = await renderSvg(dot);
    expect(svg).toContain('a &quot;quoted&quot; \\ lab');
  });

  it('Mermaid: a flowchart with a node per network and host, a link per address, roles as classes', async () => {
    const m = renderMermaid(await graph('lvs-dr'));
    const lines = m.trim().split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines).toContain('  net_public[["public<br/>192.168.4.0/24"]]');
    expect(lines).toContain('  host_proxy ---|"192.168.4.5 VIP 192.168.4.15"| net_public');
    expect(lines).toContain('  host_web1("web1<br/>real server<br/>VIP 192.168.4.15 on lab-vip")');
    expect(lines).toContain('  class host_web1,host_web2 role_real_server');
    expect(lines).toContain('  host_proxy -.->|"dr w1"| host_web1');
    // Every node a link names is declared.
    const declared = new Set(lines.flatMap((l) => /^ {2}(\w+)[([]/.exec(l)?.[1] ?? []));
    for (const l of lines) for (const id of l.match(/\b(?:host|net)_\w+/g) ?? []) expect(declared, `${id} in: ${l}`).toContain(id);
  });

  it('SVG: well-formed, laid out by Graphviz, every host, network and address on it', async () => {
    for (const name of ['lvs-nat', 'lvs-dr', 'lvs-tun']) {
      const g = await graph(name);
      const svg = await renderSvg(renderDot(g));
      expect(XMLValidator.validate(svg)).toBe(true);
      const texts: string[] = [];
      const walk = (n: unknown): void => {
        if (Array.isArray(n)) n.forEach(walk);
        else if (n && typeof n === 'object') for (const [k, v] of Object.entries(n)) (k === 'text' ? [v].flat() : []).forEach((t) => texts.push(typeof t === 'object' ? String((t as Record<string, unknown>)['#text']) : String(t))), walk(v);
      };
      walk(new XMLParser({ ignoreAttributes: false }).parse(svg));
      for (const h of g.hosts) expect(texts, `${name}: ${h.name}`).toContain(h.name);
      for (const n of g.networks) expect(texts, `${name}: ${n.name}`).toContain(`${n.name} ${n.cidr}`);
      for (const h of g.hosts) for (const l of h.links) expect(texts, `${name}: ${h.name} ${l.address}`).toContain(l.address);
    }
  });
});

describe('the README pictures', () => {
  it('are what `lab graph LAB` draws today (regenerate: lab graph LAB -o docs/images/LAB.svg)', async () => {
    const root = new URL('../..', import.meta.url).pathname;
    for (const name of ['lvs-nat', 'lvs-dr', 'lvs-tun', 'lvs-dr-keepalived']) expect(readFileSync(join(root, 'docs/images', `${name}.svg`), 'utf8'), name).toBe(await renderSvg(renderDot(await graph(name))));
  });
});

describe('lab graph', () => {
  it('writes LAB.svg by default, prints the other formats, and refuses an unknown format with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-graph-'));
    const runCli = (args: string[]) => lab(args, dir);
    const svg = await runCli(['graph', 'lvs-nat']);
    expect(svg.code, svg.stderr).toBe(0);
    expect(svg.stdout.trim()).toBe('wrote lvs-nat.svg (svg, 4 hosts on 2 networks)');
    expect(readFileSync(join(dir, 'lvs-nat.svg'), 'utf8')).toMatch(/<svg[\s\S]*web2[\s\S]*<\/svg>/);
    const dot = await runCli(['graph', 'lvs-dr', '-f', 'dot', '-o', 'dr.dot']);
    expect(dot.code, dot.stderr).toBe(0);
    expect(readFileSync(join(dir, 'dr.dot'), 'utf8')).toMatch(/^graph "lvs-dr"/);
    const text = await runCli(['graph', 'lvs-nat', '--format', 'text']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('private 192.168.2.0/24');
    const json = await runCli(['graph', 'lvs-tun', '-f', 'json']);
    expect((JSON.parse(json.stdout) as { graph: LabGraph }).graph.hosts.map((h) => h.name)).toEqual(['client', 'proxy', 'router', 'web1', 'web2']);
    const bad = await runCli(['graph', 'lvs-nat', '--format', 'png']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('lab: --format png is not one of svg, dot, mermaid, text, json');
    const missing = await runCli(['graph', 'no-such-lab']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    // Bad input touches nothing: no file written.
    expect(existsSync(join(dir, 'no-such-lab.svg'))).toBe(false);
  }, 120_000);
});

describe('a VRRP group in the drawing', () => {
  it('names every director of the service and the VIP each holds only while master, with its priority', async () => {
    const g = await graph('lvs-dr-keepalived');
    expect(g.services[0]!.vrrp).toEqual({ group: 'VI_1', routerId: 51, directors: ['proxy1', 'proxy2'] });
    const link = (h: string) => g.hosts.find((x) => x.name === h)!.links[0]!;
    expect(link('proxy1')).toEqual({ network: 'public', address: '192.168.4.5', vips: [], vrrp: [{ vip: '192.168.4.15', group: 'VI_1', priority: 100 }] });
    expect(link('proxy2').vrrp).toEqual([{ vip: '192.168.4.15', group: 'VI_1', priority: 50 }]);
    const text = renderText(g);
    expect(text).toContain('directors proxy1, proxy2 (keepalived VRRP VI_1, router id 51: the master holds the VIP)');
    expect(text).toMatch(/proxy2 +\[director\] +192\.168\.4\.6 +VIP 192\.168\.4\.15 while VRRP master \(VI_1, priority 50\)/);
    expect(renderMermaid(g)).toContain('host_proxy2 -.->|"dr w1"| host_web1');
  });
});
