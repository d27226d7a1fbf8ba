// Messages of verify-runner (src/verify/runner.ts: hosts not reached, checks not run, and the sentences linkCauses and
// judgeAll add to a failure's explanation): English and Simplified Chinese side by side. A sentence added to another
// explanation carries its own leading space in English and none in Chinese.
import { area } from './types.js';

export const verifyRunner = area(
  {
    /** A list cut short: "a; b; c and 2 more". */
    andMore: '{{items}} and {{more}} more',
    unreachable: {
      found: 'could not look at {{host}}: {{error}}',
      why: 'lab verify reads each host over SSH; without {{host}}, this check cannot run.',
      notObserved: 'not observed',
      notInInventory: 'not in the inventory ({{source}})',
      noConnection: 'no connection (the host was not reached)',
    },
    cannotJudge: {
      found: 'cannot judge: {{error}}',
      why: 'The host does not look the way the check expects; the message says what is missing.',
    },
    unmanaged: ' `lab up` does not manage this ({{what}}): fix it by hand.',
    causes: {
      explained: ' Failed checks that explain it: {{checks}}.',
      leftOut: ' The cause may be on {{hosts}}, which --hosts left out: run `lab verify` without --hosts (or with --hosts {{all}}) to look there.',
      noneFailed: ' No check on {{hosts}} failed: lab looked at {{checks}}, and found each as the lab needs it, so the cause is outside what lab checks (another host on the path, a process or rule lab does not know).',
      noneLooked: ' No check on {{hosts}} failed: lab looked at nothing there, and found each as the lab needs it, so the cause is outside what lab checks (another host on the path, a process or rule lab does not know).',
    },
    notRun: {
      notReached: 'not run: {{hosts}} not reached',
      leftOut: 'not run: {{hosts}} left out by --hosts or not reached',
      blocked: 'not run: it changes the lab to measure it, and the lab is not as it should be first ({{checks}}); fix those, then verify again',
      readOnly: 'not run: --read-only (it changes the lab while it runs)',
    },
    couldNotRun: {
      found: 'could not run: {{error}}',
      why: 'The check runs commands on several hosts in turn; one of them failed, as the message says.',
    },
  },
  {
    andMore: '{{items}}，另有 {{more}} 项',
    unreachable: {
      found: '无法查看 {{host}}：{{error}}',
      why: 'lab verify 通过 SSH 读取每台主机；无法访问 {{host}}，这项检查就无法进行。',
      notObserved: '没有它的观察结果',
      notInInventory: '不在主机清单中（{{source}}）',
      noConnection: '没有连接（未能连上这台主机）',
    },
    cannotJudge: {
      found: '无法判断：{{error}}',
      why: '这台主机的情况与该检查项预期的不同；错误消息说明了缺少什么。',
    },
    unmanaged: '`lab up` 不管理这一项（{{what}}）：请手动修复。',
    causes: {
      explained: '能解释它的失败检查项：{{checks}}。',
      leftOut: '原因可能在 --hosts 未包含的 {{hosts}} 上：请不带 --hosts 运行 `lab verify`（或使用 --hosts {{all}}）去那里查看。',
      noneFailed: '{{hosts}} 上没有失败的检查项：lab 查看了 {{checks}}，每一项都符合实验的要求，所以原因在 lab 检查的范围之外（路径上的另一台主机，或 lab 不了解的某个进程或规则）。',
      noneLooked: '{{hosts}} 上没有失败的检查项：lab 在那里没有查看任何内容，所以原因在 lab 检查的范围之外（路径上的另一台主机，或 lab 不了解的某个进程或规则）。',
    },
    notRun: {
      notReached: '未运行：未能连上 {{hosts}}',
      leftOut: '未运行：{{hosts}} 被 --hosts 排除或未能连上',
      blocked: '未运行：这项检查要改动实验环境来测量，而实验环境得先处于应有的状态（{{checks}}）；请先修复这些，再重新验证',
      readOnly: '未运行：--read-only（这项检查运行时会改动实验环境）',
    },
    couldNotRun: {
      found: '无法运行：{{error}}',
      why: '这项检查会依次在几台主机上运行命令；其中一条失败了，错误消息说明了是哪一条。',
    },
  },
);
