// The balancing judge on recorded answer sequences, per scheduler: rr alternation, wrr 1:3 runs, pinning (sh, dh, mh,
// lblc, lblcr, persistence), fo's highest weight, the least-connection choices with held connections (lc, wlc, sed, nq,
// ovf), and dead and silent servers.
import { describe, expect, it } from 'vitest';
import { allowedServers, expectationFor, holdCount, judgeBalancing, type BalancingSpec, type HeldRecords } from './balancing.js';
import type { RequestRecord } from './requests.js';

const servers = (w1 = 1, w2 = 1, w3?: number) => [
  { host: 'web1', address: '192.168.2.100', weight: w1, page: '192.168.2.100\n' },
  { host: 'web2', address: '192.168.2.200', weight: w2, page: '192.168.2.200\n' },
  ...(w3 === undefined ? [] : [{ host: 'web3', address: '192.168.2.300', weight: w3, page: '192.168.2.300\n' }]),
];
const spec = (over: Partial<BalancingSpec> = {}): BalancingSpec => ({ vip: '192.168.4.5', port: 80, scheduler: 'wrr', servers: servers(), director: 'proxy', ...over });

/** A = web1, B = web2, C = web3, R = refused (curl 7), T = timed out (curl 28), E = empty reply (52), X = another page. */
function seq(s: string): RequestRecord[] {
  if (s === '') return [];
  return s.split(' ').map((t) => {
    if (t === 'A') return { exit: 0, http: 200, body: '192.168.2.100' };
    if (t === 'B') return { exit: 0, http: 200, body: '192.168.2.200' };
    if (t === 'C') return { exit: 0, http: 200, body: '192.168.2.300' };
    if (t === 'E') return { exit: 52, http: 0, body: '' };
    if (t === 'R') return { exit: 7, http: 0, body: '' };
    if (t === 'T') return { exit: 28, http: 0, body: '' };
    return { exit: 0, http: 200, body: '<html><body>It works!</body></html>' };
  });
}

describe('expectationFor', () => {
  it('maps schedulers and persistence to what one client should see', () => {
    expect(expectationFor(spec({ scheduler: 'rr' }))).toBe('alternate');
    expect(expectationFor(spec())).toBe('alternate');
    expect(expectationFor(spec({ servers: servers(1, 3) }))).toBe('counts');
    expect(expectationFor(spec({ persistence: 300 }))).toBe('one-server');
    expect(expectationFor(spec({ scheduler: 'sh' }))).toBe('one-server');
    expect(expectationFor(spec({ scheduler: 'wlc' }))).toBe('least');
    for (const scheduler of ['dh', 'mh', 'lblc', 'lblcr']) expect(expectationFor(spec({ scheduler }))).toBe('one-server');
    for (const scheduler of ['lc', 'sed', 'nq', 'ovf']) expect(expectationFor(spec({ scheduler }))).toBe('least');
    expect(expectationFor(spec({ scheduler: 'fo' }))).toBe('failover');
    // Persistence pins whatever the scheduler; so does a single server with weight > 0.
    expect(expectationFor(spec({ scheduler: 'lc', persistence: 60 }))).toBe('one-server');
    expect(expectationFor(spec({ scheduler: 'rr', servers: servers(1, 0) }))).toBe('one-server');
  });

  it('holds one fewer connection than servers for lc/wlc/sed/nq, one more than the top weight for ovf, none otherwise', () => {
    expect(holdCount(spec({ scheduler: 'lc' }))).toBe(1);
    expect(holdCount(spec({ scheduler: 'wlc', servers: servers(1, 1, 1) }))).toBe(2);
    expect(holdCount(spec({ scheduler: 'sed', servers: servers(1, 3) }))).toBe(1);
    expect(holdCount(spec({ scheduler: 'nq' }))).toBe(1);
    expect(holdCount(spec({ scheduler: 'ovf', servers: servers(1, 3) }))).toBe(4);
    expect(holdCount(spec({ scheduler: 'ovf', servers: servers(1, 100) }))).toBe(8);
    for (const scheduler of ['rr', 'wrr', 'sh', 'fo']) expect(holdCount(spec({ scheduler }))).toBe(0);
    expect(holdCount(spec({ scheduler: 'lc', persistence: 60 }))).toBe(0);
  });
});

