// `lab plan`, `lab up`, `lab down` for real on lvs-nat's four VMs: converge, balance, idempotence, reboot, down, host keys.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import { instanceDir } from '../../src/vm/index.js';
import { bootLab, e2eInstance, isKeeper, keeperPid, runCli, sshOk, stopKeeper, stopLab } from './harness.js';

const INSTANCE = e2eInstance('e2e-up');
const LAB = ['lvs-nat', '--instance', INSTANCE];
const HOSTS = ['client', 'proxy', 'web1', 'web2'];
const FOUR_NET = { conn: 'classroom-4net', dev: 'net4' };
/** Shell: web1's lab interface (by the inventory's MAC) in $dev, and the profile active on it in $uuid. */
function web1Lab(inv: Inventory): string {
  const mac = inv.hosts.web1!.interfaces!.private!.mac!.toLowerCase();
  return `dev=$(ip -o link | grep -F ' link/ether ${mac} ' | cut -d: -f2 | tr -d ' ') && uuid=$(nmcli -t -f UUID,DEVICE connection show --active | grep ":$dev$" | cut -d: -f1) && test -n "$uuid"`;
}

/** The zone web1's lab profile binds its interface to ('' = the default zone), and the zone firewalld has it in. */
async function web1Zone(inv: Inventory): Promise<{ profile: string; live: string }> {
  const out = await sshOk(inv, 'web1', `${web1Lab(inv)} && nmcli -g connection.zone connection show "$uuid" && firewall-cmd --get-zone-of-interface="$dev"`);
  const [profile = '?', live = '?'] = out.split('\n');
  return { profile, live };
}

/** Whether web2's 4-network profile is active, and whether it comes up at boot. */
async function fourNet(inv: Inventory): Promise<{ active: boolean; autoconnect: string }> {
  // `-t -f`: NAME:VALUE lines; GENERAL lines only while the profile is active.
  const out = await sshOk(inv, 'web2', `nmcli -t -f connection.autoconnect,GENERAL.STATE connection show ${FOUR_NET.conn}`);
  const field = (name: string) => out.split('\n').find((l) => l.startsWith(`${name}:`))?.slice(name.length + 1);
  return { active: field('GENERAL.STATE') === 'activated', autoconnect: field('connection.autoconnect') ?? '' };
}

interface RecapJson {
  ok: boolean;
  hosts: Record<string, { ok: number; changed: number; failed: number; unreachable: number; error?: string; tasks: { task: string; status: string; changes: { commands: string[] }[] }[] }>;
}

async function json(cmd: 'up' | 'plan' | 'down', extra: string[] = []): Promise<{ code: number; recap: RecapJson; stderr: string }> {
  const r = await runCli([cmd, ...LAB, '--json', ...extra]);
  return { code: r.code, recap: JSON.parse(r.stdout) as RecapJson, stderr: r.stderr };
}

/** Eight separate curl processes from the client: eight new TCP connections. */
async function answers(inv: Inventory): Promise<string[]> {
  const out = await sshOk(inv, 'client', 'for i in 1 2 3 4 5 6 7 8; do curl -s --max-time 5 http://192.168.4.5/ || echo FAIL; done');
  return out.trim().split('\n');
}

function expectAlternating(seq: string[]): void {
  expect(seq).toHaveLength(8);
  expect(new Set(seq)).toEqual(new Set(['192.168.2.100', '192.168.2.200']));
  for (let i = 1; i < seq.length; i++) expect(seq[i], `answers ${seq.join(' ')}`).not.toBe(seq[i - 1]);
}

