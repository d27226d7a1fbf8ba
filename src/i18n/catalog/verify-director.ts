// Messages of verify-director: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyDirector = area(
  {
    /** Two whole sentences, one after the other. */
    sentences: '{{first}} {{next}}',
    /** A list of hosts: "web1, web2 and web3". */
    list: { sep: ', ', and: '{{head}} and {{last}}' },
    unknown: 'unknown',
    vipHeld: {
      expected: "{{vip}} on {{host}}'s {{network}} interface",
      found: '{{address}} on {{link}}',
      missing: 'no interface of {{host}} holds {{vip}}',
      why: 'Clients send their requests to the VIP {{vip}}; IPVS only sees them if {{host}} holds that address. Without it, the requests go nowhere.',
    },
    sysctlRuntime: {
      expected: '{{key}} = {{want}} now',
      whyForward:
        '{{host}} has {{key}} = {{value}}, so it does not route between its networks: the replies {{servers}} send reach it but are dropped instead of being rewritten to come from {{vip}} and forwarded. The requests get through; no answer comes back.',
      whyForwardToClient:
        '{{host}} has {{key}} = {{value}}, so it does not route between its networks: the replies {{servers}} send to {{client}} reach it but are dropped instead of being rewritten to come from {{vip}} and forwarded. The requests get through; no answer comes back.',
      whyConntrack:
        "With {{key}} = {{value}}, IPVS keeps no conntrack entries for its connections, so firewalld's nftables rules see the replies of {{servers}} (their SYN-ACKs) as invalid and drop them before any zone is consulted. The requests get through; no answer comes back.",
      whyOther: '{{key}} is {{value}} at runtime; the lab needs {{want}}.',
      whyUnset: '{{key}} is unset at runtime; the lab needs {{want}}.',
    },
    sysctlPersisted: {
      expected: "{{key}} = {{want}} at boot (the last value in systemd-sysctl's order over /etc/sysctl.d, /run/sysctl.d, /usr/lib/sysctl.d)",
      found: '{{key}} = {{value}}, last set by {{file}}',
      foundNone: 'no file read at boot sets {{key}}',
      foundUnread: 'no file read at boot sets {{key}} (/etc/sysctl.conf says {{value}}, but no sysctl.d link makes systemd read it)',
      kernelDefault: 'the kernel default (0)',
      itsDefault: 'its default',
      whyForwardNowOk:
        'It is {{want}} now, but the value read at boot is {{boot}}, so after a reboot {{host}} stops forwarding and the lab breaks. systemd-sysctl applies the files by name, and the last one that sets the key wins.',
      whyForward:
        'And the value read at boot is {{boot}}, so after a reboot {{host}} stops forwarding and the lab breaks. systemd-sysctl applies the files by name, and the last one that sets the key wins.',
      whyOtherNowOk:
        'It is {{want}} now, but the value read at boot is {{boot}}, so after a reboot {{host}} gets {{key}} = {{bootValue}} and the lab breaks. systemd-sysctl applies the files by name, and the last one that sets the key wins.',
      whyOther:
        'And the value read at boot is {{boot}}, so after a reboot {{host}} gets {{key}} = {{bootValue}} and the lab breaks. systemd-sysctl applies the files by name, and the last one that sets the key wins.',
    },
    /** What each scheduler does, in one phrase. */
    schedulers: {
      rr: 'takes the real servers in turn, ignoring weights',
      wrr: 'gives each real server a share of new connections proportional to its weight',
      lc: 'sends each new connection to the real server with the fewest connections',
      wlc: 'sends each new connection to the real server with the fewest connections for its weight',
      sh: 'hashes the client address, so one client always reaches the same real server',
      dh: 'hashes the destination address, so one destination always maps to the same real server',
      lblc: 'keeps each destination on one real server until it is overloaded',
      lblcr: 'keeps each destination on a set of real servers',
      sed: 'picks the shortest expected delay',
      nq: 'picks an idle real server first, else the shortest expected delay',
      mh: 'hashes the client address with Maglev hashing, so one client always reaches the same real server',
      fo: 'sends everything to the available real server with the highest weight',
      ovf: 'sends everything to the highest-weight real server until its active connections exceed its weight, then overflows to the next',
      /** A scheduler not listed above, live and wanted. */
      other: 'another algorithm',
      wanted: 'as the lab says',
    },
    /** ipvsadm's forwarding flags. */
    flags: { nat: '-m (NAT)', dr: '-g (direct routing)', tun: '-i (IP tunnelling)' },
    ipvs: {
      emptyTable: '(empty table)',
      notInstalled: 'ipvsadm is not installed',
      saveFailed: 'ipvsadm -Sn failed: {{output}}',
      whyUnreadable: "The director schedules with the kernel's IPVS table, which ipvsadm sets and shows; {{problem}}, so the table cannot be read or set.",
      noService: 'no service {{services}}',
      addService: 'There is no IPVS service {{label}}, so connections to it reach no real server; {{host}} itself answers them, and nothing listens there.',
      deleteService: '{{label}} is not in the spec.',
      scheduler: '{{label}} schedules with {{from}} ({{fromText}}), not {{to}} ({{toText}}). So the client sees another distribution than the one the lab teaches.',
      schedulerAlike:
        '{{label}} schedules with {{from}} ({{fromText}}), not {{to}} ({{toText}}). With these equal weights the client cannot tell them apart, but the table is not the one the lab asks for, and the answers differ as soon as the weights do.',
      persistent: '{{label}} is persistent (-p {{from}}), so one client sticks to one real server instead of being balanced.',
      notPersistent: '{{label}} should pin each client to one real server (-p {{want}}) but is not persistent.',
      otherPersistence: '{{label}} should pin each client to one real server (-p {{want}}) but uses -p {{from}}.',
      serviceOptions: "{{label}}'s options differ from the spec.",
      addReal: '{{who}} is not a real server of {{label}}, so it never gets a request.',
      deleteReal: '{{who}} is a real server of {{label}} that the spec does not list; it takes a share of the requests.',
      drNotNat:
        '{{who}} is reached with {{from}} instead of {{to}}: the director passes the request on unchanged, still addressed to {{vip}}, which that server does not hold, so it drops the request and the client times out.',
      tunNotNat:
        '{{who}} is reached with {{from}} instead of {{to}}: the director wraps each request in an IPIP packet that the server cannot unpack (no tunnel device holding {{vip}}), so it drops it.',
      natNotOther:
        "{{who}} is reached with -m (masquerading) instead of {{to}}: the director rewrites each request's destination from {{vip}} to {{rip}}, and the real server answers from that address straight to the client, which asked {{vip}} and refuses the answer. With {{to}} the request keeps {{vip}}, which the real server holds, and its answer comes from the VIP.",
      otherForwarding: '{{who}} is reached with {{from}} instead of {{to}}, which needs a different set-up of the real server.',
      weightZero: '{{who}} has weight {{from}} instead of {{to}}, so it gets no new connections at all.',
      weight: '{{who}} has weight {{from}} instead of {{to}}, so it gets another share of the connections than the lab expects.',
      realOptions: "{{who}}'s options differ from the spec.",
    },
    extraRules: {
      expected: 'no IPVS services besides {{services}}',
      expectedSpec: "no IPVS services besides the spec's",
      none: 'none',
      why_one:
        'The table holds a service the lab does not define ({{services}}), e.g. left from an earlier attempt; ipvsadm -Sn should equal the spec, and a stray rule can capture traffic meant for another lab.',
      why_other:
        'The table holds services the lab does not define ({{services}}), e.g. left from an earlier attempt; ipvsadm -Sn should equal the spec, and a stray rule can capture traffic meant for another lab.',
    },
    ownAddresses: {
      expected: '{{addresses}} on {{host}} now and at boot',
      /** Two parts of what was found. */
      parts: '{{first}}; {{next}}',
      allHeld: 'all held now',
      missingNow: 'missing now: {{addresses}}',
      allInProfiles: 'all in profiles that come up at boot',
      notInProfiles: 'in no profile that comes up at boot: {{addresses}}',
      /** count: how many addresses are missing now. */
      whyGone_one:
        '{{host}} does not hold {{addresses}}, its address on the {{network}} network in the spec, so {{needed}} cannot reach it there and the lab breaks at the director. `lab up` puts it back.',
      whyGone_other:
        '{{host}} does not hold {{addresses}}, its address on the {{network}} network in the spec, so {{needed}} cannot reach it there and the lab breaks at the director. `lab up` puts them back.',
      /** count: how many addresses the network's profile must hold. */
      whyBoot_one:
        '{{host}} holds {{addresses}} now, but no NetworkManager profile that comes up at boot gives it: after a reboot {{needed}} cannot reach it. `lab up` puts it back.',
      whyBoot_other:
        '{{host}} holds {{addresses}} now, but no NetworkManager profile that comes up at boot gives them: after a reboot {{needed}} cannot reach it. `lab up` puts it back.',
    },
    directReach: {
      expected: "curl {{url}} from {{host}} gets {{server}}'s page",
      noRecord: 'no request was recorded',
      whyNoRecord: 'The probe did not report the request.',
      foundPage: "curl {{url}}: {{server}}'s page",
      foundAnswer: 'curl {{url}}: {{answer}}',
      whyOtherPage:
        '{{server}} answers on {{address}}:{{port}}, but not with the page lab up wrote there (first line "{{firstLine}}"), so the client cannot tell its answers apart.',
      whyNoRoute: "{{host}} has no address on {{server}}'s network ({{address}}), so it has no direct way to it.",
      whyNotListening:
        "{{server}} refuses connections on port {{port}}: {{listening}}. The director forwards the service's connections to port {{port}}, so every one sent to {{server}} is refused.",
      whyRefused: '{{server}} refuses connections on port {{port}}.',
      whyFirewallRejects: '{{server}} refuses connections on port {{port}} although its web server listens there: its firewall rejects them.',
      whyNoAnswer: '{{server}} does not answer on {{address}}:{{port}} ({{answer}}): its firewall drops the connection, or its replies to {{host}} go another way.',
    },
  },
  {
    sentences: '{{first}}{{next}}',
    list: { sep: '、', and: '{{head}} 和 {{last}}' },
    unknown: '未知',
    vipHeld: {
      expected: '{{host}} 的 {{network}} 网卡上持有 {{vip}}',
      found: '{{link}} 上持有 {{address}}',
      missing: '{{host}} 没有任何网卡持有 {{vip}}',
      why: '客户端把请求发往 VIP {{vip}}；只有 {{host}} 持有这个地址，IPVS 才能收到这些请求。没有这个地址，请求就无处可去。',
    },
    sysctlRuntime: {
      expected: '当前 {{key}} = {{want}}',
      whyForward:
        '{{host}} 上 {{key}} = {{value}}，没有开启路由转发，不会在它连接的各个网络之间转发数据包：{{servers}} 发出的回复到了它这里，却没有被改写成来自 {{vip}} 再转发出去，而是被丢弃了。请求能送达，回复却回不来。',
      whyForwardToClient:
        '{{host}} 上 {{key}} = {{value}}，没有开启路由转发，不会在它连接的各个网络之间转发数据包：{{servers}} 发给 {{client}} 的回复到了它这里，却没有被改写成来自 {{vip}} 再转发出去，而是被丢弃了。请求能送达，回复却回不来。',
      whyConntrack:
        '{{key}} = {{value}} 时，IPVS 不为它的连接保留 conntrack 记录，于是 firewalld 的 nftables 规则把 {{servers}} 的回复（SYN-ACK）当作无效数据包，在查看任何区域（zone）之前就把它们丢弃了。请求能送达，回复却回不来。',
      whyOther: '{{key}} 当前的运行值是 {{value}}；本实验需要 {{want}}。',
      whyUnset: '{{key}} 当前没有设置；本实验需要 {{want}}。',
    },
    sysctlPersisted: {
      expected: '开机时 {{key}} = {{want}}（按 systemd-sysctl 读取 /etc/sysctl.d、/run/sysctl.d、/usr/lib/sysctl.d 的顺序，以最后一个值为准）',
      found: '{{key}} = {{value}}，最后由 {{file}} 设置',
      foundNone: '开机时读取的文件都没有设置 {{key}}',
      foundUnread: '开机时读取的文件都没有设置 {{key}}（/etc/sysctl.conf 中写的是 {{value}}，但 sysctl.d 中没有指向它的链接，systemd 不会读取它）',
      kernelDefault: '0（内核默认值）',
      itsDefault: '默认值',
      whyForwardNowOk:
        '当前值是 {{want}}，但开机时读取到的值是 {{boot}}，所以重启后 {{host}} 会停止路由转发，实验就无法正常工作。systemd-sysctl 按文件名顺序应用这些文件，最后一个设置该键的文件生效。',
      whyForward:
        '而且开机时读取到的值是 {{boot}}，所以重启后 {{host}} 同样不会路由转发，实验就无法正常工作。systemd-sysctl 按文件名顺序应用这些文件，最后一个设置该键的文件生效。',
      whyOtherNowOk:
        '当前值是 {{want}}，但开机时读取到的值是 {{boot}}，所以重启后 {{host}} 上会变成 {{key}} = {{bootValue}}，实验就无法正常工作。systemd-sysctl 按文件名顺序应用这些文件，最后一个设置该键的文件生效。',
      whyOther:
        '而且开机时读取到的值是 {{boot}}，所以重启后 {{host}} 上同样会是 {{key}} = {{bootValue}}，实验就无法正常工作。systemd-sysctl 按文件名顺序应用这些文件，最后一个设置该键的文件生效。',
    },
    schedulers: {
      rr: '轮询：依次轮流选择各台真实服务器，不考虑权重',
      wrr: '加权轮询：按权重比例把新连接分给各台真实服务器',
      lc: '最少连接：把每个新连接发给当前连接数最少的真实服务器',
      wlc: '加权最少连接：把每个新连接发给连接数相对其权重最少的真实服务器',
      sh: '源地址哈希：对客户端地址做哈希，同一个客户端总是访问同一台真实服务器',
      dh: '目标地址哈希：对目标地址做哈希，同一个目标地址总是对应同一台真实服务器',
      lblc: '基于局部性的最少连接：把每个目标地址固定在一台真实服务器上，直到它过载',
      lblcr: '带复制的基于局部性最少连接：把每个目标地址固定在一组真实服务器上',
      sed: '最短期望延迟：选择期望延迟最短的真实服务器',
      nq: '永不排队：优先选择空闲的真实服务器，没有空闲的就选期望延迟最短的',
      mh: 'Maglev 哈希：用 Maglev 哈希算法对客户端地址做哈希，同一个客户端总是访问同一台真实服务器',
      fo: '故障转移：把所有连接都发给可用的、权重最高的真实服务器',
      ovf: '溢出：把所有连接都发给权重最高的真实服务器，直到它的活动连接数超过权重，再溢出到下一台',
      other: '另一种算法',
      wanted: '实验要求的算法',
    },
    flags: { nat: '-m（NAT）', dr: '-g（直接路由）', tun: '-i（IP 隧道）' },
    ipvs: {
      emptyTable: '（空表）',
      notInstalled: '没有安装 ipvsadm',
      saveFailed: 'ipvsadm -Sn 执行失败：{{output}}',
      whyUnreadable: '调度器依据内核中的 IPVS 表进行调度，这张表由 ipvsadm 设置和查看；{{problem}}，因此无法读取或设置这张表。',
      noService: '没有虚拟服务 {{services}}',
      addService: '没有 IPVS 虚拟服务 {{label}}，发往它的连接到不了任何真实服务器；只能由 {{host}} 自己应答这些连接，而它本机在那个端口上并没有程序监听。',
      deleteService: '实验规格中没有 {{label}}。',
      scheduler: '{{label}} 使用的调度算法是 {{from}}（{{fromText}}），而不是 {{to}}（{{toText}}）。因此客户端看到的请求分布与实验所讲的不同。',
      schedulerAlike:
        '{{label}} 使用的调度算法是 {{from}}（{{fromText}}），而不是 {{to}}（{{toText}}）。在这些权重都相等时，客户端分辨不出两者的区别，但这张表不是实验要求的那张，一旦权重不同，结果就会不一样。',
      persistent: '{{label}} 启用了持久连接（-p {{from}}），同一个客户端会一直落在同一台真实服务器上，而不是被负载均衡。',
      notPersistent: '{{label}} 应该把每个客户端固定到一台真实服务器上（-p {{want}}），但它没有启用持久连接。',
      otherPersistence: '{{label}} 应该把每个客户端固定到一台真实服务器上（-p {{want}}），但它用的是 -p {{from}}。',
      serviceOptions: '{{label}} 的选项与实验规格不同。',
      addReal: '{{who}} 不是 {{label}} 的真实服务器，所以永远收不到请求。',
      deleteReal: '{{who}} 是 {{label}} 的真实服务器，但实验规格中没有它；它会分走一部分请求。',
      drNotNat:
        '调度器以 {{from}}而不是 {{to}}方式转发到 {{who}}：调度器把请求原样转过去，目标地址仍是 {{vip}}，而该服务器并不持有这个地址，于是丢弃请求，客户端等到超时。',
      tunNotNat:
        '调度器以 {{from}}而不是 {{to}}方式转发到 {{who}}：调度器把每个请求封装进 IPIP 数据包，而该服务器无法解封（没有持有 {{vip}} 的隧道设备），于是将其丢弃。',
      natNotOther:
        '调度器以 -m（地址伪装）而不是 {{to}}方式转发到 {{who}}：调度器把每个请求的目标地址从 {{vip}} 改写为 {{rip}}，真实服务器于是用这个地址直接回复客户端；而客户端请求的是 {{vip}}，会拒收这个回复。改用 {{to}}方式时，请求的目标地址仍是 {{vip}}，真实服务器持有这个地址，回复也就来自 VIP。',
      otherForwarding: '调度器以 {{from}}而不是 {{to}}方式转发到 {{who}}，这需要对真实服务器做不同的配置。',
      weightZero: '{{who}} 的权重是 {{from}} 而不是 {{to}}，所以它完全收不到新连接。',
      weight: '{{who}} 的权重是 {{from}} 而不是 {{to}}，所以它分到的连接比例与实验预期的不同。',
      realOptions: '{{who}} 的选项与实验规格不同。',
    },
    extraRules: {
      expected: '除 {{services}} 外没有其他 IPVS 虚拟服务',
      expectedSpec: '除实验规格中的虚拟服务外没有其他 IPVS 虚拟服务',
      none: '没有',
      why_other:
        'IPVS 表中有实验没有定义的虚拟服务（{{services}}），例如之前尝试时遗留下来的；ipvsadm -Sn 的输出应与实验规格完全一致，多余的规则可能截走本该属于其他实验的流量。',
    },
    ownAddresses: {
      expected: '{{host}} 现在和开机后都持有 {{addresses}}',
      parts: '{{first}}；{{next}}',
      allHeld: '现在都已持有',
      missingNow: '现在缺少：{{addresses}}',
      allInProfiles: '都在开机时启用的连接配置中',
      notInProfiles: '不在任何开机时启用的连接配置中：{{addresses}}',
      whyGone_other:
        '{{host}} 没有持有 {{addresses}}（实验规格中它在 {{network}} 网络上的地址），所以 {{needed}} 在这个网络上访问不到它，实验在调度器这一环就断了。`lab up` 会把地址加回来。',
      whyBoot_other:
        '{{host}} 现在持有 {{addresses}}，但没有任何开机时启用的 NetworkManager 连接配置包含这些地址：重启后 {{needed}} 就访问不到它了。`lab up` 会把地址加回来。',
    },
    directReach: {
      expected: '在 {{host}} 上执行 curl {{url}}，得到 {{server}} 的页面',
      noRecord: '没有记录到请求',
      whyNoRecord: '探测程序没有报告这个请求。',
      foundPage: 'curl {{url}}：{{server}} 的页面',
      foundAnswer: 'curl {{url}}：{{answer}}',
      whyOtherPage: '{{server}} 在 {{address}}:{{port}} 上有应答，但返回的不是 lab up 写在那里的页面（第一行是 "{{firstLine}}"），所以客户端无法区分它的应答。',
      whyNoRoute: '{{host}} 在 {{server}} 所在的网络（{{address}}）上没有地址，所以无法直接访问它。',
      whyNotListening: '{{server}} 拒绝了 {{port}} 端口上的连接：{{listening}}。调度器把该虚拟服务的连接转发到 {{port}} 端口，所以发给 {{server}} 的每个连接都会被拒绝。',
      whyRefused: '{{server}} 拒绝了 {{port}} 端口上的连接。',
      whyFirewallRejects: '{{server}} 的 Web 服务器在 {{port}} 端口上监听，连接却被拒绝：是它的防火墙拒绝了这些连接。',
      whyNoAnswer: '{{server}} 在 {{address}}:{{port}} 上没有应答 {{answer}}：可能是它的防火墙丢弃了连接，也可能是它发给 {{host}} 的回复走了别的路径。',
    },
  },
);
