// The packet walk in both languages, over the captures recorded on the lab's VMs (test/fixtures/trace): in English,
// byte for byte what `lab trace` printed before its sentences moved to the catalog (src/i18n/catalog/trace.ts); in
// Simplified Chinese, the course note's words around the same hosts, addresses, interfaces, packet names and commands,
// with no English sentence left in it. Each walk is built inside withLang: its sentences are written as it is built.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TRACE_FIXTURES, recordedTrace, replayTrace } from '../../test/unit/recorded-trace.js';
import { withLang, type Lang } from '../i18n/index.js';
import { styler } from '../report/style.js';
import { requestsOf, shownWalk, type Traced } from './outputs.js';
import { formatWalk } from './render.js';

const URL = { 'lvs-nat': 'http://192.168.4.5/', 'lvs-dr': 'http://192.168.4.15/', 'lvs-tun': 'http://192.168.4.15/' } as Record<string, string>;

/** What the terminal prints for the walk shown, with every request listed (or only the one shown, `only`). */
function printed(lab: string, meta: { client: string; hosts: string[] }, traced: Traced[], only = false): string {
  const s = shownWalk(traced)!;
  const requests = requestsOf(only ? [s] : traced);
  return formatWalk({ lab, url: URL[lab]!, client: meta.client, clientPort: s.clientPort, captured: meta.hosts, requests, shown: only ? 0 : traced.indexOf(s) }, s.walk, styler(false));
}

/** A recorded state replayed in a language: its walks, the one shown, and what the terminal prints. */
async function replay(lab: string, state: string, lang: Lang) {
  const r = await recordedTrace(lab, state);
  return withLang(lang, () => {
    const traced = r.walks();
    const s = shownWalk(traced)!;
    return { traced, walk: s.walk, s, printed: printed(lab, r.meta, traced), one: printed(lab, r.meta, traced, true) };
  });
}

const STATES = readdirSync(TRACE_FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.startsWith('lvs-'))
  .flatMap((d) => readdirSync(`${TRACE_FIXTURES}${d.name}`).map((state) => [d.name, state] as const));

/** Words of the English sentences (none of them in the hosts' own output that the walk quotes, such as a route). */
const ENGLISH =
  /\b(receives|receive|received|sends|sent|replies|replied|rewrote|wraps|unwraps|unwrapped|wrapped|refused|holds|hold|the|its|the walk stops|walked below|changed|requests?|reply|real server|no lab network|one new connection|captured with|served by|why and fix|explains|mode|times|instead|never|nothing|through|toward|became|outer|went to|got HTTP|failed|exit)\b/;

