// Messages of verify-path: English and Simplified Chinese side by side.
// The path a request takes: firewalld lets HTTP in, SELinux as the lab wants, the VIP answers from outside.
import { area } from './types.js';

export const verifyPath = area(
  {
    /** Between the parts of a `found` line. */
    sep: '; ',
    /** Between the items of a list of addresses in prose. */
    listSep: ', ',
    /** One sentence after another. */
    sentences: '{{first}} {{second}}',
    firewall: {
      zoneAcceptsAll: 'zone {{zone}} accepts everything (target ACCEPT)',
      zoneAllowsHttp: 'zone {{zone}} allows service http',
      zoneAllowsPort: 'zone {{zone}} allows port {{port}}/tcp',
      zone: '{{zone}} (target {{target}}; services {{services}})',
      zoneWithPorts: '{{zone}} (target {{target}}; services {{services}}; ports {{ports}})',
      noServices: 'none',
      expected: 'firewalld inactive, or its default zone let {{ports}} in',
      expectedWanted: 'firewalld inactive, or its default zone let {{ports}} in (the lab sets zone {{wanted}})',
      expectedLab: "firewalld inactive, or its default zone and the lab interface's zone let {{ports}} in",
      expectedLabWanted: "firewalld inactive, or its default zone and the lab interface's zone let {{ports}} in (the lab sets zone {{wanted}})",
      notInstalled: 'firewalld is not installed',
      inactive: 'firewalld is inactive',
      zoneUnreadable: 'firewalld is active, but its default zone could not be read from /etc/firewalld/firewalld.conf',
      zoneUnreadableWhy: 'Without the zone, lab cannot tell whether HTTP gets through.',
      found: 'firewalld active, default zone {{zone}}',
      foundBound: '{{dev}} in zone {{zone}}',
      rejectsForwarded: "{{host}} rejects the requests the director forwards to it, so its share of the client's requests fail",
      rejectsClient: "{{host}} rejects the client's requests before IPVS sees them",
      blocked: "{{dev}}, which takes the lab's requests, is in firewalld zone {{zone}}, which does not allow {{ports}}: {{what}}.",
      boundByProfile: 'Its NetworkManager profile {{profile}} binds it to zone {{zone}}, and set-default-zone does not move an interface bound by name.',
      boundAtRuntime:
        "No profile names that zone: the binding is firewalld's runtime state, left behind by set-default-zone (firewalld 1.3 moves only every second interface of the old default zone, as after a reset and a reboot). Taken out of {{zone}}, it follows the default zone; `lab up` does the same.",
      defaultZone: "firewalld's default zone on {{host}} is {{zone}}, which does not allow {{ports}}.",
      stillBound:
        '{{dev}} is still bound to zone {{zone}} from before, so requests get through now; but when NetworkManager activates its connection again (a reboot, nmcli connection up) it falls back to the default zone, and then {{what}}.',
      then: 'Then {{what}}.',
    },
    selinux: {
      expected: 'SELinux {{wanted}} now and at boot',
      absent: 'SELinux is not present on this host (no getenforce)',
      found: '{{runtime}} now',
      foundBoot: '{{runtime}} now, SELINUX={{boot}} in /etc/selinux/config',
      disabled: 'SELinux is disabled; enforcing needs it enabled in /etc/selinux/config and a reboot (with a relabel).',
      bootDiffers: 'SELinux is {{runtime}} now, but /etc/selinux/config says {{boot}}, so after a reboot it is {{boot}} and the lab behaves differently.',
      wrongMode:
        'The lab runs with SELinux {{wanted}}; in {{runtime}} mode its policy can deny what the lab does (httpd serving the page, connections it makes), and the failures look like network faults.',
    },
    vipFromClient: {
      expected: "{{url}} answers {{host}} with a real server's page, over {{host}}'s own network",
      expectedNotVia: "{{url}} answers {{host}} with a real server's page, over {{host}}'s own network (not {{nets}})",
      noRoute: 'no route answer',
      requests: '{{n}} request(s): {{sequence}}',
      holds: '{{host}} holds {{addrs}}',
      addrOn: '{{ip}} on {{dev}}',
      privateAddress:
        '{{host}} has an address on the private network, so it reaches the real servers directly and {{consequence}}. The client must only reach the VIP from outside.',
      /** What reaching the real servers directly means, in NAT (also the default). */
      bypassNat: 'they answer it directly, bypassing the director: the test would prove nothing about NAT',
      /** What reaching the real servers directly means, in DR and TUN. */
      bypassDirector: 'the test would not go through the director at all',
      privateSource: '{{host}} reaches {{vip}} from {{src}}, an address on the private network, so the requests do not come from outside.',
      noRouteWhy: "{{host}} has no route to {{vip}}: it needs an address on the VIP's network.",
      noPage: "{{host}} reaches {{vip}} but no request got a real server's page back; the balancing check and the director's checks say why.",
    },
  },
  {
    sep: '；',
    listSep: '、',
    sentences: '{{first}}{{second}}',
    firewall: {
      zoneAcceptsAll: '区域 {{zone}} 放行一切流量（target ACCEPT）',
      zoneAllowsHttp: '区域 {{zone}} 放行 http 服务',
      zoneAllowsPort: '区域 {{zone}} 放行端口 {{port}}/tcp',
      zone: '{{zone}}（target {{target}}；服务：{{services}}）',
      zoneWithPorts: '{{zone}}（target {{target}}；服务：{{services}}；端口：{{ports}}）',
      noServices: '无',
      expected: '防火墙 firewalld 未运行，或其默认区域放行 {{ports}}',
      expectedWanted: '防火墙 firewalld 未运行，或其默认区域放行 {{ports}}（实验指定的区域为 {{wanted}}）',
      expectedLab: '防火墙 firewalld 未运行，或其默认区域和实验网卡所在的区域都放行 {{ports}}',
      expectedLabWanted: '防火墙 firewalld 未运行，或其默认区域和实验网卡所在的区域都放行 {{ports}}（实验指定的区域为 {{wanted}}）',
      notInstalled: '未安装 firewalld',
      inactive: 'firewalld 未运行',
      zoneUnreadable: 'firewalld 正在运行，但无法从 /etc/firewalld/firewalld.conf 读出它的默认区域',
      zoneUnreadableWhy: '不知道区域，lab 就无法判断 HTTP 请求能否通过防火墙。',
      found: 'firewalld 正在运行，默认区域为 {{zone}}',
      foundBound: '{{dev}} 属于区域 {{zone}}',
      rejectsForwarded: '{{host}} 会拒绝调度器转发给它的请求，客户端的请求中分给它的那一部分都会失败',
      rejectsClient: '{{host}} 会在 IPVS 处理之前就拒绝客户端的请求',
      blocked: '{{dev}} 负责接收实验的请求，但它属于 firewalld 区域 {{zone}}，该区域不放行 {{ports}}：{{what}}。',
      boundByProfile: '它的 NetworkManager 连接配置 {{profile}} 把它绑定到区域 {{zone}}，而 set-default-zone 不会移动按名字绑定的网卡。',
      boundAtRuntime:
        '没有哪个连接配置指定这个区域：这个绑定是 firewalld 的运行时状态，是 set-default-zone 遗留下来的（firewalld 1.3 只会移走旧默认区域中每隔一个的网卡，重置并重启之后就会出现这种情况）。把它从 {{zone}} 中移出后，它就会跟随默认区域；`lab up` 也是这样做的。',
      defaultZone: '{{host}} 上 firewalld 的默认区域是 {{zone}}，该区域不放行 {{ports}}。',
      stillBound:
        '{{dev}} 仍绑定在之前的区域 {{zone}} 中，所以现在请求还能通过；但一旦 NetworkManager 重新激活它的连接（重启，或 nmcli connection up），它就会回到默认区域，那时{{what}}。',
      then: '这样一来，{{what}}。',
    },
    selinux: {
      expected: 'SELinux 当前和开机后都是 {{wanted}}',
      absent: '此主机上没有 SELinux（没有 getenforce 命令）',
      found: '当前为 {{runtime}}',
      foundBoot: '当前为 {{runtime}}，/etc/selinux/config 中为 SELINUX={{boot}}',
      disabled: 'SELinux 已被禁用；要切换到 enforcing，需要在 /etc/selinux/config 中启用它并重启（重启时重新标记文件的安全上下文）。',
      bootDiffers: 'SELinux 当前为 {{runtime}}，但 /etc/selinux/config 中写的是 {{boot}}，所以重启后它会变成 {{boot}}，实验的表现也会随之改变。',
      wrongMode:
        '本实验要求 SELinux 为 {{wanted}}；在 {{runtime}} 模式下，它的策略可能会拒绝实验要做的事（httpd 提供网页、httpd 发起的连接），而这些失败看起来就像网络故障。',
    },
    vipFromClient: {
      expected: '{{host}} 通过自己所在的网络访问 {{url}}，得到真实服务器的网页',
      expectedNotVia: '{{host}} 通过自己所在的网络访问 {{url}}，得到真实服务器的网页（而不是经由 {{nets}}）',
      noRoute: 'ip route get 没有给出路由',
      requests: '{{n}} 个请求：{{sequence}}',
      holds: '{{host}} 持有 {{addrs}}',
      addrOn: '{{dev}} 上的 {{ip}}',
      privateAddress: '{{host}} 在私有网络上有地址，因此它会直接访问真实服务器，{{consequence}}。客户端只能从外部访问 VIP。',
      bypassNat: '真实服务器也会绕过调度器直接应答它：这样的测试证明不了 NAT 是否正常工作',
      bypassDirector: '测试根本不会经过调度器',
      privateSource: '{{host}} 以私有网络上的地址 {{src}} 访问 {{vip}}，所以这些请求并不是从外部来的。',
      noRouteWhy: '{{host}} 没有到 {{vip}} 的路由：它需要一个与 VIP 在同一网络中的地址。',
      noPage: '{{host}} 能访问到 {{vip}}，但没有一个请求拿到真实服务器的网页；原因请看负载均衡检查和调度器上的检查。',
    },
  },
);
