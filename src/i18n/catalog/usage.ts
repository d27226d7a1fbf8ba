// Messages of usage (UsageError: something the user gave is wrong, exit 2, one line): English and Simplified Chinese
// side by side. Flags, commands, file names and values stay as they are; only the prose is translated.
import { area } from './types.js';

export const usage = area(
  {
    // cli.ts
    rosterFlags: '--report, --students and --concurrency',
    rosterOnly: '{{flags}} on {{name}} need --roster (for one lab, use --json)',
    detailedExitcodeRoster: '--detailed-exitcode is for one lab, not with --roster (its report says which students are converged)',
    diffRoster: "--diff is for one lab, not with --roster: run plan --diff on one student's inventory",
    // commands/verify.ts
    reportKind: '--report {{spec}}: expected junit:FILE, json:FILE or html:FILE',
    noVerifyChecks: '{{file}}: the lab has no verify: checks',
    // commands/graph.ts
    graphFormat: '--format {{format}} is not one of {{formats}}',
    // commands/trace.ts
    traceNoTcp: '{{lab}} has no TCP service to trace',
    traceNoVip: '--vip {{vip}}: {{lab}} has no TCP service there; it has {{services}}',
    traceNoHost: '--from {{host}}: {{lab}} has no host {{host}}; it has {{hosts}}',
    traceNoClient: '{{lab}}: every host is a director or a real server; say which one sends the request with --from HOST',
    // commands/ssh.ts
    studentNeedsRoster: '--student needs --roster FILE',
    rosterNeedsStudent: '--roster: give the student whose host to reach with --student NAME',
    oneStudent: '--student: one student',
    sshNoHost: 'no host "{{host}}" in lab {{lab}}: its hosts are {{hosts}}',
    sshNotInInventory: "{{host}}: the inventory has no entry for it; add it, or boot the lab's VMs with `lab vm up {{lab}}`",
    sshClientMissing: 'lab ssh needs the OpenSSH client (ssh); install it (Debian: apt-get install openssh-client)',
    // verify/duration.ts
    duration: '{{option}} {{text}}: expected a duration like 30s, 2m or 1m30s',
  },
  {
    rosterFlags: '--report、--students 和 --concurrency',
    rosterOnly: '{{name}} 的 {{flags}} 需要与 --roster 一起使用（只针对一个实验时，请用 --json）',
    detailedExitcodeRoster: '--detailed-exitcode 只用于单个实验，不能与 --roster 一起使用（--roster 的报告会说明哪些学生的实验已配置到位）',
    diffRoster: '--diff 只用于单个实验，不能与 --roster 一起使用：请用某个学生的 inventory 运行 plan --diff',
    reportKind: '--report {{spec}}：应为 junit:FILE、json:FILE 或 html:FILE',
    noVerifyChecks: '{{file}}：这个实验没有 verify: 检查项',
    graphFormat: '--format {{format}} 不是 {{formats}} 之一',
    traceNoTcp: '{{lab}} 没有可以追踪的 TCP 服务',
    traceNoVip: '--vip {{vip}}：{{lab}} 在这里没有 TCP 服务；它有 {{services}}',
    traceNoHost: '--from {{host}}：{{lab}} 中没有主机 {{host}}；它的主机有 {{hosts}}',
    traceNoClient: '{{lab}}：每台主机都是调度器或真实服务器；请用 --from HOST 指定由哪台主机发送请求',
    studentNeedsRoster: '--student 需要与 --roster FILE 一起使用',
    rosterNeedsStudent: '--roster：请用 --student NAME 指定要连接哪个学生的主机',
    oneStudent: '--student：只能指定一个学生',
    sshNoHost: '实验 {{lab}} 中没有主机 "{{host}}"：它的主机有 {{hosts}}',
    sshNotInInventory: '{{host}}：inventory 中没有它的条目；请添加，或用 `lab vm up {{lab}}` 启动实验的虚拟机',
    sshClientMissing: 'lab ssh 需要 OpenSSH 客户端（ssh）；请先安装（Debian：apt-get install openssh-client）',
    duration: '{{option}} {{text}}：应为一个时长，如 30s、2m 或 1m30s',
  },
);