describe('English: the walk reads as before', () => {
  it('lvs-nat good: the whole walk, as formatWalk prints it', async () => {
    const { printed: text } = await replay('lvs-nat', 'good', 'en');
    expect(text).toBe(
      [
        'lab trace lvs-nat: 2 requests, one new connection each, from client to http://192.168.4.5/ (NAT mode), captured with tcpdump on client, proxy, web1, web2',
        '  request 1 (port 43569) went to web2 and got HTTP 200 "192.168.2.200": walked below',
        '  request 2 (port 43574) went to web1 and got HTTP 200 "192.168.2.100"',
        '',
        ' 1  client  out ens3  192.168.4.10:43569 → 192.168.4.5:80    SYN',
        '            client sends the first packet (SYN) of the request from 192.168.4.10:43569 to the VIP 192.168.4.5:80, out of ens3 (public)',
        ' 2  proxy   in ens3   192.168.4.10:43569 → 192.168.4.5:80    SYN',
        '            proxy, the director, receives it on ens3 (public)',
        ' 3  proxy   out ens4  192.168.4.10:43569 → 192.168.2.200:80  SYN',
        '            proxy rewrote the destination 192.168.4.5:80 → 192.168.2.200:80 (NAT) and sends it to web2 out of ens4 (private)',
        '            changed: dst 192.168.4.5:80 → 192.168.2.200:80',
        ' 4  web2    in ens3   192.168.4.10:43569 → 192.168.2.200:80  SYN',
        '            web2 receives it on ens3 (private): 192.168.4.10:43569 → 192.168.2.200:80, the client\'s own address as the source',
        ' 5  web2    out ens3  192.168.2.200:80 → 192.168.4.10:43569  SYN-ACK',
        '            web2 replies (SYN-ACK) from 192.168.2.200:80 to 192.168.4.10:43569 out of ens3 (private), via its gateway 192.168.2.5 (the director)',
        ' 6  proxy   in ens4   192.168.2.200:80 → 192.168.4.10:43569  SYN-ACK',
        '            proxy receives the reply on ens4 (private)',
        ' 7  proxy   out ens3  192.168.4.5:80 → 192.168.4.10:43569    SYN-ACK',
        '            proxy rewrote the source 192.168.2.200:80 → 192.168.4.5:80 and sends it to the client out of ens3 (public)',
        '            changed: src 192.168.2.200:80 → 192.168.4.5:80',
        ' 8  client  in ens3   192.168.4.5:80 → 192.168.4.10:43569    SYN-ACK',
        '            client receives the reply from the VIP 192.168.4.5:80, the address it asked: the connection is set up',
        '',
        'then client sent "GET / HTTP/1.1" and got "HTTP/1.1 200 OK" on the same path',
        '',
        'the reply reached client from the VIP: HTTP 200; the page: "192.168.2.200" (served by web2)',
      ].join('\n') + '\n',
    );
  });

  it('lvs-nat web1-no-gateway: the walk up to its stop, the stop and the check that explains it', async () => {
    const { printed: text } = await replay('lvs-nat', 'web1-no-gateway', 'en');
    expect(text).toBe(
      [
        'lab trace lvs-nat: 2 requests, one new connection each, from client to http://192.168.4.5/ (NAT mode), captured with tcpdump on client, proxy, web1, web2',
        '  request 1 (port 58815) went to web2 and got HTTP 200 "192.168.2.200"',
        '  request 2 (port 58820) went to web1 and failed (curl exit 28): walked below',
        '',
        ' 1  client  out ens3  192.168.4.10:58820 → 192.168.4.5:80    SYN',
        '            client sends the first packet (SYN) of the request from 192.168.4.10:58820 to the VIP 192.168.4.5:80, out of ens3 (public)',
        ' 2  proxy   in ens3   192.168.4.10:58820 → 192.168.4.5:80    SYN',
        '            proxy, the director, receives it on ens3 (public)',
        ' 3  proxy   out ens4  192.168.4.10:58820 → 192.168.2.100:80  SYN',
        '            proxy rewrote the destination 192.168.4.5:80 → 192.168.2.100:80 (NAT) and sends it to web1 out of ens4 (private)',
        '            changed: dst 192.168.4.5:80 → 192.168.2.100:80',
        ' 4  web1    in ens3   192.168.4.10:58820 → 192.168.2.100:80  SYN',
        '            web1 receives it on ens3 (private): 192.168.4.10:58820 → 192.168.2.100:80, the client\'s own address as the source',
        '',
        'client sent the SYN 3 times: no answer came back to the first',
        '',
        'the walk stops after step 4: web1 received the SYN but sent no reply on any interface (its route to 192.168.4.10: RTNETLINK answers: Network is unreachable): it has no route back to 192.168.4.10',
        'the check that explains it: "replies to client (192.168.4.10) go via proxy (192.168.2.5)" on web1 (real-servers route); its why and fix: lab verify lvs-nat --hosts web1',
      ].join('\n') + '\n',
    );
  });

  it('the words the Chinese tests look for are in the English walk', async () => {
    const { printed: text } = await replay('lvs-nat', 'web1-no-gateway', 'en');
    expect(text).toMatch(/\b(receives|sends|replies|the walk stops)\b/);
    expect(text).toMatch(ENGLISH);
  });

  it('one request: "one request", without "one new connection each"', async () => {
    const { one } = await replay('lvs-nat', 'good', 'en');
    expect(one.split('\n')[0]).toBe('lab trace lvs-nat: one request from client to http://192.168.4.5/ (NAT mode), captured with tcpdump on client, proxy, web1, web2');
  });

  for (const [lab, state] of STATES) {
    it(`${lab} ${state}: a walk built after a Chinese one is the same as one built in the default language`, async () => {
      const plain = await replayTrace(lab, state);
      await replay(lab, state, 'zh-CN');
      const en = await replay(lab, state, 'en');
      expect(JSON.stringify(en.traced)).toBe(JSON.stringify(plain.traced));
      expect(en.printed).toBe(printed(lab, plain.meta, plain.traced));
    });
  }
});