describe('judgeBalancing', () => {
  it('passes rr alternation, as the seed run on the test bed answered', () => {
    const v = judgeBalancing(spec({ scheduler: 'rr' }), seq('B A B A B A B A'));
    expect(v.status).toBe('pass');
    expect(v.found).toContain('web2 web1 web2 web1');
  });

  it('fails two answers in a row from one server under equal-weight wrr', () => {
    const v = judgeBalancing(spec(), seq('A B B A B A B A'));
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/web2 answering requests 2 and 3 in a row/);
  });

  it('passes wrr 1:3 runs like B A B B B A B B by counts, not by sequence', () => {
    expect(judgeBalancing(spec({ servers: servers(1, 3) }), seq('B A B B B A B B')).status).toBe('pass');
    // The phase depends on the order the servers were added: another phase, same counts.
    expect(judgeBalancing(spec({ servers: servers(1, 3) }), seq('A B B B A B B B')).status).toBe('pass');
  });

  it('fails wrr 1:3 when the client sees an interleaving', () => {
    const v = judgeBalancing(spec({ servers: servers(1, 3) }), seq('A B A B A B A B'));
    expect(v.status).toBe('fail');
    expect(v.expected).toContain('web1 2, web2 6');
    expect(v.found).toContain('over the first 8: web1 4, web2 4');
  });

  it('judges counts over whole multiples of the total weight only', () => {
    // 10 requests, total weight 4: the first 8 are judged; the last 2 may be anything.
    expect(judgeBalancing(spec({ servers: servers(1, 3) }), seq('B B A B B B A B B B')).status).toBe('pass');
  });

  it('passes persistence when every request lands on one server, and fails when it does not', () => {
    expect(judgeBalancing(spec({ scheduler: 'rr', persistence: 300 }), seq('B B B B B B B B')).status).toBe('pass');
    const v = judgeBalancing(spec({ scheduler: 'rr', persistence: 300 }), seq('B A B A B A B A'));
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/persistence \(-p 300\)/);
  });

  it('explains a dead server: its share is refused', () => {
    const v = judgeBalancing(spec(), seq('A R A R A R A R'));
    expect(v.status).toBe('fail');
    expect(v.found).toContain('web2 never answered');
    expect(v.found).toContain('failed 4: refused');
    expect(v.why).toMatch(/web2 refuses them/);
  });

  it('explains a server that never answers: its share times out', () => {
    const v = judgeBalancing(spec(), seq('T B T B T B T B'));
    expect(v.status).toBe('fail');
    expect(v.found).toContain('web1 never answered');
    expect(v.why).toMatch(/no answer comes back/);
    expect(v.why).toMatch(/default route/);
  });

  it('explains a VIP that answers nothing at all', () => {
    expect(judgeBalancing(spec(), seq('R R R R')).why).toMatch(/Nothing at 192.168.4.5:80 accepted/);
    expect(judgeBalancing(spec(), seq('T T T T')).why).toMatch(/No answer came back at all/);
  });

  it('explains answers that are no real server\'s page', () => {
    const v = judgeBalancing(spec(), seq('A X A X'));
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/not the page lab up wrote/);
    expect(v.why).toMatch(/It works!/);
  });

  it('fails a server with weight > 0 that never answers although nothing failed', () => {
    const v = judgeBalancing(spec(), seq('A A A A'));
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/web2 never did/);
  });

  it('fails an answer from a weight-0 server with the fix that sets the scheduler on the director', () => {
    const v = judgeBalancing(spec({ scheduler: 'rr', servers: servers(1, 0) }), seq('A B A B'));
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/web2 has weight 0 in the spec/);
    expect(v.fix).toEqual(['ipvsadm -E -t 192.168.4.5:80 -s rr   # on proxy']);
  });

  it("under keepalived the scheduler's fix is lb_algo in its config, checked and reloaded on every director", () => {
    const v = judgeBalancing(spec({ scheduler: 'rr', servers: servers(1, 0), keepalived: true }), seq('A B A B'));
    expect(v.fix).toEqual([`sed -i 's/^\\( *lb_algo \\).*/\\1rr/' /etc/keepalived/keepalived.conf && keepalived -t && systemctl reload keepalived   # on every director (proxy holds the VIP)`]);
  });

  it('does not speak of NAT routes for a DR lab', () => {
    const nat = judgeBalancing(spec(), seq('T B T B'));
    const dr = judgeBalancing(spec({ forwarding: 'dr' }), seq('T B T B'));
    expect(nat.why).toMatch(/default route|-g instead of -m/);
    expect(dr.why).not.toMatch(/default route|-g instead of -m|NAT/);
    expect(dr.why).toMatch(/does not accept packets addressed to 192.168.4.5/);
    expect(judgeBalancing(spec({ forwarding: 'dr' }), seq('T T T T')).why).not.toMatch(/default route|ip_forward/);
  });

  it('cannot judge servers with identical pages', () => {
    const same = servers().map((s) => ({ ...s, page: 'hello\n' }));
    expect(judgeBalancing(spec({ servers: same }), seq('A B')).why).toMatch(/identical pages/);
  });
});

