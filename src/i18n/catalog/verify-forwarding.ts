// Messages of verify-forwarding: English and Simplified Chinese side by side.
// DR and TUN: each real server holds the VIP and never announces it, only the director answers ARP for it, and the
// replies bypass the director.
import { area } from './types.js';

export const verifyForwarding = area(
  {
    /** Between the parts of a `found` line. */
    sep: '; ',
    /** One sentence after another. */
    sentences: '{{first}} {{second}}',
    /** A list of hosts: "a and b and c" (English), "a、b 和 c" (Chinese). */
    list: {
      sep: ' and ',
      last: '{{rest}} and {{last}}',
    },
    /** The modes' titles (src/modes gives them in English; these read only while the English here matches it). */
    modeTitle: {
      nat: 'NAT (ipvsadm -m)',
      dr: 'direct routing (ipvsadm -g)',
      tun: 'IP tunnelling (ipvsadm -i)',
    },
    vipOnRealServer: {
      expected: '{{vip}}/32 on {{dev}}',
      found: '{{vip}}/{{prefix}} on {{dev}}',
      foundNone: 'no interface of {{host}} holds {{vip}}',
      foundDown: '{{found}}, but {{dev}} is down',
      down: "{{dev}} holds {{vip}} but is down, so {{host}} does not unwrap the IP-in-IP requests {{director}} sends it: its share of the client's connections time out.",
      noTunnel:
        "In {{mode}} the director wraps each request in IP-in-IP; {{host}} has no {{dev}} (the ipip module is not loaded), so it cannot unwrap them and drops them: its share of the client's connections time out.",
      missingTun:
        "In {{mode}} the director passes each request on still addressed to the VIP {{vip}}, wrapped in IP-in-IP. {{host}} does not hold {{vip}}, so it drops the requests {{director}} sends it and its share of the client's connections time out.",
      missingDr:
        "In {{mode}} the director passes each request on still addressed to the VIP {{vip}} (only the frame's MAC is rewritten). {{host}} does not hold {{vip}}, so it drops the requests {{director}} sends it and its share of the client's connections time out.",
      wrongLink:
        "{{host}} holds {{vip}} on {{link}}, not as a /32 on {{dev}}: there it is announced on the client's network and routes a whole prefix to that link, so the clients' ARP requests for the VIP can reach {{host}} instead of the director.",
      wrongLinkPrefix:
        "{{host}} holds {{vip}} on {{link}} as a /{{prefix}}, not as a /32 on {{dev}}: there it is announced on the client's network and routes a whole prefix to that link, so the clients' ARP requests for the VIP can reach {{host}} instead of the director.",
    },
    sysctl: {
      arpIgnore:
        "With arp_ignore below 1, {{host}} answers ARP requests for every address it holds, the VIP {{vip}} included, on any interface: the client (or its router) may learn {{host}}'s MAC for the VIP and send its requests straight there, past the director, so nothing is balanced.",
      arpAnnounce:
        "With arp_announce below 2, {{host}} may put the VIP {{vip}} as the sender of its own ARP requests, and the other hosts of its network then note {{host}}'s MAC for the VIP, past the director.",
      rpFilter:
        "With reverse-path filtering on, {{host}} drops the unwrapped requests: they arrive on the tunnel from the client's address, which its routes say is not behind the tunnel.",
      other: 'The forwarding mode needs {{key}} on {{host}}.',
      unset: 'unset',
      deviceMissing: '{{found}} (the device of {{keys}} is missing; see the VIP check)',
      atBoot: '{{values}} at boot',
      notAtBoot_one: 'After a reboot {{keys}} is not as the mode needs. {{why}}',
      notAtBoot_other: 'After a reboot {{keys}} are not as the mode needs. {{why}}',
    },
    arpFromClient: {
      expected: 'only {{director}} answers ARP for {{vip}}',
      cannotAsk: '{{host}} could not ask (no route to {{vip}}, or neither python3 nor ip neigh)',
      arpRequest: 'ARP request on {{dev}}',
      neighbourTable: 'neighbour table on {{dev}}',
      found: '{{how}}: {{macs}}',
      noAnswer: 'no answer',
      nobody: "Nobody answers ARP for {{vip}} on {{host}}'s network, so the client cannot reach the VIP at all: {{director}} does not hold it (its checks say why).",
      realAlsoAnswers_one:
        '{{hosts}} also answers ARP for the VIP {{vip}}: the client sends its requests to whichever MAC it learnt last, so they reach a real server directly, past the director, and nothing is balanced.',
      realAlsoAnswers_other:
        '{{hosts}} also answer ARP for the VIP {{vip}}: the client sends its requests to whichever MAC it learnt last, so they reach a real server directly, past the director, and nothing is balanced.',
      otherAlsoAnswers_one:
        '{{hosts}} also answers ARP for the VIP {{vip}}: the client sends its requests to whichever MAC it learnt last, so they reach another host, not the director.',
      otherAlsoAnswers_other:
        '{{hosts}} also answer ARP for the VIP {{vip}}: the client sends its requests to whichever MAC it learnt last, so they reach another host, not the director.',
      mustNotAnnounce: '{{hosts}} must hold the VIP without announcing it (arp_ignore=1, arp_announce=2): the checks on {{hosts}} say what to set.',
    },
    repliesBypass: {
      expected: 'replies bypass {{director}}: IPVS counts requests in and (next to) no packets out, for every real server',
      noStats: 'ipvsadm --stats gave nothing',
      row: '{{host}}: {{inPkts}} in, {{outPkts}} out',
      rowMissing: '{{host}}: not in the table',
      through:
        "The replies of {{hosts}} pass back through {{director}}: IPVS counts about as many packets out as in. In this mode the real servers answer the client directly; a reply through the director means its route back to the client goes via {{director}} (its gateway), or it is reached with -m (masquerading), which rewrites the destination to the real server's own address (the IPVS table check names the flag).",
      noneYet: '{{found}} (no request has reached a real server through {{director}} yet)',
      strayOut: '{{found}} (the few out are not replies: counters since the rule was added, e.g. ICMP errors of an earlier fault)',
    },
  },
  {
    sep: '；',
    sentences: '{{first}}{{second}}',
    list: {
      sep: '、',
      last: '{{rest}} 和 {{last}}',
    },
    modeTitle: {
      nat: 'NAT（ipvsadm -m）',
      dr: 'DR 直接路由（ipvsadm -g）',
      tun: 'TUN IP 隧道（ipvsadm -i）',
    },
    vipOnRealServer: {
      expected: '{{dev}} 上的 {{vip}}/32',
      found: '{{dev}} 上的 {{vip}}/{{prefix}}',
      foundNone: '{{host}} 没有任何网卡持有 {{vip}}',
      foundDown: '{{found}}，但 {{dev}} 处于 down 状态',
      down: '{{dev}} 持有 {{vip}}，但处于 down 状态，所以 {{host}} 不会解封装 {{director}} 发来的 IP-in-IP 请求：客户端连接中分给它的那一部分都会超时。',
      noTunnel:
        '转发模式为 {{mode}}，调度器把每个请求封装进 IP-in-IP；{{host}} 上没有 {{dev}}（ipip 模块未加载），所以它无法解封装，只能丢弃这些请求：客户端连接中分给它的那一部分都会超时。',
      missingTun:
        '转发模式为 {{mode}}，调度器转发的每个请求的目的地址仍是 VIP {{vip}}，只是外面封装了一层 IP-in-IP。{{host}} 没有持有 {{vip}}，所以会丢弃 {{director}} 发来的请求，客户端连接中分给它的那一部分都会超时。',
      missingDr:
        '转发模式为 {{mode}}，调度器转发的每个请求的目的地址仍是 VIP {{vip}}（只改写了数据帧的 MAC 地址）。{{host}} 没有持有 {{vip}}，所以会丢弃 {{director}} 发来的请求，客户端连接中分给它的那一部分都会超时。',
      wrongLink:
        '{{host}} 把 {{vip}} 配置在 {{link}} 上，而不是以 /32 配置在 {{dev}} 上：在 {{link}} 上，它会在客户端所在的网络中被通告，并把整个网段路由到该网卡，于是客户端对 VIP 的 ARP 请求可能到达 {{host}}，而不是调度器。',
      wrongLinkPrefix:
        '{{host}} 把 {{vip}} 以 /{{prefix}} 配置在 {{link}} 上，而不是以 /32 配置在 {{dev}} 上：在 {{link}} 上，它会在客户端所在的网络中被通告，并把整个网段路由到该网卡，于是客户端对 VIP 的 ARP 请求可能到达 {{host}}，而不是调度器。',
    },
    sysctl: {
      arpIgnore:
        'arp_ignore 小于 1 时，{{host}} 会在任何网卡上应答对它所持有的每个地址（包括 VIP {{vip}}）的 ARP 请求：客户端（或其路由器）可能把 {{host}} 的 MAC 地址记作 VIP 的地址，把请求绕过调度器直接发给它，负载均衡就完全不起作用了。',
      arpAnnounce:
        'arp_announce 小于 2 时，{{host}} 发出的 ARP 请求可能以 VIP {{vip}} 作为发送方地址，同一网络中的其他主机就会把 {{host}} 的 MAC 地址记作 VIP 的地址，从而绕过调度器。',
      rpFilter:
        '开启反向路径过滤（rp_filter）时，{{host}} 会丢弃解封装后的请求：这些请求从隧道进来，源地址是客户端的地址，而按它的路由表，这个地址并不在隧道那一侧。',
      other: '该转发模式需要在 {{host}} 上设置 {{key}}。',
      unset: '未设置',
      deviceMissing: '{{found}}（{{keys}} 所属的网卡不存在；请看 VIP 检查）',
      atBoot: '开机后 {{values}}',
      notAtBoot_other: '重启后 {{keys}} 不符合该转发模式的要求。{{why}}',
    },
    arpFromClient: {
      expected: '只有 {{director}} 应答对 {{vip}} 的 ARP 请求',
      cannotAsk: '{{host}} 无法发出询问（没有到 {{vip}} 的路由，或者既没有 python3 也没有 ip neigh）',
      arpRequest: '{{dev}} 上的 ARP 请求',
      neighbourTable: '{{dev}} 上的邻居表',
      found: '{{how}}：{{macs}}',
      noAnswer: '无应答',
      nobody: '在 {{host}} 所在的网络中，没有任何主机应答对 {{vip}} 的 ARP 请求，所以客户端根本访问不到 VIP：{{director}} 没有持有它（原因请看 {{director}} 的检查）。',
      realAlsoAnswers_other:
        '{{hosts}} 也在应答对 VIP {{vip}} 的 ARP 请求：客户端会把请求发往它最后学到的那个 MAC 地址，于是请求绕过调度器直接到达真实服务器，负载均衡完全不起作用。',
      otherAlsoAnswers_other: '{{hosts}} 也在应答对 VIP {{vip}} 的 ARP 请求：客户端会把请求发往它最后学到的那个 MAC 地址，于是请求到达的是另一台主机，而不是调度器。',
      mustNotAnnounce: '{{hosts}} 必须持有 VIP 但不能对外通告它（arp_ignore=1、arp_announce=2）：{{hosts}} 上的检查会说明该设置什么。',
    },
    repliesBypass: {
      expected: '回应绕过 {{director}}：对每台真实服务器，IPVS 都只统计到进来的请求，几乎没有出去的数据包',
      noStats: 'ipvsadm --stats 没有输出',
      row: '{{host}}：进 {{inPkts}}，出 {{outPkts}}',
      rowMissing: '{{host}}：不在 IPVS 表中',
      through:
        '{{hosts}} 的回应经由 {{director}} 返回：IPVS 统计到的出包数与进包数差不多。在这种模式下，真实服务器应直接应答客户端；回应经过调度器，说明它回到客户端的路由经过 {{director}}（把它当作网关），或者它是以 -m（地址伪装）加入的，这会把目的地址改写为真实服务器自己的地址（IPVS 表的检查会指出是哪个参数）。',
      noneYet: '{{found}}（还没有请求经 {{director}} 到达真实服务器）',
      strayOut: '{{found}}（少量出包并不是回应：计数器从规则加入时开始累计，例如早先故障时的 ICMP 错误）',
    },
  },
);
