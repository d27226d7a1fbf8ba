// The guest side of "the boot has settled", under /bin/sh with systemctl, nmcli and sleep as stubs: it waits while a
// static profile (what `lab up` writes) is still activating, and not for DHCP profiles that never get a lease.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTLE_SCRIPT } from './snapshot.js';

// nmcli output recorded on a lab VM right after a reboot (`nmcli -t -f UUID,STATE connection show --active`).
const LAB_NIC = '5a41ab6d-2b11-3319-ac9f-b94db7f38749';
const MGMT = '43ba7a55-0fc8-3e22-af50-81c9cb3c153d';

describe('SETTLE_SCRIPT', () => {
  let dir = '';
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  /**
   * Run it with nmcli answering `states[n]` on its n-th look at the active profiles (the last one from then on), and
   * `methods` for `-g ipv4.method`. Returns how often it slept and what systemctl was asked.
   */
  async function settle(
    states: string[][],
    methods: Record<string, string>,
    /** `devices`: UUID:DEVICE of each active ethernet profile. */
    fw: { devices: string[]; zones: string[] } | undefined = undefined,
  ): Promise<{ sleeps: number; systemctl: string; code: number; changes: string; stdout: string }> {
    dir = mkdtempSync(join(tmpdir(), 'lab-settle-'));
    // firewalld runs only when `fw` is given: then each active ethernet device's zone is zones[n] on busctl's n-th call (the last from then on).
    writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\ncase "$1" in is-active) [ -e ${dir}/firewalld ];; *) echo "$@" >> ${dir}/systemctl.log; echo running;; esac\n`, { mode: 0o755 });
    if (fw) {
      writeFileSync(join(dir, 'firewalld'), '');
      writeFileSync(join(dir, 'devices'), fw.devices.map((d) => `${d}:802-3-ethernet\n`).join(''));
      fw.zones.forEach((z, i) => writeFileSync(join(dir, `zone.${i}`), `s "${z}"\n`));
      // changeZoneOfInterface is logged, and from then on the device is in the zone asked for ('trusted' for "").
      const busctl = [
        '#!/bin/sh',
        `d=${dir}`,
        'case "$*" in *changeZoneOfInterface*) for a; do :; done; echo "$*" >> $d/changes; echo \'s "trusted"\' > $d/changed; echo \'s "trusted"\'; exit 0 ;; esac',
        '[ -e $d/changed ] && { cat $d/changed; exit 0; }',
        'n=$(cat $d/bn 2>/dev/null || echo 0); f=$d/zone.$n; [ -e $f ] || f=$(ls $d/zone.* | sort -t. -k2 -n | tail -1); cat $f; echo $((n + 1)) > $d/bn',
      ].join('\n');
      writeFileSync(join(dir, 'busctl'), `${busctl}\n`, { mode: 0o755 });
    }
    writeFileSync(join(dir, 'sleep'), `#!/bin/sh\necho x >> ${dir}/sleeps\n`, { mode: 0o755 });
    states.forEach((lines, i) => writeFileSync(join(dir, `active.${i}`), lines.map((l) => `${l}\n`).join('')));
    for (const [uuid, m] of Object.entries(methods)) writeFileSync(join(dir, `method.${uuid}`), `${m}\n`);
    const nmcli = [
      '#!/bin/sh',
      `d=${dir}`,
      'case "$*" in',
      '  *DEVICE,TYPE*) cat $d/devices 2>/dev/null ;;',
      '  *--active*) n=$(cat $d/n 2>/dev/null || echo 0); f=$d/active.$n; [ -e $f ] || f=$(ls $d/active.* | sort -t. -k2 -n | tail -1); cat $f; echo $((n + 1)) > $d/n ;;',
      '  *ipv4.method*) for a; do u=$a; done; cat $d/method.$u ;;',
      '  *connection.zone*) echo ;;',
      'esac',
    ].join('\n');
    writeFileSync(join(dir, 'nmcli'), `${nmcli}\n`, { mode: 0o755 });
    const r = await execa('/bin/sh', ['-c', SETTLE_SCRIPT], { reject: false, env: { PATH: `${dir}:/usr/bin:/bin` } });
    const sleeps = (() => {
      try {
        return readFileSync(join(dir, 'sleeps'), 'utf8').split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    })();
    const read = (f: string) => {
      try {
        return readFileSync(join(dir, f), 'utf8').trim();
      } catch {
        return '';
      }
    };
    return { sleeps, systemctl: read('systemctl.log'), code: r.exitCode ?? 1, changes: read('changes'), stdout: String(r.stdout).trim() };
  }

  it('waits for the start jobs, then while the lab NIC\'s static profile is activating', async () => {
    const r = await settle(
      [[`${MGMT}:activated`, `${LAB_NIC}:activating`], [`${MGMT}:activated`, `${LAB_NIC}:activating`], [`${MGMT}:activated`, `${LAB_NIC}:activated`]],
      { [MGMT]: 'auto', [LAB_NIC]: 'manual' },
    );
    expect(r).toEqual({ sleeps: 2, systemctl: 'is-system-running --wait', code: 0, changes: '', stdout: '' });
  });

  it('does not wait for a DHCP profile that never gets a lease (a fresh guest\'s lab NICs)', async () => {
    const r = await settle([[`${MGMT}:activated`, `${LAB_NIC}:activating`]], { [MGMT]: 'auto', [LAB_NIC]: 'auto' });
    expect(r).toEqual({ sleeps: 0, systemctl: 'is-system-running --wait', code: 0, changes: '', stdout: '' });
  });

  it('gives up after 30 s of a static profile that does not come up, and still succeeds (verify reports it)', async () => {
    const r = await settle([[`${LAB_NIC}:activating`]], { [LAB_NIC]: 'manual' });
    expect(r).toEqual({ sleeps: 30, systemctl: 'is-system-running --wait', code: 0, changes: '', stdout: '' });
    // Thirty rounds of stub processes: seconds on a machine busy with VMs, past vitest's default 5 s.
  }, 60_000);

  it('waits while firewalld runs and an active profile\'s device is in no zone yet (NetworkManager binds it late)', async () => {
    const r = await settle([[`${MGMT}:activated`, `${LAB_NIC}:activated`]], { [MGMT]: 'auto', [LAB_NIC]: 'manual' }, { devices: [`${LAB_NIC}:ens4`], zones: ['', '', 'trusted'] });
    expect(r).toEqual({ sleeps: 2, systemctl: 'is-system-running --wait', code: 0, changes: '', stdout: '' });
  });

  it("does not wait for the management NIC's DHCP profile, which stays in no zone", async () => {
    const r = await settle([[`${MGMT}:activated`, `${LAB_NIC}:activated`]], { [MGMT]: 'auto', [LAB_NIC]: 'manual' }, { devices: [`${MGMT}:ens2`], zones: [''] });
    expect(r).toEqual({ sleeps: 0, systemctl: 'is-system-running --wait', code: 0, changes: '', stdout: '' });
  });

  it('asks firewalld itself, once, with NetworkManager\'s call and the profile\'s zone, after 12 s of a device in no zone (NetworkManager\'s own request timed out)', async () => {
    const r = await settle([[`${MGMT}:activated`, `${LAB_NIC}:activated`]], { [MGMT]: 'auto', [LAB_NIC]: 'manual' }, { devices: [`${LAB_NIC}:ens4`], zones: [''] });
    expect(r.changes).toBe('--auto-start=no --timeout=60 call org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.zone changeZoneOfInterface ss  ens4');
    // Twelve seconds of no zone, the call, then a second more until firewalld shows the binding.
    expect(r.sleeps).toBe(13);
    expect(r.stdout).toBe("ens4 was in no firewalld zone after 12 s (NetworkManager's request to a slow firewalld timed out): asked firewalld for zone (default), as NetworkManager does");
  }, 60_000);

  it('does not ask firewalld when it does not run', async () => {
    const r = await settle([[`${MGMT}:activated`, `${LAB_NIC}:activated`]], { [MGMT]: 'auto', [LAB_NIC]: 'manual' });
    expect(r).toEqual({ sleeps: 0, systemctl: 'is-system-running --wait', code: 0, changes: '', stdout: '' });
  });
});