describe('lab up / plan / down on lvs-nat', () => {
  let inv: Inventory;

  beforeAll(async () => {
    inv = await bootLab('lvs-nat', INSTANCE);
    // As on classroom VMs, web2 also holds an address on the client's network (192.168.4.0/24), here on a dummy link:
    // its replies to the client would leave through that link, not via the director (the course: "如果有4网段IP地址，需要临时关闭").
    await sshOk(inv, 'web2', `nmcli connection add type dummy ifname ${FOUR_NET.dev} con-name ${FOUR_NET.conn} ipv4.method manual ipv4.addresses 192.168.4.200/24 && nmcli connection up ${FOUR_NET.conn}`);
    // As an installer's ZONE=public does, web1's lab profile binds its interface to zone public, which the course's
    // set-default-zone does not move: HTTP from the client would be refused there.
    await sshOk(inv, 'web1', `${web1Lab(inv)} && nmcli connection modify "$uuid" connection.zone public`);
    expect(await web1Zone(inv)).toEqual({ profile: 'public', live: 'public' });
  });
  afterAll(async () => {
    await stopLab(INSTANCE);
  });

  it('plan on fresh VMs lists the course\'s commands and changes nothing', async () => {
    const r = await runCli(['plan', ...LAB]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('ipvsadm -A -t 192.168.4.5:80 -s wrr');
    expect(r.stdout).toContain('ipvsadm -a -t 192.168.4.5:80 -r 192.168.2.100:80 -w 1 -m');
    expect(r.stdout).toMatch(/nmcli connection modify '[^']+' ipv4\.method manual ipv4\.addresses 192\.168\.2\.100\/24 ipv4\.gateway 192\.168\.2\.5/);
    expect(r.stdout).toContain('apt-get -o DPkg::Lock::Timeout=300 install -y -q apache2');
    expect(r.stdout).toContain(`nmcli connection modify ${FOUR_NET.conn} connection.autoconnect no`);
    expect(r.stdout).toContain(`nmcli connection down ${FOUR_NET.conn}`);
    expect(r.stdout).toMatch(/in the default zone \(its profile binds it to zone public[^\n]*\n\s+nmcli connection modify .+ connection\.zone ''/);
    // Nothing ran: the director still has no ipvsadm.
    expect(await sshOk(inv, 'proxy', 'command -v ipvsadm || echo none')).toContain('none');
    // --detailed-exitcode tells a script that changes are pending: 2.
    expect((await runCli(['plan', ...LAB, '--detailed-exitcode'])).code).toBe(2);
    // --diff: a new file as a diff from /dev/null, values as old → new, each above its commands.
    const d = await runCli(['plan', ...LAB, '--diff']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain("    --- /dev/null\n    +++ /var/www/html/index.html\n    @@ -0,0 +1,1 @@\n    +192.168.2.100\n      printf '%s\\n' 192.168.2.100 > /var/www/html/index.html\n");
    expect(d.stdout).toMatch(/^ {4}net\.ipv4\.ip_forward: 0 → 1\n {6}sysctl -w net\.ipv4\.ip_forward=1$/m);
    expect(d.stdout).toMatch(/^ {4}\+\+\+ \/etc\/sysctl\.d\/zz-lab-lvs-nat\.conf\n(.*\n)*? {4}\+net\.ipv4\.ip_forward = 1$/m);
    // lab status says the same in brief: every host reachable, not converged.
    const st = await runCli(['status', ...LAB]);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toMatch(/^proxy\s+yes\s+Debian GNU\/Linux 12 \(bookworm\)\s+\d+ tasks\s/m);
    expect(st.stdout).toMatch(/^not converged: lab up would change client, proxy, web1, web2 \(lab plan lvs-nat shows the commands\)$/m);
  });

  it('up converges, and 8 separate curls from the client alternate between web1 and web2', async () => {
    const { code, recap, stderr } = await json('up');
    expect(code, stderr).toBe(0);
    for (const h of HOSTS) expect(recap.hosts[h]!.failed, `${h}: ${recap.hosts[h]!.error}`).toBe(0);
    expect(recap.hosts.proxy!.changed).toBeGreaterThan(0);
    expectAlternating(await answers(inv));
    expect(await fourNet(inv)).toEqual({ active: false, autoconnect: 'no' });
    expect(await web1Zone(inv)).toEqual({ profile: '', live: 'trusted' });
  });

  it('a second up changes nothing and runs no changing command; plan then has nothing to do', async () => {
    const again = await json('up');
    expect(again.code, again.stderr).toBe(0);
    for (const h of HOSTS) {
      expect(again.recap.hosts[h]!.changed, `${h} changed on the second run`).toBe(0);
      expect(again.recap.hosts[h]!.tasks.flatMap((t) => t.changes)).toEqual([]);
    }
    const plan = await runCli(['plan', ...LAB]);
    expect(plan.code).toBe(0);
    expect(plan.stdout.match(/nothing to do/g)).toHaveLength(4);
    expect((await runCli(['plan', ...LAB, '--detailed-exitcode'])).code).toBe(0);
    // lab status: converged, and the verify just run is recorded with its result per host.
    expect((await runCli(['verify', ...LAB, '--wait', '30s'])).code).toBe(0);
    const st = await runCli(['status', ...LAB, '--json']);
    expect(st.code, st.stderr).toBe(0);
    const j = JSON.parse(st.stdout) as { converged: boolean; hosts: Record<string, { status: string; pending: unknown[]; verify?: { fail: number; pass: number } }>; lastVerify: { ok: boolean } | null };
    expect(j.converged).toBe(true);
    expect(j.lastVerify?.ok).toBe(true);
    expect(Object.keys(j.hosts).sort()).toEqual([...HOSTS].sort());
    for (const [name, h] of Object.entries(j.hosts)) expect(h, name).toMatchObject({ status: 'reachable', pending: [], verify: { fail: 0 } });
    // --hosts: only web1's checks run, and they pass; the record keeps the other hosts' results.
    const one = await runCli(['verify', ...LAB, '--hosts', 'web1', '--json']);
    expect(one.code, one.stdout).toBe(0);
    const checks = (JSON.parse(one.stdout) as { checks: { host: string; status: string }[] }).checks;
    expect(checks.length).toBeGreaterThan(3);
    expect(new Set(checks.map((c) => c.host))).toEqual(new Set(['web1']));
    const st2 = JSON.parse((await runCli(['status', ...LAB, '--json'])).stdout) as typeof j;
    expect(st2.lastVerify?.ok).toBe(true);
    for (const [name, h] of Object.entries(st2.hosts)) expect(h.verify, name).toMatchObject({ fail: 0 });
  });

  it('the next run reuses each host\'s connection from the keeper; LAB_PERSIST=0 connects anew', async () => {
    const pid = keeperPid();
    expect(pid, 'a connection keeper runs after lab up').toBeDefined();
    const kept = await runCli(['plan', ...LAB], undefined, { LAB_TRACE: '1' });
    expect(kept.code, kept.stderr).toBe(0);
    for (const h of HOSTS) expect(kept.stderr, kept.stderr).toContain(`trace ${h} connect (kept)`);
    expect(keeperPid()).toBe(pid);
    const direct = await runCli(['plan', ...LAB], undefined, { LAB_TRACE: '1', LAB_PERSIST: '0' });
    expect(direct.code, direct.stderr).toBe(0);
    for (const h of HOSTS) expect(direct.stderr).toContain(`trace ${h} connect (new)`);
    expect(direct.stdout.match(/nothing to do/g)).toHaveLength(4);
  });

  it('a kept connection is not reused once known_hosts no longer has its key: the host is refused', async () => {
    const kh = join(instanceDir(INSTANCE), 'known_hosts');
    const saved = readFileSync(kh, 'utf8');
    const port = inv.hosts.web2!.port;
    try {
      // Another key for web2 in place of its own, in the very file the kept connection was checked against.
      const tmpKey = join(instanceDir(INSTANCE), 'other_host_key_2');
      await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', tmpKey], { input: 'y\n', reject: false });
      const other = readFileSync(`${tmpKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
      writeFileSync(kh, saved.split('\n').map((l) => (l.startsWith(`[127.0.0.1]:${port} `) ? `[127.0.0.1]:${port} ${other}` : l)).join('\n'));
      const r = await runCli(['plan', ...LAB, '--json'], undefined, { LAB_TRACE: '1' });
      expect(r.code).toBe(1);
      const recap = JSON.parse(r.stdout) as RecapJson;
      expect(recap.hosts.web2!.unreachable).toBe(1);
      expect(recap.hosts.web2!.error).toMatch(/host key CHANGED for \[127\.0\.0\.1\]:\d+/);
      for (const h of ['client', 'proxy', 'web1']) expect(r.stderr).toContain(`trace ${h} connect (kept)`);
    } finally {
      writeFileSync(kh, saved);
    }
  });

  it('after a reboot (vm down, vm up --boot; disks kept) the lab still balances without lab up', async () => {
    // vm down powers the guests down (after saving them); --boot: a real boot of the kept disks, not a resume of that save.
    expect((await runCli(['vm', 'down', ...LAB])).code).toBe(0);
    const up = await runCli(['vm', 'up', ...LAB, '--boot', '--timeout', '600']);
    expect(up.stdout).not.toMatch(/resumed from snapshot/);
    expect(up.code, up.stderr).toBe(0);
    expectAlternating(await answers(inv));
    expect((await fourNet(inv)).active, 'the 4-network profile came back at boot').toBe(false);
    expect(await web1Zone(inv)).toEqual({ profile: '', live: 'trusted' });
    // The kept connections died with the VMs: the keeper noticed, and connects anew.
    const plan = await runCli(['plan', ...LAB], undefined, { LAB_TRACE: '1' });
    expect(plan.stdout.match(/nothing to do/g), plan.stdout).toHaveLength(4);
    for (const h of HOSTS) expect(plan.stderr).toContain(`trace ${h} connect (new)`);
  });

  it('down restores the starting point; a second down changes nothing; up converges again', async () => {
    const down = await json('down');
    expect(down.code, down.stderr).toBe(0);
    const proxy = await sshOk(inv, 'proxy', 'ipvsadm -Sn; sysctl -n net.ipv4.ip_forward; firewall-cmd --get-default-zone; ls /etc/sysctl.d /etc/modules-load.d; test -e /var/lib/lab/lvs-nat.state && echo state || echo no-state');
    expect(proxy.split('\n').slice(0, 2)).toEqual(['0', 'public']);
    expect(proxy).not.toMatch(/zz-lab|lab-lvs-nat/);
    expect(proxy).toContain('no-state');
    const web1 = await sshOk(inv, 'web1', 'ip route show default; systemctl is-active apache2 || true; test -e /var/www/html/index.html && echo page || echo no-page');
    expect(web1).not.toContain('via 192.168.2.5');
    expect(web1).toContain('inactive');
    expect(web1).toContain('no-page');
    expect(await fourNet(inv)).toEqual({ active: true, autoconnect: 'yes' });
    expect(await web1Zone(inv)).toEqual({ profile: 'public', live: 'public' });
    const twice = await json('down');
    expect(twice.code).toBe(0);
    for (const h of HOSTS) expect(twice.recap.hosts[h]!.changed, `${h} changed on the second down`).toBe(0);
    const up = await json('up');
    expect(up.code, up.stderr).toBe(0);
    expectAlternating(await answers(inv));
  });

  it('refuses a host whose key changed, showing both fingerprints, and still converges the others', async () => {
    const dir = instanceDir(INSTANCE);
    const kh = join(dir, 'known_hosts.tampered');
    copyFileSync(join(dir, 'known_hosts'), kh);
    const port = inv.hosts.web1!.port;
    const tmpKey = join(dir, 'other_host_key');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', tmpKey], { input: 'y\n', reject: false });
    const other = readFileSync(`${tmpKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const lines = readFileSync(kh, 'utf8').split('\n').map((l) => (l.startsWith(`[127.0.0.1]:${port} `) ? `[127.0.0.1]:${port} ${other}` : l));
    writeFileSync(kh, lines.join('\n'));
    const invFile = join(dir, 'inventory.tampered.yaml');
    writeFileSync(invFile, readFileSync(join(dir, 'inventory.yaml'), 'utf8').replace(/known_hosts: .*\/known_hosts$/gm, `known_hosts: ${kh}`));
    const r = await runCli(['up', 'lvs-nat', '-i', invFile, '--json']);
    expect(r.code).toBe(1);
    const recap = JSON.parse(r.stdout) as RecapJson;
    expect(recap.hosts.web1!.unreachable).toBe(1);
    expect(recap.hosts.web1!.error).toMatch(/host key CHANGED for \[127\.0\.0\.1\]:\d+: .* has ssh-ed25519 SHA256:\S+, the host offers ssh-ed25519 SHA256:\S+/);
    const [a, b] = recap.hosts.web1!.error!.match(/SHA256:[A-Za-z0-9+/]+/g)!;
    expect(a).not.toBe(b);
    for (const h of ['client', 'proxy', 'web2']) expect(recap.hosts[h]!.unreachable).toBe(0);
  });

  it('the keeper closes connections idle for LAB_PERSIST seconds, and then exits', async () => {
    // A keeper of its own: this file's keeper also holds the connections of other inventories, kept 60 s.
    const dir = mkdtempSync(join(tmpdir(), 'lab-keeper-idle-'));
    try {
      const r = await runCli(['plan', ...LAB], undefined, { LAB_PERSIST: '1', LAB_KEEPER_DIR: dir });
      expect(r.code, r.stderr).toBe(0);
      const pid = keeperPid(dir);
      expect(pid, 'the run started a keeper in its folder').toBeDefined();
      for (let i = 0; i < 100 && isKeeper(pid!); i++) await new Promise((res) => setTimeout(res, 100));
      expect(isKeeper(pid!), `keeper ${pid} still runs 10 s after its connections went idle`).toBe(false);
    } finally {
      await stopKeeper(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
