// The balancing judge on recorded answer sequences: rr alternation, wrr 1:3 runs, persistence, dead and silent servers.
import { describe, expect, it } from 'vitest';
import { expectationFor, judgeBalancing, type BalancingSpec } from './balancing.js';
import type { RequestRecord } from './requests.js';

const servers = (w1 = 1, w2 = 1) => [
  { host: 'web1', address: '192.168.2.100', weight: w1, page: '192.168.2.100\n' },
  { host: 'web2', address: '192.168.2.200', weight: w2, page: '192.168.2.200\n' },
];
const spec = (over: Partial<BalancingSpec> = {}): BalancingSpec => ({ vip: '192.168.4.5', port: 80, scheduler: 'wrr', servers: servers(), director: 'proxy', ...over });

/** A = web1, B = web2, R = refused (curl 7), T = timed out (curl 28), X = another page. */
function seq(s: string): RequestRecord[] {
  return s.split(' ').map((t) => {
    if (t === 'A') return { exit: 0, http: 200, body: '192.168.2.100' };
    if (t === 'B') return { exit: 0, http: 200, body: '192.168.2.200' };
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
    expect(expectationFor(spec({ scheduler: 'wlc' }))).toBe('all-answer');
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

  it('wants every server over enough requests under lc', () => {
    expect(judgeBalancing(spec({ scheduler: 'lc' }), seq('A B A B')).status).toBe('pass');
    expect(judgeBalancing(spec({ scheduler: 'lc' }), seq('A A A A')).status).toBe('fail');
  });

  it('cannot judge servers with identical pages', () => {
    const same = servers().map((s) => ({ ...s, page: 'hello\n' }));
    expect(judgeBalancing(spec({ servers: same }), seq('A B')).why).toMatch(/identical pages/);
  });
});
