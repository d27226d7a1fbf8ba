// Messages of verify-actions (src/verify/actions.ts, the active checks failover and health): English and Simplified
// Chinese side by side. Times ({{time}}, {{step}}) come formatted, e.g. "0.9 s".
import { area } from './types.js';

export const verifyActions = area(
  {
    commandFailed: '{{host}}: `{{script}}` failed (exit {{code}}): {{error}}',
    noLog: '(none)',
    failover: {
      expected: '{{backup}} holds {{vip}} and {{client}} is answered again within {{bound}} s of keepalived stopping on {{master}}',
      expectedPreempt:
        '{{backup}} holds {{vip}} and {{client}} is answered again within {{bound}} s of keepalived stopping on {{master}}; {{master}} takes the VIP back within {{takeBack}} s of keepalived running there again',
      notTaken: '{{backup}} did not hold the VIP within {{time}}',
      taken: '{{backup}} held the VIP {{time}} after `systemctl stop keepalived` began on {{master}}',
      outage: '{{client}} went {{time}} without an answer ({{failed}} of {{total}} requests failed, one every ~{{step}})',
      notTakenBack: '{{master}} did not take the VIP back within {{time}}',
      takenBack: '{{master}} took it back {{time}} after keepalived was running again ({{failed}} of {{total}} requests failed then)',
      noTakeover: {
        why: 'keepalived on {{backup}} did not become MASTER in time: it takes over when it hears no advertisement for about 3 × advert_int, so it is not running, does not see {{master}} go (a wrong interface or virtual_router_id), or was already MASTER. Its last log lines: {{log}}.',
      },
      notAnswered: {
        inTime: "{{backup}} holds the VIP, but {{client}} was not answered again in time: the backup's IPVS table (keepalived loads it on every director) or its real servers do not serve the VIP, or {{client}} still sends to {{master}}'s MAC (keepalived sends gratuitous ARP when it takes the VIP).",
        atAll: "{{backup}} holds the VIP, but {{client}} was not answered again at all: the backup's IPVS table (keepalived loads it on every director) or its real servers do not serve the VIP, or {{client}} still sends to {{master}}'s MAC (keepalived sends gratuitous ARP when it takes the VIP).",
      },
      noTakeBack: {
        why: "keepalived started again on {{master}} but did not take the VIP back, though its priority is the highest and preempt is on: it does not hear {{backup}}'s advertisements as lower, or it is in FAULT (its interface down). Its last log lines: {{log}}.",
      },
      failedAfter: {
        why: "After {{master}} took the VIP back, {{client}}'s last requests failed: the master's IPVS table or its real servers do not serve the VIP now.",
      },
    },
    health: {
      expected: "{{host}} leaves {{director}}'s table within {{bound}} s of its {{unit}} stopping, every request meanwhile is answered by {{others}}, and it returns once {{unit}} runs again",
      absent: {
        found: "{{real}} is not in {{director}}'s table for {{vip}}:{{port}} before the test",
        why: 'keepalived has taken {{host}} out already (its check fails), or never loaded it: the vrrp check says which.',
      },
      noServer: 'no server',
      stillIn: "{{real}} was still in {{director}}'s table {{time}} after {{unit}} stopped on {{host}}",
      left: "{{host}} left {{director}}'s table {{time}} after {{unit}} stopped",
      during: '{{answered}} of {{total}} requests answered meanwhile (by {{by}})',
      notBack: 'not back in the table {{time}} after {{unit}} started, then {{answered}} of {{total}} answered (by {{by}})',
      back: 'back {{time}} after it started, then {{answered}} of {{total}} answered (by {{by}})',
      keptIn: {
        why: 'keepalived on {{director}} kept {{host}} in the table though its web server was down, so clients sent there got no answer: the service has no health check for it, or the check looks at another port or path than the one that failed.',
      },
      othersFailed: {
        why: '{{host}} is out of the table, yet {{failed}} request(s) failed: the other real servers ({{others}}) do not answer for the VIP.',
      },
      notReadded: {
        why: "{{host}}'s web server runs again, but keepalived on {{director}} did not put it back in the table: its check still fails (another port or path, or a status other than the one expected).",
      },
      silent: {
        why: '{{host}} is back in the table but answered none of {{total}} requests.',
      },
    },
  },
  {
    commandFailed: '{{host}}：`{{script}}` 执行失败（退出码 {{code}}）：{{error}}',
    noLog: '（无）',
    failover: {
      expected: '{{master}} 上的 keepalived 停止后 {{bound}} 秒内，{{backup}} 持有 {{vip}}，{{client}} 重新得到应答',
      expectedPreempt:
        '{{master}} 上的 keepalived 停止后 {{bound}} 秒内，{{backup}} 持有 {{vip}}，{{client}} 重新得到应答；{{master}} 上的 keepalived 重新运行后 {{takeBack}} 秒内，{{master}} 收回 VIP',
      notTaken: '{{backup}} 在 {{time}} 内没有持有 VIP',
      taken: '在 {{master}} 上开始执行 `systemctl stop keepalived` 后 {{time}}，{{backup}} 持有了 VIP',
      outage: '{{client}} 有 {{time}} 没有得到应答（{{total}} 个请求中 {{failed}} 个失败，约每 {{step}} 发出一个）',
      notTakenBack: '{{master}} 在 {{time}} 内没有收回 VIP',
      takenBack: 'keepalived 重新运行后 {{time}}，{{master}} 收回了 VIP（此间 {{total}} 个请求中 {{failed}} 个失败）',
      noTakeover: {
        why: '{{backup}} 上的 keepalived 没有及时成为 MASTER：它在大约 3 × advert_int 的时间里收不到通告才会接管，所以它要么没有运行，要么没有察觉 {{master}} 已停止（接口或 virtual_router_id 配错），要么本来就已经是 MASTER。它最后的日志：{{log}}。',
      },
      notAnswered: {
        inTime: '{{backup}} 已持有 VIP，但 {{client}} 没有及时重新得到应答：备用调度器的 IPVS 表（keepalived 在每台调度器上都会加载）或它的真实服务器没有为该 VIP 提供服务，或者 {{client}} 仍在发往 {{master}} 的 MAC 地址（keepalived 接管 VIP 时会发送免费 ARP）。',
        atAll: '{{backup}} 已持有 VIP，但 {{client}} 始终没有重新得到应答：备用调度器的 IPVS 表（keepalived 在每台调度器上都会加载）或它的真实服务器没有为该 VIP 提供服务，或者 {{client}} 仍在发往 {{master}} 的 MAC 地址（keepalived 接管 VIP 时会发送免费 ARP）。',
      },
      noTakeBack: {
        why: '{{master}} 上的 keepalived 已重新启动，却没有收回 VIP，尽管它的优先级最高且开启了 preempt：它没有收到 {{backup}} 以更低优先级发出的通告，或者它处于 FAULT 状态（接口已关闭）。它最后的日志：{{log}}。',
      },
      failedAfter: {
        why: '{{master}} 收回 VIP 之后，{{client}} 最后的几个请求失败了：MASTER 的 IPVS 表或它的真实服务器现在没有为该 VIP 提供服务。',
      },
    },
    health: {
      expected: '{{host}} 的 {{unit}} 停止后 {{bound}} 秒内，它离开 {{director}} 的表，期间每个请求都由 {{others}} 应答；{{unit}} 重新运行后它回到表中',
      absent: {
        found: '测试开始前，{{real}} 就不在 {{director}} 上 {{vip}}:{{port}} 的表中',
        why: 'keepalived 已经把 {{host}} 移出表（它的健康检查失败），或者从未加载它：vrrp 检查项会说明是哪一种情况。',
      },
      noServer: '无',
      stillIn: '{{host}} 上的 {{unit}} 停止 {{time}} 后，{{real}} 仍在 {{director}} 的表中',
      left: '{{unit}} 停止 {{time}} 后，{{host}} 离开了 {{director}} 的表',
      during: '此间 {{total}} 个请求中有 {{answered}} 个得到应答（应答者：{{by}}）',
      notBack: '{{unit}} 启动 {{time}} 后仍未回到表中，之后 {{total}} 个请求中有 {{answered}} 个得到应答（应答者：{{by}}）',
      back: '启动 {{time}} 后回到表中，之后 {{total}} 个请求中有 {{answered}} 个得到应答（应答者：{{by}}）',
      keptIn: {
        why: '{{host}} 的 Web 服务器已停止，{{director}} 上的 keepalived 却仍把它留在表中，被调度到那里的客户端得不到应答：该虚拟服务没有为它配置健康检查，或者检查的端口或路径不是出故障的那个。',
      },
      othersFailed: {
        why: '{{host}} 已移出表，但仍有 {{failed}} 个请求失败：其他真实服务器（{{others}}）没有为该 VIP 应答。',
      },
      notReadded: {
        why: '{{host}} 的 Web 服务器已重新运行，但 {{director}} 上的 keepalived 没有把它放回表中：它的健康检查仍然失败（检查的是别的端口或路径，或者期望的状态码不同）。',
      },
      silent: {
        why: '{{host}} 已回到表中，但 {{total}} 个请求它一个也没有应答。',
      },
    },
  },
);
