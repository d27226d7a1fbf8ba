// keepalived's own words, recorded on Debian 12 guests (test/fixtures/keepalived): the state of each VRRP instance since
// keepalived last started, each real server's last check verdict, and the nftables rules that drop VRRP.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { liveCheckOf } from './config.js';
import { parseKeepalivedLog, parseVrrpRules } from './state.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/keepalived/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');

/** The `-o cat` lines of a recording that also holds short-unix ones (`## ... same, -o cat` sections). */
const catLines = (text: string) => text.split('\n').filter((l) => !/^\d{10}\.\d+ /.test(l) && !l.startsWith('==') && !l.startsWith('##')).join('\n');

describe('keepalived journal', () => {
  it('the master since its last start: MASTER after BACKUP (init), both real servers up; the earlier run does not count', () => {
    const log = parseKeepalivedLog(fixture('03-journal-unit-proxy.txt'));
    expect(log.started).toBe(true);
    expect(log.stopped).toBe(false);
    expect(log.instances.get('VI_1')).toEqual({ state: 'MASTER', transitions: 2 });
    expect(log.checks.get('192.168.4.100:80')).toEqual({ up: true, line: 'Remote Web server [192.168.4.100]:tcp:80 succeed on service.' });
    expect(log.checks.get('192.168.4.200:80')?.up).toBe(true);
  });

  it('the backup: BACKUP', () => {
    const log = parseKeepalivedLog(fixture('03-journal-unit-client.txt'));
    expect(log.instances.get('VI_1')?.state).toBe('BACKUP');
  });

  it('stopped: every instance STOP', () => {
    const text = fixture('03-journal-unit-proxy.txt') + '\nStopping\nShutting down service [192.168.4.100]:tcp:80 from VS [192.168.4.15]:tcp:80\nStopped\nStopped Keepalived v2.2.7 (01/16,2022)\n';
    const log = parseKeepalivedLog(text);
    expect(log.stopped).toBe(true);
    expect(log.instances.get('VI_1')?.state).toBe('STOP');
  });

  it("a real server whose web server stopped: down, with the checker's own line; back up once added again", () => {
    const down = parseKeepalivedLog(`Starting Keepalived v2.2.7 (01/16,2022)\n(VI_1) Entering MASTER STATE\n${catLines(fixture('07-healthcheck-web1-apache-stop-start.txt')).split('apache-start-begin')[0]}`);
    expect(down.checks.get('192.168.4.100:80')).toEqual({ up: false, line: 'HTTP_CHECK on service [192.168.4.100]:tcp:80 failed after 1 retries.' });
    const back = parseKeepalivedLog(`Starting Keepalived v2.2.7 (01/16,2022)\n${catLines(fixture('07-healthcheck-web1-apache-stop-start.txt'))}`);
    expect(back.checks.get('192.168.4.100:80')?.up).toBe(true);
  });
});

describe('the live check of a real server', () => {
  it('connect_port in a hand-edited file; the real server port when there is none', () => {
    const edited = fixture('keepalived.conf.proxy-connect-port-8080');
    expect(liveCheckOf(edited, '192.168.4.100', 80)).toMatchObject({ type: 'HTTP_GET', port: 8080, path: '/' });
    expect(liveCheckOf(fixture('keepalived.conf.proxy-master'), '192.168.4.100', 80)).toMatchObject({ type: 'HTTP_GET', port: 80, path: '/', status: 200 });
    expect(liveCheckOf(edited, '192.168.4.99', 80)).toBeUndefined();
  });
});

describe('rules naming VRRP', () => {
  it('nft (table, chain, handle) and firewalld rich rules (zone); a drop blocks, an accept does not; firewalld\'s own table is left to its rich rules', () => {
    const rules = parseVrrpRules(
      [
        'nft inet labtest in \t\tip protocol vrrp drop # handle 3',
        'nft inet firewalld filter_IN_trusted_deny \t\tmeta l4proto vrrp drop # handle 201',
        'rich trusted as 2 "rule protocol value=\\"vrrp\\" drop" "rule service name=\\"ssh\\" accept"',
        'rich public as 1 "rule protocol value=\\"vrrp\\" accept"',
      ].join('\n'),
    );
    expect(rules).toEqual([
      { where: 'nft table inet labtest, chain in', rule: 'ip protocol vrrp drop', blocks: true, fix: 'nft delete rule inet labtest in handle 3' },
      {
        where: 'firewalld zone trusted (runtime)',
        rule: 'rule protocol value="vrrp" drop',
        blocks: true,
        fix: `firewall-cmd --zone=trusted --remove-rich-rule='rule protocol value="vrrp" drop'; firewall-cmd --permanent --zone=trusted --remove-rich-rule='rule protocol value="vrrp" drop' || true`,
      },
      { where: 'firewalld zone public (runtime)', rule: 'rule protocol value="vrrp" accept', blocks: false, fix: expect.stringContaining('--remove-rich-rule') },
    ]);
  });
});