describe('Simplified Chinese', () => {
  it('lvs-nat good: each sighting in the course\'s words, NAT rewriting both ways', async () => {
    const { walk, s, printed: text, one } = await replay('lvs-nat', 'good', 'zh-CN');
    const c = `192.168.4.10:${s.clientPort}`;
    const web = walk.realServer!;
    const rip = web === 'web1' ? '192.168.2.100' : '192.168.2.200';
    expect(walk.steps.map((st) => st.text)).toEqual([
      `client 从 ${c} 向 VIP 192.168.4.5:80 发出请求的第一个数据包（SYN），经 ens3（public 网络）发出`,
      '调度器 proxy 在 ens3（public 网络）上收到这个数据包',
      `proxy 把目标地址从 192.168.4.5:80 改写为 ${rip}:80（NAT），再经 ens4（private 网络）发给 ${web}`,
      `${web} 在 ens3（private 网络）上收到它：${c} → ${rip}:80，源地址仍是客户端自己的地址`,
      `${web} 经 ens3（private 网络）发出回复（SYN-ACK）：从 ${rip}:80 发往 ${c}，交给它的网关 192.168.2.5（调度器）`,
      'proxy 在 ens4（private 网络）上收到回复',
      `proxy 把源地址从 ${rip}:80 改写为 192.168.4.5:80，再经 ens3（public 网络）发给客户端`,
      'client 收到了回复，来自它请求的地址 VIP 192.168.4.5:80：连接建立起来了',
    ]);
    expect(walk.steps.map((st) => st.changed ?? [])).toEqual([[], [], [`目标地址 192.168.4.5:80 → ${rip}:80`], [], [], [], [`源地址 ${rip}:80 → 192.168.4.5:80`], []]);
    expect(walk.notes).toEqual(['随后 client 沿同一路径发出 "GET / HTTP/1.1"，收到 "HTTP/1.1 200 OK"']);
    const lines = text.split('\n');
    expect(lines[0]).toBe('lab trace lvs-nat：2 个请求（每个请求都是一个新连接），从 client 发往 http://192.168.4.5/（NAT 模式），在 client、proxy、web1、web2 上用 tcpdump 抓包');
    expect(lines[1]).toBe(`  请求 1（端口 ${s.clientPort}）发往 ${web}，得到 HTTP 200 "${rip}"：下面逐步展示这个请求`);
    expect(lines).toContain(`            变化：目标地址 192.168.4.5:80 → ${rip}:80`);
    expect(lines).toContain(`回复从 VIP 到达了 client：HTTP 200；页面："${rip}"（由 ${web} 提供）`);
    expect(one.split('\n')[0]).toBe('lab trace lvs-nat：1 个请求，从 client 发往 http://192.168.4.5/（NAT 模式），在 client、proxy、web1、web2 上用 tcpdump 抓包');
    expect(text).not.toMatch(/\b(receives|sends|replies|the walk stops)\b/);
    expect(text).not.toMatch(ENGLISH);
  });

  it('lvs-nat web1-no-gateway: the stop says why in Chinese; the check and the command stay as they are', async () => {
    const { walk, printed: text } = await replay('lvs-nat', 'web1-no-gateway', 'zh-CN');
    expect(walk.steps).toHaveLength(4);
    expect(walk.stop).toMatchObject({ after: 4, check: { check: 'real-servers', id: 'route', host: 'web1' }, command: 'lab verify lvs-nat --hosts web1' });
    expect(walk.stop!.why).toBe('web1 收到了 SYN，却没有从任何网卡发出回复（它到 192.168.4.10 的路由：RTNETLINK answers: Network is unreachable）：它没有回到 192.168.4.10 的路由');
    expect(walk.notes).toEqual(['client 把 SYN 发了 3 次：第一次发出后一直没有收到回复']);
    const lines = text.split('\n');
    expect(lines).toContain(`追踪在第 4 步之后停止：${walk.stop!.why}`);
    expect(lines).toContain(`解释原因的检查：web1 上的 "${walk.stop!.check!.title}"（real-servers route）；原因和修复方法：lab verify lvs-nat --hosts web1`);
    expect(walk.stop!.check!.title).toMatch(/[\u4e00-\u9fff]/);
    expect(text).toContain('  请求 2（端口 ');
    expect(text).toMatch(/发往 web1，失败（curl 退出码 28）：下面逐步展示这个请求/);
    expect(text).not.toMatch(/\b(receives|sends|replies|the walk stops)\b/);
    expect(text).not.toMatch(ENGLISH);
  });

  it('lvs-nat web2-apache2-stopped: the reset and the refusal', async () => {
    const { walk } = await replay('lvs-nat', 'web2-apache2-stopped', 'zh-CN');
    expect(walk.steps.at(-1)!.text).toBe('web2 从 192.168.2.200:80 回了一个复位（RST）：那里没有程序在监听');
    expect(walk.stop!.why).toBe('web2 拒绝了连接：192.168.2.200:80 上没有 Web 服务器在监听');
  });

  it('lvs-tun: IP-in-IP wrapping and unwrapping, and the rp_filter stop', async () => {
    const good = await replay('lvs-tun', 'good', 'zh-CN');
    const web = good.walk.realServer!;
    const rip = web === 'web1' ? '192.168.2.100' : '192.168.2.200';
    expect(good.walk.steps[2]!.changed).toEqual([`加上 IP-in-IP 封装 192.168.4.5 → ${rip}`]);
    expect(good.walk.steps[4]!.changed).toEqual([`解除 IP-in-IP 封装（原外层 IP 头 192.168.4.5 → ${rip}）`]);
    expect(good.walk.steps[4]!.text).toBe(`${web} 的 tunl0 解除封装：192.168.4.10:${good.s.clientPort} → 192.168.4.15:80，发往 VIP，${web} 在 tunl0 上持有这个地址`);
    expect(good.printed).toContain(`SYN  IP-in-IP 封装 192.168.4.5 → ${rip}`);
    const rp = await replay('lvs-tun', 'web1-rp-filter', 'zh-CN');
    expect(rp.walk.stop!.why).toBe(
      'web1 在 tunl0 上持有 VIP，也收到了数据包，但解除封装后把它丢弃了：发给 192.168.4.10 的回复要从另一个网卡出去，所以反向路径过滤（rp_filter）会丢弃从 tunl0 进来、来自 192.168.4.10 的数据包',
    );
  });

  for (const [lab, state] of STATES) {
    it(`${lab} ${state}: every sentence in Chinese; hosts, addresses, interfaces, packets and commands as in English`, async () => {
      const zh = await replay(lab, state, 'zh-CN');
      const en = await replay(lab, state, 'en');
      const cjk = /[\u4e00-\u9fff]/;
      for (const st of zh.walk.steps) expect(st.text).toMatch(cjk);
      for (const n of zh.walk.notes) expect(n).toMatch(cjk);
      if (zh.walk.stop) expect(zh.walk.stop.why).toMatch(cjk);
      // The same walk apart from its sentences: what --json gives a script does not depend on the language.
      const facts = (w: typeof zh.walk) => ({ ...w, steps: w.steps.map(({ text: _t, changed: _c, ...rest }) => rest), notes: w.notes.length, stop: w.stop && { ...w.stop, why: '', check: w.stop.check && { ...w.stop.check, title: '' } } });
      expect(facts(zh.walk)).toEqual(facts(en.walk));
      expect(zh.printed).not.toMatch(/\b(receives|sends|replies|the walk stops)\b/);
      expect(zh.printed).not.toMatch(ENGLISH);
      if (zh.walk.stop) expect(zh.printed).toContain(zh.walk.stop.command);
    });
  }
});
