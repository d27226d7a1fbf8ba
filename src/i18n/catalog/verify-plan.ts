// Messages of verify-plan (the checks' titles, what lab up does not manage, the words of a few titles' parts):
// English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyPlan = area(
  {
    // Lists in prose: "web1, web2 and web3".
    listSep: ', ',
    listAnd: '{{items}} and {{last}}',
    // A list of lists: "web1 and web2 (their gateway) and client (asking the VIP 192.168.4.5)".
    partsSep: ', ',
    partsAnd: '{{items}} and {{last}}',
    // sysctlSummary: `arp_ignore 1, arp_announce 2 on all, lab-vip`.
    sysctlValue: '{{name}} {{value}}',
    sysctlOnDevices: '{{values}} on {{devices}}',
    sysctlGroupSep: '; ',
    // Who needs a director's address (inside the director's explanations).
    neededGateway_one: '{{hosts}} (its gateway)',
    neededGateway_other: '{{hosts}} (their gateway)',
    neededRealServers_one: '{{hosts}} (real server it forwards to)',
    neededRealServers_other: '{{hosts}} (real servers it forwards to)',
    neededAsking: '{{hosts}} (asking the VIP {{vips}})',
    neededHostsOn: 'the hosts on {{network}}',

    // real-servers
    rsVip: 'holds the VIP {{vip}}/32 on {{device}}',
    rsSysctlsNow: '{{what}} now',
    rsSysctlsAtBoot: '{{what}} at boot',
    rsRoute: 'replies to {{client}} ({{clientIp}}) go via {{director}} ({{directorIp}})',
    rsDefaultRoutes: 'no default route but via {{ip}}',
    rsWebServer: 'web server ({{service}}) active and enabled, listening on port {{port}}',
    rsPage: 'index page names {{host}}',
    rsPageUnmanaged: 'the playbook writes no page for this role',

    // balancing
    balancing: 'balancing of {{url}} ({{scheduler}}, {{load}})',
    balancingRequests: '{{requests}} requests',
    balancingHeld: '{{held}} held open, then {{requests}} requests',

    // director
    directorVip: 'holds the VIP {{vip}}',
    sysctlNow: '{{key}} = {{value}} now',
    sysctlAtBoot: '{{key}} = {{value}} at boot',
    directorAddresses: 'holds {{addresses}} now and at boot',
    directorReaches: '{{host}} answers {{director}} directly at {{ip}}:{{port}}',
    ipvs: 'IPVS table equals the spec',
    ipvsExtra: 'no extra IPVS services',

    // vrrp
    keepalived: 'keepalived active and enabled',
    keepalivedConf: '{{file}} as the spec renders it',
    vrrpMaster: '{{group}} MASTER (priority {{priority}}), holding {{vip}}',
    vrrpBackup: '{{group}} BACKUP (priority {{priority}}), not holding {{vip}}',
    vrrpOneMaster: '{{group}}: one MASTER holding {{vip}}',
    vrrpIpvs: 'IPVS table keepalived loaded equals the spec',

    // failover, health (active checks)
    failover: '{{backup}} takes {{vip}} over within {{seconds}} s when keepalived stops on {{master}}',
    failoverTakeBack: ', and {{master}} takes it back within {{seconds}} s',
    failoverSkipExpected: '{{backup}} takes {{vip}} over',
    failoverSkipOwnSession: 'not run: lab reaches {{holder}} through {{vip}} itself, and stopping keepalived there would cut this session; reach it through its own address in the inventory',
    health: "{{real}} leaves {{director}}'s table within {{seconds}} s of its web server stopping, and returns",

    // path
    firewall: 'firewalld lets {{ports}} in',
    firewallUnmanaged: "the playbook sets no firewalld zone for {{host}}'s role",
    selinux: 'SELinux {{mode}}',
    vipFromClient: '{{url}} answers {{client}}',
    vipFromOutside: '{{url}} answers {{client}} from outside the private network',
    arp: 'only {{director}} answers ARP for {{vip}}',
    repliesBypass: 'replies to {{client}} bypass {{director}}',
  },
  {
    listSep: '、',
    listAnd: '{{items}} 和 {{last}}',
    partsSep: '，',
    partsAnd: '{{items}}，以及 {{last}}',
    sysctlValue: '{{name}} = {{value}}',
    sysctlOnDevices: '{{devices}} 上的 {{values}}',
    sysctlGroupSep: '；',
    neededGateway_other: '{{hosts}}（以它为网关）',
    neededRealServers_other: '{{hosts}}（它转发到的真实服务器）',
    neededAsking: '{{hosts}}（访问 VIP {{vips}}）',
    neededHostsOn: '{{network}} 网络上的主机',

    rsVip: '在 {{device}} 上持有 VIP {{vip}}/32',
    rsSysctlsNow: '{{what}}（当前生效）',
    rsSysctlsAtBoot: '{{what}}（开机时生效）',
    rsRoute: '发往 {{client}}（{{clientIp}}）的回复经由 {{director}}（{{directorIp}}）',
    rsDefaultRoutes: '只有经由 {{ip}} 的默认路由，没有其他默认路由',
    rsWebServer: 'Web 服务器（{{service}}）已启动并设为开机自启，监听端口 {{port}}',
    rsPage: '首页内容标明 {{host}}',
    rsPageUnmanaged: 'playbook 没有为这个角色写入网页',

    balancing: '{{url}} 的负载均衡（调度算法 {{scheduler}}，{{load}}）',
    balancingRequests: '{{requests}} 个请求',
    balancingHeld: '先保持 {{held}} 个连接，再发 {{requests}} 个请求',

    directorVip: '持有 VIP {{vip}}',
    sysctlNow: '{{key}} = {{value}}（当前生效）',
    sysctlAtBoot: '{{key}} = {{value}}（开机时生效）',
    directorAddresses: '当前和开机时都持有 {{addresses}}',
    directorReaches: '{{host}} 在 {{ip}}:{{port}} 直接响应 {{director}}',
    ipvs: 'IPVS 规则表与 spec 一致',
    ipvsExtra: '没有多余的 IPVS 虚拟服务',

    keepalived: 'keepalived 已启动并设为开机自启',
    keepalivedConf: '{{file}} 与按 spec 生成的内容一致',
    vrrpMaster: '{{group}} 为 MASTER（优先级 {{priority}}），持有 {{vip}}',
    vrrpBackup: '{{group}} 为 BACKUP（优先级 {{priority}}），不持有 {{vip}}',
    vrrpOneMaster: '{{group}}：只有一个 MASTER 持有 {{vip}}',
    vrrpIpvs: 'keepalived 加载的 IPVS 规则表与 spec 一致',

    failover: '{{master}} 上的 keepalived 停止后，{{backup}} 在 {{seconds}} 秒内接管 {{vip}}',
    failoverTakeBack: '，{{master}} 恢复后在 {{seconds}} 秒内收回',
    failoverSkipExpected: '{{backup}} 接管 {{vip}}',
    failoverSkipOwnSession: '未运行：lab 正是经由 {{vip}} 连接 {{holder}} 的，在那里停止 keepalived 会切断本次会话；请在 inventory 中改用它自己的地址连接',
    health: '{{real}} 的 Web 服务器停止后 {{seconds}} 秒内从 {{director}} 的 IPVS 表中移除，恢复后重新加入',

    firewall: '防火墙（firewalld）放行 {{ports}}',
    firewallUnmanaged: 'playbook 没有为 {{host}} 的角色设置 firewalld 区域',
    selinux: 'SELinux 为 {{mode}}',
    vipFromClient: '{{url}} 响应 {{client}}',
    vipFromOutside: '{{url}} 响应私有网络之外的 {{client}}',
    arp: '只有 {{director}} 应答 {{vip}} 的 ARP 请求',
    repliesBypass: '发往 {{client}} 的回复绕过 {{director}}',
  },
);