describe('rr and wrr over three servers', () => {
  const three = { servers: servers(1, 1, 1) };

  it('passes rr taking the three in turn', () => {
    expect(judgeBalancing(spec({ scheduler: 'rr', ...three }), seq('C A B C A B C A B')).status).toBe('pass');
  });

  it('fails rr when one server answers twice within three, though never twice in a row', () => {
    const v = judgeBalancing(spec({ scheduler: 'rr', ...three }), seq('A B A C A B C A B'));
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/web1 answering requests 1 and 3, fewer than 3 apart/);
    expect(v.fix).toEqual(['ipvsadm -E -t 192.168.4.5:80 -s rr   # on proxy']);
  });

  it('passes rr whatever the weights (rr ignores them) but not a weight-0 server', () => {
    expect(judgeBalancing(spec({ scheduler: 'rr', servers: servers(1, 3) }), seq('A B A B A B')).status).toBe('pass');
  });

  it('passes wrr 1:2:3 by counts over 12', () => {
    const v = judgeBalancing(spec({ servers: servers(1, 2, 3) }), seq('C B C A B C C B C A B C'));
    expect(v.status).toBe('pass');
    expect(v.found).toContain('over the first 12: web1 2, web2 4, web3 6');
  });
});

describe('pinning schedulers and persistence', () => {
  it.each(['sh', 'dh', 'mh', 'lblc', 'lblcr'])('%s passes one active server for every request', (scheduler) => {
    expect(judgeBalancing(spec({ scheduler }), seq('B B B B B B B B')).status).toBe('pass');
    expect(judgeBalancing(spec({ scheduler }), seq('A A A A A A A A')).status).toBe('pass');
  });

  it.each(['sh', 'dh', 'mh', 'lblc', 'lblcr'])('%s fails when the answers alternate, naming what it hashes or keeps', (scheduler) => {
    const v = judgeBalancing(spec({ scheduler }), seq('A B A B A B A B'));
    expect(v.status).toBe('fail');
    expect(v.expected).toContain('answered by one real server');
    expect(v.why).toMatch(scheduler === 'sh' || scheduler === 'mh' ? /client address/ : /destination address/);
    expect(v.why).toMatch(/answers from web1 and web2/);
    expect(v.fix).toEqual([`ipvsadm -E -t 192.168.4.5:80 -s ${scheduler}   # on proxy`]);
  });

  it('fails sh pinned to a weight-0 server: the pinned one must take new connections', () => {
    const v = judgeBalancing(spec({ scheduler: 'sh', servers: servers(1, 0) }), seq('B B B B'));
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/web2 has weight 0/);
  });

  it('pins under persistence whatever the scheduler, and its fix keeps -p', () => {
    expect(judgeBalancing(spec({ scheduler: 'lc', persistence: 60 }), seq('A A A A')).status).toBe('pass');
    const v = judgeBalancing(spec({ scheduler: 'wrr', persistence: 60 }), seq('A B A B'));
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/persistence \(-p 60\)/);
    expect(v.fix).toEqual(['ipvsadm -E -t 192.168.4.5:80 -s wrr -p 60   # on proxy']);
  });
});

