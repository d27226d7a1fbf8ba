// Messages of verify-realservers: English and Simplified Chinese side by side.
import { area } from './types.js';

export const verifyRealservers = area(
  {
    /** Two whole sentences, one after the other. */
    sentences: '{{first}} {{next}}',
    /** Between the items of a list: "apache2 on *:8080, sshd on 0.0.0.0:22". */
    listSep: ', ',
    route: {
      noAnswer: 'no answer from ip route get',
      whyNoReport: 'The probe did not report the route.',
      whyNoRoute:
        '{{host}} has no default route via {{gateway}}, so it has no route back to {{client}} and its replies never leave it. In NAT mode they must go back through the director {{director}}, which rewrites them to come from the VIP.',
      whyClientNetwork:
        '{{host}} holds {{address}} on {{link}}, on the client\'s own network, so it answers {{client}} directly over that link: the replies bypass the director {{director}}, NAT cannot rewrite them back to the VIP, and the client drops them. Take that address down (the course note: "如果有4网段IP地址，需要临时关闭").',
      whyExtraAddress:
        "{{host}} holds {{address}} on its lab interface {{link}}, an address on the client's own network that the spec does not give it, so it answers {{client}} directly: so its replies to {{client}} bypass the director {{director}}, NAT cannot rewrite them back to the VIP, and the client drops them. `lab up` removes it.",
      whyOverlap: "{{client}} is on {{host}}'s own lab network, so replies go to it directly instead of via {{gateway}}; the lab's networks overlap.",
      whyOtherInterface:
        "{{host}}'s route to {{client}} goes via {{via}} on {{link}}, not via {{gateway}}: another interface holds the default route, so its replies to {{client}} bypass the director {{director}}, NAT cannot rewrite them back to the VIP, and the client drops them.",
      whyWrongGateway:
        "{{host}}'s gateway is {{via}}, not the director's inside address {{gateway}}, so its replies to {{client}} bypass the director {{director}}, NAT cannot rewrite them back to the VIP, and the client drops them.",
    },
    defaultRoutes: {
      expected: 'one default route, via {{gateway}}',
      none: 'no default route',
      why: "A second default route ({{routes}}) can take the replies to clients away from the director: whichever has the lower metric wins, and an interface going down and up can swap them. Only the director's inside address {{gateway}} should be the gateway.",
    },
    listening: {
      nothing: 'nothing listens on TCP (but sshd)',
      socket: '{{proc}} on {{address}}:{{port}}',
    },
    webService: {
      expected: '{{unit}} active and enabled, listening on {{ip}}:{{port}}',
      notInstalled: '{{unit}} is not installed',
      state: '{{unit}} {{active}}, {{enabled}}',
      active: 'active',
      inactive: 'inactive',
      enabled: 'enabled',
      disabled: 'disabled',
      foundListening: '{{state}}; {{listening}}',
      whyNotRunning:
        '{{unit}} is not running on {{host}}, so nothing listens on port {{port}}: the director still sends {{host}} its share of the connections (IPVS does not check health), and those are refused.',
      whyNotEnabled: '{{unit}} runs now but is not enabled, so it will not start after a reboot and {{host}} will refuse its share of the connections then.',
      whyNotListening: "{{unit}} runs on {{host}} but does not listen on {{ip}}:{{port}}, where the director sends the service's connections: they are refused.",
      fileSays: '{{file}} says {{lines}}.',
      fileSaysNoListen: '{{file}} says no top-level Listen.',
      listenLine: '`{{text}}` (line {{line}})',
      unmanaged: '`lab up` does not manage this port: the playbook has no listen task for it.',
    },
    page: {
      skipExpected: 'the page the playbook writes',
      skipFound: 'the playbook writes no page for this role',
      expected: '{{path}} containing {{content}}',
      missing: '{{path}} does not exist',
      whyMissing: "The page names the real server that served it; that is how the client's answers are told apart. Without it {{host}} serves another page, so its answers cannot be counted.",
      whyWrong:
        "The page names the real server that served it; that is how the client's answers are told apart. {{host}}'s page does not say {{content}}, so its answers cannot be counted.",
    },
  },
  {
    sentences: '{{first}}{{next}}',
    listSep: '、',
    route: {
      noAnswer: 'ip route get 没有输出',
      whyNoReport: '探测程序没有报告这条路由。',
      whyNoRoute:
        '{{host}} 没有以 {{gateway}} 为网关的默认路由，所以没有回到 {{client}} 的路由，它的回复根本发不出去。在 NAT 模式下，回复必须经过调度器 {{director}} 返回，由调度器把它们改写成来自 VIP。',
      whyClientNetwork:
        '{{host}} 在 {{link}} 上持有 {{address}}，这个地址就在客户端所在的网络上，所以它直接通过这条链路回复 {{client}}：回复绕过了调度器 {{director}}，NAT 无法把它们改写回 VIP，客户端会丢弃这些回复。请把这个地址停用（课程笔记："如果有4网段IP地址，需要临时关闭"）。',
      whyExtraAddress:
        '{{host}} 在实验网卡 {{link}} 上持有 {{address}}，这是客户端所在网络上的地址，实验规格并没有分配给它，所以它直接回复 {{client}}：它发给 {{client}} 的回复绕过了调度器 {{director}}，NAT 无法把它们改写回 VIP，客户端会丢弃这些回复。`lab up` 会删除这个地址。',
      whyOverlap: '{{client}} 就在 {{host}} 自己的实验网络上，所以回复直接发给它，而不经过 {{gateway}}；实验的各个网络地址段重叠了。',
      whyOtherInterface:
        '{{host}} 到 {{client}} 的路由经由 {{link}} 上的 {{via}}，而不是 {{gateway}}：默认路由在另一块网卡上，所以它发给 {{client}} 的回复绕过了调度器 {{director}}，NAT 无法把它们改写回 VIP，客户端会丢弃这些回复。',
      whyWrongGateway:
        '{{host}} 的网关是 {{via}}，而不是调度器的内网地址 {{gateway}}，所以它发给 {{client}} 的回复绕过了调度器 {{director}}，NAT 无法把它们改写回 VIP，客户端会丢弃这些回复。',
    },
    defaultRoutes: {
      expected: '只有一条默认路由，网关为 {{gateway}}',
      none: '没有默认路由',
      why: '第二条默认路由（{{routes}}）可能把发给客户端的回复从调度器那里引走：metric 较小的那条生效，而网卡断开再启用后两者可能互换。只应以调度器的内网地址 {{gateway}} 作为网关。',
    },
    listening: {
      nothing: '除 sshd 外没有程序监听 TCP 端口',
      socket: '{{proc}} 监听 {{address}}:{{port}}',
    },
    webService: {
      expected: '{{unit}} 正在运行且已设为开机启动，监听 {{ip}}:{{port}}',
      notInstalled: '{{unit}} 未安装',
      state: '{{unit}} {{active}}，{{enabled}}',
      active: '正在运行',
      inactive: '未运行',
      enabled: '已设为开机启动',
      disabled: '未设为开机启动',
      foundListening: '{{state}}；{{listening}}',
      whyNotRunning:
        '{{unit}} 没有在 {{host}} 上运行，所以 {{port}} 端口上没有程序监听：调度器仍会把 {{host}} 应分得的那部分连接发给它（IPVS 不做健康检查），这些连接都会被拒绝。',
      whyNotEnabled: '{{unit}} 现在在运行，但没有设为开机启动，重启后它不会启动，到时 {{host}} 会拒绝分给它的那部分连接。',
      whyNotListening: '{{unit}} 在 {{host}} 上运行，但没有监听 {{ip}}:{{port}}，而调度器正是把该虚拟服务的连接发到这里：这些连接都会被拒绝。',
      fileSays: '{{file}} 中写的是 {{lines}}。',
      fileSaysNoListen: '{{file}} 中没有顶层的 Listen 指令。',
      listenLine: '`{{text}}`（第 {{line}} 行）',
      unmanaged: '`lab up` 不管理这个端口：playbook 中没有针对它的 listen 任务。',
    },
    page: {
      skipExpected: 'playbook 写入的页面',
      skipFound: 'playbook 没有为这个角色写入页面',
      expected: '{{path}} 的内容为 {{content}}',
      missing: '{{path}} 不存在',
      whyMissing: '页面上写明了它由哪台真实服务器提供，客户端正是靠这一点来区分各个应答。没有这个页面，{{host}} 会返回别的页面，它的应答就无法计数。',
      whyWrong: '页面上写明了它由哪台真实服务器提供，客户端正是靠这一点来区分各个应答。{{host}} 的页面内容不是 {{content}}，它的应答就无法计数。',
    },
  },
);
