// Messages of verify-balancing: English and Simplified Chinese side by side.
// The balancing judge: whether the scheduler behaves as the spec says, from the answers one client gets.
import { area } from './types.js';

export const verifyBalancing = area(
  {
    /** Between the parts of a `found` line. */
    sep: '; ',
    /** One sentence after another. */
    sentences: '{{first}} {{second}}',
    /** A list of hosts: "a, b and c". */
    list: {
      sep: ', ',
      last: '{{rest}} and {{last}}',
    },
    /** The schedulers by their ipvsadm names: English keeps the bare name, Chinese adds the course's term. */
    scheduler: {
      rr: 'rr',
      wrr: 'wrr',
      lc: 'lc',
      wlc: 'wlc',
      sed: 'sed',
      nq: 'nq',
      ovf: 'ovf',
      fo: 'fo',
      sh: 'sh',
      dh: 'dh',
      mh: 'mh',
      lblc: 'lblc',
      lblcr: 'lblcr',
    },
    /** What each pinning scheduler hashes or keeps, in a phrase. */
    pin: {
      sh: 'it hashes the client address to one real server',
      mh: 'its Maglev hash of the client address picks one real server',
      dh: 'it hashes the destination address, the VIP, to one real server',
      lblc: 'it keeps each destination address, the VIP, on one real server until that server is overloaded',
      lblcr: 'it keeps each destination address, the VIP, on a set of real servers that grows only under load',
      other: 'it pins',
    },
    pinPersistence: 'persistence (-p {{seconds}})',
    pinScheduler: 'the {{scheduler}} scheduler ({{how}})',
    /** The formula each least-connection scheduler minimises (a = active, i = inactive, w = weight), after "with". */
    formula: {
      lc: 'the fewest connections (a×256 + i, weights ignored)',
      wlc: 'the fewest connections for its weight ((a×256 + i) / w)',
      sed: 'the shortest expected delay ((a + 1) / w)',
      nq: 'an idle one (no active connection) if any, else the shortest expected delay ((a + 1) / w)',
      ovf: 'the highest weight among those whose active connections do not exceed their weight',
    },
    expected: {
      oneHost: 'all {{n}} requests answered by {{host}}',
      onlyServer: 'all {{n}} requests answered by the only real server',
      onePinned: 'all {{n}} requests answered by one real server with weight > 0 ({{why}})',
      alternateTwo: 'all {{n}} requests answered, every real server ({{hosts}}) answers, never the same one twice in a row',
      alternate: 'all {{n}} requests answered, the real servers ({{hosts}}) in turn: each of them once in every {{k}} consecutive answers',
      countsTooFew: 'all {{n}} requests answered by the real servers ({{n}} requests are fewer than the total weight {{total}}: shares not judged)',
      counts: 'all {{n}} requests answered; over the first {{window}} ({{k}} × total weight {{total}}): {{shares}}',
      failover: 'all {{n}} requests answered by {{host}} (fo: the available real server with the highest weight, {{weight}})',
      failoverOneOf: 'all {{n}} requests answered by one of {{hosts}} (fo: the available real server with the highest weight, {{weight}})',
      least_one: '{{count}} connection held open, then {{n}} fresh requests: each new connection goes to a real server with {{formula}}, counting the held ones as active ({{scheduler}})',
      least_other: '{{count}} connections held open, then {{n}} fresh requests: each new connection goes to a real server with {{formula}}, counting the held ones as active ({{scheduler}})',
    },
    found: {
      requests: '{{n}} requests: {{sequence}} ({{counts}})',
      requestsFailed: '{{n}} requests: {{sequence}} ({{counts}}, failed {{failed}}: {{reasons}})',
      neverAnswered: '{{hosts}} never answered',
      held: 'held: {{held}}; {{found}}',
      firstWindow: '{{found}}; over the first {{window}}: {{counts}}',
    },
    failed: {
      allRefused:
        'Nothing at {{target}} accepted the connections: the director {{director}} has no IPVS service for it (or does not hold the VIP), or every real server refuses.',
      noAnswerNat:
        "No answer came back at all: either {{director}} does not take the requests (VIP, IPVS table) or the replies never return through it (ip_forward on {{director}}, the real servers' default route).",
      noAnswer:
        'No answer came back at all: either {{director}} does not take the requests (VIP, IPVS table) or the real servers drop them (the forwarding method, the VIP on the real servers, their firewall).',
      silent_one: 'IPVS does not check health: it keeps sending {{hosts}} a share of the connections, but no answer comes back from it.',
      silent_other: 'IPVS does not check health: it keeps sending {{hosts}} a share of the connections, but no answer comes back from them.',
      silentNat: 'The replies do not return through {{director}} (default route), or the requests are dropped on the way (firewall, or -g instead of -m).',
      silentDirect: 'The requests are dropped on the way (firewall, the forwarding method) or {{hosts}} does not accept packets addressed to {{vip}}.',
      refuses:
        'IPVS does not check health: it keeps sending {{hosts}} a share of the connections, and {{hosts}} refuses them: its web server is not running or listens on another port, or its firewall rejects port {{port}}.',
      flapping:
        'Some requests failed ({{reasons}}) although every real server answered at times: a server or the director is flapping, or still starting (try --wait 30s).',
      otherPage:
        '{{n}} answer(s) were not the page lab up wrote on any real server (first line "{{line}}"), so they cannot be told apart: a server serves another page.',
      heldNoPage:
        'The held connections (opened first, with no request until the fresh ones were answered) got no page back: the web servers closed them early (their request timeout) or the probe ran out of time. Try again; a loaded machine makes the probe slow.',
    },
    samePage: '{{hosts}} serve the same page',
    samePageWhy: 'Answers are told apart by the page each real server serves; {{hosts}} serve identical pages, so the balancing cannot be judged.',
    noHoldProbe: 'the probe that holds connections open printed nothing',
    noHoldProbeWhy:
      "lab holds connections to {{vip}}:{{port}} open from the client with bash's /dev/tcp under timeout(1); bash or timeout is missing there, or the probe was killed.",
    quiesced: '{{hosts}} has weight 0 in the spec and must get no new connections, yet answered: its weight on {{director}} is not 0.',
    oneServer: {
      only: 'Only {{host}} takes new connections in the spec, yet others answered: the table on {{director}} differs.',
      onlyOne: 'Only one server takes new connections in the spec, yet others answered: the table on {{director}} differs.',
      pinned: 'Under {{why}}, every connection from one client goes to the same real server; answers from {{hosts}} mean {{director}} does not schedule that way (another scheduler).',
      pinnedPersistence:
        'Under {{why}}, every connection from one client goes to the same real server; answers from {{hosts}} mean {{director}} does not schedule that way (another scheduler, or no -p).',
    },
    alternate: {
      missing:
        '{{scheduler}} sends each new connection to the next real server, so every one answers within {{k}} requests; {{hosts}} never did, so it is missing from the table on {{director}} or has weight 0 there.',
      equalWeights: '{{scheduler}} with equal weights',
      repeatInRow:
        '{{scheduler}} sends each new connection to the next real server, so {{host}} answering requests {{first}} and {{second}} in a row means {{director}} schedules otherwise (another scheduler, unequal weights, or persistence).',
      repeatApart:
        '{{scheduler}} sends each new connection to the next real server, so {{host}} answering requests {{first}} and {{second}}, fewer than {{k}} apart, means {{director}} schedules otherwise (another scheduler, unequal weights, or persistence).',
    },
    counts: {
      why: "{{scheduler}} gives each real server its weight's share of every {{total}} connections ({{ratio}}), in runs rather than strictly interleaved, so any {{window}} consecutive answers hold exact shares. These do not: the weights or the scheduler on {{director}} differ from the spec.",
    },
    failover: {
      why: '{{scheduler}} sends every new connection to the available real server with the highest weight ({{top}}), and to another only when that one is quiesced or overloaded; answers from {{hosts}} mean {{director}} schedules otherwise (another scheduler or other weights).',
    },
    least: {
      heldLabel: 'held connection {{i}}',
      freshLabel: 'fresh request {{i}}',
      noneAllowed: 'none (every server is over its weight: the connection should fail)',
      unit: 'active',
      unitWeighted: 'active/weight',
      wentTo: '{{found}}; {{label}} went to {{host}} while the held connections were {{load}}',
      why: '{{scheduler}} sends each new connection to the real server with {{formula}}. With the held connections {{load}} ({{unit}}), {{label}} should have gone to {{want}}, not {{host}}: {{director}} schedules otherwise (another scheduler or other weights), or other clients hold connections to {{vip}} too (ipvsadm -Ln shows ActiveConn).',
      passed: '{{found}}; the held connections were {{load}}',
    },
  },
  {
    sep: '；',
    sentences: '{{first}}{{second}}',
    list: {
      sep: '、',
      last: '{{rest}} 和 {{last}}',
    },
    scheduler: {
      rr: 'rr（轮询）',
      wrr: 'wrr（加权轮询）',
      lc: 'lc（最少连接）',
      wlc: 'wlc（加权最少连接）',
      sed: 'sed（最短期望延迟）',
      nq: 'nq（永不排队）',
      ovf: 'ovf（溢出连接）',
      fo: 'fo（加权故障转移）',
      sh: 'sh（源地址哈希）',
      dh: 'dh（目标地址哈希）',
      mh: 'mh（Maglev 哈希）',
      lblc: 'lblc（基于局部性的最少连接）',
      lblcr: 'lblcr（带复制的基于局部性的最少连接）',
    },
    pin: {
      sh: '按客户端地址哈希到一台真实服务器',
      mh: '用客户端地址的 Maglev 哈希选出一台真实服务器',
      dh: '按 VIP 这个目标地址哈希到一台真实服务器',
      lblc: '把 VIP 这个目标地址固定在一台真实服务器上，直到那台服务器过载',
      lblcr: '把 VIP 这个目标地址固定在一组真实服务器上，这组服务器只在负载高时才会扩大',
      other: '把连接固定到一台服务器上',
    },
    pinPersistence: '启用了持久连接（-p {{seconds}}）',
    pinScheduler: '{{scheduler}}调度算法会{{how}}',
    formula: {
      lc: '连接数最少（a×256 + i，不考虑权重）',
      wlc: '连接数与权重之比最小（(a×256 + i) / w）',
      sed: '期望延迟最短（(a + 1) / w）',
      nq: '空闲（没有活动连接）；若没有空闲的，则期望延迟最短（(a + 1) / w）',
      ovf: '活动连接数不超过其权重，并且在这些服务器中权重最高',
    },
    expected: {
      oneHost: '全部 {{n}} 个请求都由 {{host}} 应答',
      onlyServer: '全部 {{n}} 个请求都由唯一的真实服务器应答',
      onePinned: '全部 {{n}} 个请求都由同一台权重大于 0 的真实服务器应答——{{why}}',
      alternateTwo: '全部 {{n}} 个请求都得到应答，每台真实服务器（{{hosts}}）都有应答，且同一台从不连续应答两次',
      alternate: '全部 {{n}} 个请求都得到应答，真实服务器（{{hosts}}）轮流应答：每连续 {{k}} 个应答中，每台各出现一次',
      countsTooFew: '全部 {{n}} 个请求都由真实服务器应答（{{n}} 个请求少于总权重 {{total}}：不判断各台所占的份额）',
      counts: '全部 {{n}} 个请求都得到应答；前 {{window}} 个（{{k}} × 总权重 {{total}}）中：{{shares}}',
      failover: '全部 {{n}} 个请求都由 {{host}} 应答（fo：可用真实服务器中权重最高的一台，权重 {{weight}}）',
      failoverOneOf: '全部 {{n}} 个请求都由 {{hosts}} 中的某一台应答（fo：可用真实服务器中权重最高的一台，权重 {{weight}}）',
      least_other:
        '先保持 {{count}} 个连接不关闭，再发出 {{n}} 个新请求：把保持的连接计为活动连接，{{scheduler}}应把每个新连接发给这样一台真实服务器：{{formula}}',
    },
    found: {
      requests: '{{n}} 个请求：{{sequence}}（{{counts}}）',
      requestsFailed: '{{n}} 个请求：{{sequence}}（{{counts}}，失败 {{failed}} 个：{{reasons}}）',
      neverAnswered: '{{hosts}} 从未应答',
      held: '保持的连接：{{held}}；{{found}}',
      firstWindow: '{{found}}；前 {{window}} 个中：{{counts}}',
    },
    failed: {
      allRefused: '{{target}} 上没有任何一方接受连接：调度器 {{director}} 上没有它的 IPVS 虚拟服务（或者没有持有 VIP），或者每台真实服务器都拒绝连接。',
      noAnswerNat:
        '完全没有收到应答：要么 {{director}} 没有接收请求（检查 VIP、IPVS 表），要么回应没有经它返回（检查 {{director}} 上的路由转发 ip_forward、真实服务器的默认路由）。',
      noAnswer: '完全没有收到应答：要么 {{director}} 没有接收请求（检查 VIP、IPVS 表），要么真实服务器丢弃了请求（检查转发方式、真实服务器上的 VIP、它们的防火墙）。',
      silent_other: 'IPVS 不做健康检查：它仍把一部分连接发给 {{hosts}}，但没有收到任何应答。',
      silentNat: '回应没有经 {{director}} 返回（检查默认路由），或者请求在途中被丢弃了（防火墙，或者用了 -g 而不是 -m）。',
      silentDirect: '请求在途中被丢弃了（防火墙、转发方式），或者 {{hosts}} 不接收目的地址为 {{vip}} 的数据包。',
      refuses: 'IPVS 不做健康检查：它仍把一部分连接发给 {{hosts}}，而 {{hosts}} 拒绝了这些连接：它的 Web 服务没有运行或监听在别的端口上，或者它的防火墙拒绝了 {{port}} 端口。',
      flapping: '部分请求失败（{{reasons}}），但每台真实服务器都曾应答过：某台服务器或调度器时好时坏，或者还在启动中（可以试试 --wait 30s）。',
      otherPage: '有 {{n}} 个应答不是 lab up 在任何一台真实服务器上写入的网页（第一行为“{{line}}”），因此无法区分：有服务器提供的是别的网页。',
      heldNoPage:
        '保持的连接（最先建立，在新请求都得到应答之前不发送请求）没有收到网页：Web 服务器提前关闭了它们（请求超时），或者探测程序超时了。请再试一次；机器负载高时探测会变慢。',
    },
    samePage: '{{hosts}} 提供的是同一个网页',
    samePageWhy: '应答是靠每台真实服务器提供的网页来区分的；{{hosts}} 的网页完全相同，因此无法判断负载均衡。',
    noHoldProbe: '保持连接的探测程序没有任何输出',
    noHoldProbeWhy: 'lab 在客户端上用 bash 的 /dev/tcp 配合 timeout(1) 保持到 {{vip}}:{{port}} 的连接；客户端上缺少 bash 或 timeout，或者探测程序被终止了。',
    quiesced: '{{hosts}} 在实验规格中的权重为 0，不应再接收新连接，却有应答：它在 {{director}} 上的权重不是 0。',
    oneServer: {
      only: '按实验规格只有 {{host}} 接收新连接，却有其他服务器应答：{{director}} 上的 IPVS 表与规格不同。',
      onlyOne: '按实验规格只有一台服务器接收新连接，却有其他服务器应答：{{director}} 上的 IPVS 表与规格不同。',
      pinned: '{{why}}，所以来自同一客户端的每个连接都会发往同一台真实服务器；{{hosts}} 都有应答，说明 {{director}} 不是这样调度的（用了别的调度算法）。',
      pinnedPersistence: '{{why}}，所以来自同一客户端的每个连接都会发往同一台真实服务器；{{hosts}} 都有应答，说明 {{director}} 不是这样调度的（用了别的调度算法，或者没有 -p）。',
    },
    alternate: {
      missing:
        '{{scheduler}}把每个新连接依次发给下一台真实服务器，因此每台都会在 {{k}} 个请求之内应答；{{hosts}} 一直没有应答，说明它不在 {{director}} 的 IPVS 表中，或者在那里的权重为 0。',
      equalWeights: '权重相同的 {{scheduler}}',
      repeatInRow:
        '{{scheduler}}把每个新连接依次发给下一台真实服务器，所以 {{host}} 连续应答第 {{first}} 和第 {{second}} 个请求，说明 {{director}} 的调度方式不同（别的调度算法、权重不相等，或者启用了持久连接）。',
      repeatApart:
        '{{scheduler}}把每个新连接依次发给下一台真实服务器，所以 {{host}} 应答了第 {{first}} 和第 {{second}} 个请求、两者相隔不到 {{k}} 个，说明 {{director}} 的调度方式不同（别的调度算法、权重不相等，或者启用了持久连接）。',
    },
    counts: {
      why: '{{scheduler}}在每 {{total}} 个连接中按权重比例分给各台真实服务器（{{ratio}}），是成批分配而不是严格交替，所以任意连续 {{window}} 个应答中各台的份额都应分毫不差。这些应答并非如此：{{director}} 上的权重或调度算法与实验规格不同。',
    },
    failover: {
      why: '{{scheduler}}把每个新连接都发给可用真实服务器中权重最高的那台（{{top}}），只有它被停用（权重为 0）或过载时才发给别的服务器；{{hosts}} 有应答，说明 {{director}} 的调度方式不同（别的调度算法或别的权重）。',
    },
    least: {
      heldLabel: '第 {{i}} 个保持的连接',
      freshLabel: '第 {{i}} 个新请求',
      noneAllowed: '无（每台服务器都超过了自己的权重：这个连接本应失败）',
      unit: '活动连接数',
      unitWeighted: '活动连接数/权重',
      wentTo: '{{found}}；{{label}}发往了 {{host}}，当时保持的连接为 {{load}}',
      why: '{{scheduler}}把每个新连接发给这样一台真实服务器：{{formula}}。保持的连接为 {{load}}（{{unit}}）时，{{label}}应当发往 {{want}}，而不是 {{host}}：{{director}} 的调度方式不同（别的调度算法或别的权重），或者还有其他客户端也持有到 {{vip}} 的连接（ipvsadm -Ln 的 ActiveConn 列会显示）。',
      passed: '{{found}}；保持的连接为 {{load}}',
    },
  },
);