describe('fo', () => {
  it('passes every request on the highest-weight server', () => {
    const v = judgeBalancing(spec({ scheduler: 'fo', servers: servers(1, 3) }), seq('B B B B B B'));
    expect(v.status).toBe('pass');
    expect(v.expected).toContain('answered by web2 (fo: the available real server with the highest weight, 3)');
  });

  it('fails answers from the lighter server', () => {
    const v = judgeBalancing(spec({ scheduler: 'fo', servers: servers(1, 3) }), seq('A A A A'));
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/highest weight \(web2 3\).*answers from web1/);
  });

  it('accepts either of two top-weight servers, but only one of them', () => {
    expect(judgeBalancing(spec({ scheduler: 'fo' }), seq('A A A A')).status).toBe('pass');
    expect(judgeBalancing(spec({ scheduler: 'fo' }), seq('B B B B')).status).toBe('pass');
    expect(judgeBalancing(spec({ scheduler: 'fo' }), seq('A B A B')).status).toBe('fail');
  });
});

describe('least-connection schedulers with held connections', () => {
  const held = (h: string, f: string): HeldRecords => ({ held: seq(h), fresh: seq(f) });
  const judge = (over: Partial<BalancingSpec>, h: string, f: string) => judgeBalancing(spec(over), [], held(h, f));
  const allowed = (scheduler: string, w: number[], a: number[]) =>
    allowedServers(scheduler, servers(w[0], w[1], w[2]).filter((s) => s.weight > 0), new Map(a.map((n, i) => [`web${i + 1}`, n])))
      .map((s) => s.host)
      .join(' ');

  it('computes the kernel formulas: lc by active count, wlc by active/weight, sed by (active+1)/weight, nq idle first, ovf by weight until overflow', () => {
    expect(allowed('lc', [1, 1], [1, 0])).toBe('web2');
    expect(allowed('lc', [1, 1], [0, 0])).toBe('web1 web2');
    expect(allowed('lc', [1, 5], [1, 0])).toBe('web2');
    // wlc 1:3 with one held on web2: web1's (0 + i)/1 against web2's (256 + i)/3: either, as web1 may hold 86+ inactive.
    expect(allowed('wlc', [1, 3], [0, 1])).toBe('web1 web2');
    // With one held on web1 instead, web1's 256/1 can never beat web2's at most 255/3.
    expect(allowed('wlc', [1, 3], [1, 0])).toBe('web2');
    // ... but once web1 holds one too, web2's 256/3 wins and web1's 256/1 cannot.
    expect(allowed('wlc', [1, 3], [1, 1])).toBe('web2');
    // sed 1:3 with one held on web2: (0+1)/1 = 1 against (1+1)/3: web2 again, where lc would send web1.
    expect(allowed('sed', [1, 3], [0, 1])).toBe('web2');
    expect(allowed('sed', [1, 3], [0, 2])).toBe('web1 web2');
    expect(allowed('nq', [1, 3], [0, 1])).toBe('web1');
    expect(allowed('nq', [1, 3], [1, 2])).toBe('web2');
    expect(allowed('ovf', [1, 1], [1, 0])).toBe('web1 web2');
    expect(allowed('ovf', [1, 1], [2, 0])).toBe('web2');
    expect(allowed('ovf', [1, 3], [0, 3])).toBe('web2');
    expect(allowed('ovf', [1, 3], [0, 4])).toBe('web1');
    expect(allowed('ovf', [1, 3], [2, 4])).toBe('');
  });

  it('passes lc: the held connection loads one server, every fresh one goes to the other', () => {
    const v = judge({ scheduler: 'lc' }, 'A', 'B B B B B B B B');
    expect(v.status).toBe('pass');
    expect(v.found).toContain('held: web1; 8 requests: web2 web2');
    expect(v.found).toContain('the held connections were web1 1, web2 0');
  });

  it('fails lc when the fresh ones alternate onto the loaded server (rr or wrr in the table)', () => {
    const v = judge({ scheduler: 'lc' }, 'A', 'B A B A B A B A');
    expect(v.status).toBe('fail');
    expect(v.found).toContain('fresh request 2 went to web1 while the held connections were web1 1, web2 0');
    expect(v.why).toMatch(/fresh request 2 should have gone to web2, not web1/);
    expect(v.fix).toEqual(['ipvsadm -E -t 192.168.4.5:80 -s lc   # on proxy']);
  });

  it('judges the held connections too: lc over three servers spreads them before the fresh ones', () => {
    expect(judge({ scheduler: 'lc', servers: servers(1, 1, 1) }, 'B C', 'A A A A').status).toBe('pass');
    const v = judge({ scheduler: 'lc', servers: servers(1, 1, 1) }, 'B B', 'A A A A');
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/held connection 2 should have gone to web1 and web3, not web2/);
  });

  it('passes sed 1:3 sending the fresh ones to the heavier server it already loads, and fails lc doing that', () => {
    expect(judge({ scheduler: 'sed', servers: servers(1, 3) }, 'B', 'B B B B B B B B').status).toBe('pass');
    expect(judge({ scheduler: 'sed', servers: servers(1, 3) }, 'A', 'B B B B').status).toBe('fail');
    expect(judge({ scheduler: 'lc', servers: servers(1, 3) }, 'B', 'B B B B').status).toBe('fail');
  });

  it('passes nq sending the fresh ones to the idle server, whatever its weight', () => {
    expect(judge({ scheduler: 'nq', servers: servers(1, 3) }, 'B', 'A A A A').status).toBe('pass');
    expect(judge({ scheduler: 'nq', servers: servers(1, 3) }, 'B', 'B B B B').status).toBe('fail');
  });

  it('passes wlc either way round for one held connection, as inactive counts decide its first pick', () => {
    expect(judge({ scheduler: 'wlc', servers: servers(1, 3) }, 'A', 'B B B B').status).toBe('pass');
    expect(judge({ scheduler: 'wlc', servers: servers(1, 3) }, 'B', 'A A A A').status).toBe('pass');
    expect(judge({ scheduler: 'wlc', servers: servers(1, 3) }, 'A', 'B A B A').status).toBe('fail');
    expect(judge({ scheduler: 'wlc' }, 'B', 'A B A B').status).toBe('fail');
  });

  it('passes ovf: the top server takes weight + 1 held connections, then the fresh ones overflow', () => {
    expect(judge({ scheduler: 'ovf' }, 'A A', 'B B B B').status).toBe('pass');
    const v = judge({ scheduler: 'ovf', servers: servers(1, 3) }, 'A B B B', 'B B B B');
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/held connection 1 should have gone to web2, not web1/);
    expect(judge({ scheduler: 'ovf', servers: servers(1, 3) }, 'B B B B', 'A A A A').status).toBe('pass');
  });

  it('explains held connections the server closed before they were read', () => {
    const v = judge({ scheduler: 'lc' }, 'E', 'B B B B');
    expect(v.status).toBe('fail');
    expect(v.found).toContain('held: (empty reply)');
    expect(v.why).toMatch(/closed them early/);
  });

  it('explains a missing hold probe instead of judging nothing', () => {
    const v = judgeBalancing(spec({ scheduler: 'lc' }), seq('A B A B'));
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/bash's \/dev\/tcp under timeout/);
  });

  it('reports dead servers as for the other schedulers', () => {
    const v = judge({ scheduler: 'lc' }, 'A', 'R R R R');
    expect(v.status).toBe('fail');
    expect(v.why).toMatch(/web2 refuses them/);
  });
});

describe('the distribution the terminal draws', () => {
  it('counts each real server\'s answers in the spec\'s order, and the answers no real server gave', () => {
    expect(judgeBalancing(spec({ servers: servers(1, 3) }), seq('B A B B B A B B')).distribution).toEqual([{ host: 'web1', count: 2 }, { host: 'web2', count: 6 }]);
    expect(judgeBalancing(spec(), seq('A R A R A T A A')).distribution).toEqual([{ host: 'web1', count: 5 }, { host: 'web2', count: 0 }, { host: null, count: 3 }]);
  });
});
