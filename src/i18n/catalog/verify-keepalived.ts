// Messages of verify-keepalived (src/verify/keepalived.ts, the vrrp check's judges): English and Simplified Chinese
// side by side. A message appended to another sentence carries its own leading space in English and none in Chinese.
import { area } from './types.js';

export const verifyKeepalived = area(
  {
    /** Two or more hosts: "a, b and c". */
    list: '{{items}} and {{last}}',
    listSep: ', ',
    notRunning: 'keepalived is not running (see its own check)',
    conf: {
      expected: '{{file}} as the spec renders it for {{host}}',
      asRendered: 'as rendered ({{lines}} lines)',
      missing: {
        found: 'no {{file}}',
        why: "keepalived starts only with a config (its unit's ConditionFileNotEmpty), so {{host}} neither holds the VIP nor stands by for it.",
      },
      differs: {
        line: 'line {{line}}: "{{have}}" where the spec renders "{{want}}"',
        endOfFile: '(end of file)',
        why: "keepalived runs what this file says, and it is not the lab's: the VRRP group (priority, router id, password, interface) or the virtual servers and their checks differ from the spec. The fix rewrites it, checks it with keepalived -t and reloads keepalived.",
      },
    },
    running: {
      expected: 'keepalived active, and enabled at boot',
      complaints: ' Its last complaints: {{lines}}.',
      notInstalled: {
        found: 'keepalived is not installed',
        why: "{{host}} is a router of the lab's VRRP group, and keepalived is what does it.",
      },
      inactive: {
        why: 'keepalived is not running on {{host}}, so it neither holds the VIP nor stands by to take it over, and loads no IPVS table.',
      },
      notEnabled: {
        why: 'keepalived runs now but is not enabled: after a reboot {{host}} would not take part in VRRP.',
      },
    },
    vrrpState: {
      expectedMaster: '{{group}} MASTER, holding {{vip}}',
      expectedBackup: '{{group}} BACKUP, not holding {{vip}}',
      expectedOneMaster: '{{group}} MASTER on exactly one router (nopreempt)',
      noStateLogged: 'no state logged',
      holds: '{{state}}, holds {{vip}}',
      lacks: '{{state}}, does not hold {{vip}}',
      changes: ' ({{changes}} state changes since keepalived started)',
      noInstance: {
        why: 'keepalived runs but logged no state for the instance {{group}}: its config has no such vrrp_instance, or the journal does not reach back to its start.',
      },
      splitBrain: {
        foundBoth: '{{found}}; {{masters}} are both MASTER',
        foundAll: '{{found}}; {{masters}} are all MASTER',
        why: 'Split brain: {{masters}} each hold {{vip}}, because each hears no advertisement from the other (VRRP, IP protocol 112 to 224.0.0.18, every {{advert}} s), and clients reach whichever answered ARP last.',
        causes: ' {{causes}}.',
        noRule: ' No rule on {{hosts}} names VRRP: compare virtual_router_id and auth_pass in their keepalived.conf (the conf check), and look for a filter on the path between them.',
        blockers_one: '{{host}} has a rule that drops VRRP: {{rules}}',
        blockers_other: '{{host}} has rules that drop VRRP: {{rules}}',
        zone: "{{host}}'s firewalld zone {{zone}} does not let VRRP in (no protocol vrrp, and its target is not ACCEPT)",
      },
      fault: {
        why: 'keepalived put {{group}} in FAULT: the interface it runs VRRP on is down (or has no address), so {{host}} can neither hold the VIP nor stand by.',
      },
      masterWithoutVip: {
        why: 'keepalived says {{host}} is MASTER of {{group}}, but {{vip}} is not on any interface: something removed it after keepalived added it (ip addr del, a NetworkManager reapply). keepalived adds it back only when it enters MASTER again.',
      },
      vipWithoutMaster: {
        why: "{{host}} is {{state}} of {{group}} yet holds {{vip}}: a second copy of the VIP (a NetworkManager profile, ip addr add) answers ARP beside the master's.",
      },
      shouldBeMaster: {
        otherMaster: "{{host}} has the highest priority ({{priority}}) and preempt is on, so it should hold {{vip}}, but {{master}} is MASTER: the running configs' priorities are not the spec's (the conf check says where), or {{host}} does not hear {{master}} as lower.",
        noMaster: "{{host}} has the highest priority ({{priority}}) and preempt is on, so it should hold {{vip}}, but no router is MASTER: the running configs' priorities are not the spec's (the conf check says where), or {{host}} does not hear the master as lower.",
      },
      shouldBeBackup: {
        why: "{{host}} should stand by (priority {{priority}}, below {{top}}'s {{topPriority}}), but it is MASTER: it does not hear {{top}}, or {{top}} is not running keepalived.",
      },
      noMaster: {
        found: '{{found}}; no router is MASTER',
        why: 'No router of {{group}} holds {{vip}}.',
      },
    },
    table: {
      expected: '{{services}}, loaded by keepalived',
      asSpec: 'as the spec ({{reals}} real servers)',
      unreadable: {
        found: 'cannot read the IPVS table: {{error}}',
        why: 'ipvsadm -Sn printed something lab cannot read.',
      },
      noIpvsadm: {
        found: 'ipvsadm is not installed, so lab cannot read the table',
        why: 'The table is read with ipvsadm -Sn.',
      },
      noService: 'no virtual server {{protocol}} {{vip}}:{{port}}',
      scheduler: '{{vip}}:{{port}} schedules {{have}}, not {{want}}',
      notInTable: '{{host}} ({{real}}) is not in the table',
      weight: '{{real}} is {{forwarding}} weight {{weight}}, not {{wantForwarding}} weight {{wantWeight}}',
      tookOut: 'keepalived took {{host}} out: "{{line}}"',
      noVerdict: 'keepalived logged no verdict on {{host}}',
      misdirected: {
        /** Where a check looks: "port 80", or "port 80 for /". */
        port: 'port {{port}}',
        portPath: 'port {{port}} for {{path}}',
        check: "{{host}}'s check in {{file}} asks {{type}} on {{live}}, where the spec checks {{want}}",
        why: "keepalived on {{host}} takes a real server out while its check fails, and the checks look in the wrong place: {{checks}}. Nothing answers there, so the real servers are out though they serve the page. The keepalived-conf check's fix rewrites the file from the spec and reloads keepalived.",
      },
      out: {
        why: "keepalived's health checks on {{host}} take a real server out while its check fails, and put it back when it passes. {{reasons}}. The checks look where the spec says, so the cause is on {{hosts}}: its web server is down, or does not answer there.",
      },
      notLoaded: {
        why: 'keepalived did not load the virtual servers the spec gives: its config differs (the conf check says where), or it refused part of it (journalctl -u keepalived).',
      },
    },
  },
  {
    list: '{{items}} 和 {{last}}',
    listSep: '、',
    notRunning: 'keepalived 没有运行（见它自己的检查项）',
    conf: {
      expected: '{{file}} 与实验规格为 {{host}} 生成的内容一致',
      asRendered: '与生成的内容一致（{{lines}} 行）',
      missing: {
        found: '没有 {{file}}',
        why: 'keepalived 只有在有配置文件时才会启动（其 unit 中的 ConditionFileNotEmpty），所以 {{host}} 既不持有 VIP，也不作为备用等待接管。',
      },
      differs: {
        line: '第 {{line}} 行：现在是“{{have}}”，而实验规格生成的是“{{want}}”',
        endOfFile: '（文件末尾）',
        why: 'keepalived 按这个文件运行，而它不是本实验的配置：VRRP 组（优先级、router id、密码、接口）或虚拟服务及其健康检查与实验规格不同。修复命令会重写该文件，用 keepalived -t 检查后重新加载 keepalived。',
      },
    },
    running: {
      expected: 'keepalived 正在运行（active），并已设为开机启动（enabled）',
      complaints: '它最近报告的问题：{{lines}}。',
      notInstalled: {
        found: 'keepalived 没有安装',
        why: '{{host}} 是本实验 VRRP 组中的一台调度器，这一角色由 keepalived 承担。',
      },
      inactive: {
        why: 'keepalived 没有在 {{host}} 上运行，所以它既不持有 VIP，也不作为备用准备接管，也不会加载 IPVS 表。',
      },
      notEnabled: {
        why: 'keepalived 正在运行，但没有设为开机启动（enabled）：重启后 {{host}} 将不会参与 VRRP。',
      },
    },
    vrrpState: {
      expectedMaster: '{{group}} 为 MASTER，持有 {{vip}}',
      expectedBackup: '{{group}} 为 BACKUP，不持有 {{vip}}',
      expectedOneMaster: '{{group}} 恰好在一台调度器上为 MASTER（nopreempt）',
      noStateLogged: '日志中没有状态',
      holds: '{{state}}，持有 {{vip}}',
      lacks: '{{state}}，不持有 {{vip}}',
      changes: '（keepalived 启动以来状态变化了 {{changes}} 次）',
      noInstance: {
        why: 'keepalived 在运行，但日志中没有实例 {{group}} 的状态：要么它的配置里没有这个 vrrp_instance，要么 journal 日志没有保留到它启动的时候。',
      },
      splitBrain: {
        foundBoth: '{{found}}；{{masters}} 都是 MASTER',
        foundAll: '{{found}}；{{masters}} 全都是 MASTER',
        why: '脑裂：{{masters}} 各自都持有 {{vip}}，因为它们都收不到对方的通告（VRRP，IP 协议号 112，发往 224.0.0.18，每 {{advert}} 秒一次），客户端的请求会到达最后应答 ARP 的那一台。',
        causes: '{{causes}}。',
        noRule: '{{hosts}} 上没有任何规则涉及 VRRP：请比较它们 keepalived.conf 中的 virtual_router_id 和 auth_pass（见配置检查项），并查找它们之间路径上的过滤规则。',
        blockers_other: '{{host}} 上有丢弃 VRRP 的规则：{{rules}}',
        zone: '{{host}} 的 firewalld 区域 {{zone}} 不放行 VRRP（没有 protocol vrrp，其 target 也不是 ACCEPT）',
      },
      fault: {
        why: 'keepalived 把 {{group}} 置为 FAULT 状态：运行 VRRP 的接口已关闭（或没有地址），所以 {{host}} 既不能持有 VIP，也不能作为备用。',
      },
      masterWithoutVip: {
        why: 'keepalived 报告 {{host}} 是 {{group}} 的 MASTER，但 {{vip}} 不在任何接口上：keepalived 添加它之后，有操作把它删掉了（ip addr del，或 NetworkManager 的 reapply）。keepalived 只有在再次进入 MASTER 状态时才会把它加回来。',
      },
      vipWithoutMaster: {
        why: '{{host}} 是 {{group}} 的 {{state}}，却持有 {{vip}}：VIP 的第二份副本（来自 NetworkManager 连接配置或 ip addr add）与 MASTER 上的 VIP 同时应答 ARP。',
      },
      shouldBeMaster: {
        otherMaster: '{{host}} 的优先级最高（{{priority}}）且开启了 preempt，所以它应当持有 {{vip}}，但现在 {{master}} 是 MASTER：运行中配置的优先级与实验规格不符（配置检查项会指出在哪里），或者 {{host}} 没有收到 {{master}} 以更低优先级发出的通告。',
        noMaster: '{{host}} 的优先级最高（{{priority}}）且开启了 preempt，所以它应当持有 {{vip}}，但没有任何调度器是 MASTER：运行中配置的优先级与实验规格不符（配置检查项会指出在哪里），或者 {{host}} 没有收到 MASTER 以更低优先级发出的通告。',
      },
      shouldBeBackup: {
        why: '{{host}} 应当作为备用（优先级 {{priority}}，低于 {{top}} 的 {{topPriority}}），但它是 MASTER：它收不到 {{top}} 的通告，或者 {{top}} 没有运行 keepalived。',
      },
      noMaster: {
        found: '{{found}}；没有任何调度器是 MASTER',
        why: '{{group}} 中没有任何调度器持有 {{vip}}。',
      },
    },
    table: {
      expected: '{{services}}，由 keepalived 加载',
      asSpec: '与实验规格一致（{{reals}} 台真实服务器）',
      unreadable: {
        found: '无法读取 IPVS 表：{{error}}',
        why: 'ipvsadm -Sn 输出了 lab 无法解析的内容。',
      },
      noIpvsadm: {
        found: 'ipvsadm 没有安装，lab 无法读取该表',
        why: 'lab 用 ipvsadm -Sn 读取该表。',
      },
      noService: '没有虚拟服务 {{protocol}} {{vip}}:{{port}}',
      scheduler: '{{vip}}:{{port}} 的调度算法是 {{have}}，而不是 {{want}}',
      notInTable: '{{host}}（{{real}}）不在表中',
      weight: '{{real}} 的转发方式是 {{forwarding}}、权重 {{weight}}，而不是 {{wantForwarding}}、权重 {{wantWeight}}',
      tookOut: 'keepalived 已把 {{host}} 移出表：“{{line}}”',
      noVerdict: 'keepalived 没有记录对 {{host}} 的检查结论',
      misdirected: {
        port: '端口 {{port}}',
        portPath: '端口 {{port}} 上的 {{path}}',
        check: '{{host}} 在 {{file}} 中的健康检查用 {{type}} 检查{{live}}，而实验规格检查的是{{want}}',
        why: '{{host}} 上的 keepalived 会在真实服务器的健康检查失败期间把它移出表，而这些检查查错了地方：{{checks}}。那里没有任何服务应答，所以真实服务器虽然能正常提供页面，却被移出了表。keepalived-conf 检查项的修复命令会按实验规格重写该文件并重新加载 keepalived。',
      },
      out: {
        why: '{{host}} 上 keepalived 的健康检查会在真实服务器检查失败期间把它移出表，检查通过后再放回。{{reasons}}。这些检查查的正是实验规格指定的位置，所以原因在 {{hosts}} 上：它的 Web 服务器停了，或者没有在那里应答。',
      },
      notLoaded: {
        why: 'keepalived 没有加载实验规格给出的虚拟服务：它的配置与实验规格不同（配置检查项会指出在哪里），或者它拒绝了其中一部分（见 journalctl -u keepalived）。',
      },
    },
  },
);
