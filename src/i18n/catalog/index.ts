// Every area's messages, assembled per language. Keys are `area.key`, e.g. `progress.done`, `director.vipHeld.why`.
import { playbook } from './playbook.js';
import { report } from './report.js';
import { spec } from './spec.js';
import { tutor } from './tutor.js';
import { trace } from './trace.js';
import { html } from './html.js';
import { usage } from './usage.js';
import { inventory } from './inventory.js';
import { vm } from './vm.js';
import { verifyActions } from './verify-actions.js';
import { verifyBalancing } from './verify-balancing.js';
import { verifyDirector } from './verify-director.js';
import { verifyForwarding } from './verify-forwarding.js';
import { verifyKeepalived } from './verify-keepalived.js';
import { verifyPath } from './verify-path.js';
import { verifyPlan } from './verify-plan.js';
import { verifyRealservers } from './verify-realservers.js';
import { verifyRunner } from './verify-runner.js';

const AREAS = {
  tutor,
  usage,
  report,
  director: verifyDirector,
  realservers: verifyRealservers,
  path: verifyPath,
  forwarding: verifyForwarding,
  balancing: verifyBalancing,
  keepalived: verifyKeepalived,
  actions: verifyActions,
  runner: verifyRunner,
  checks: verifyPlan,
  inventory,
  vm,
  spec,
  playbook,
  trace,
  html,
};

type Areas = typeof AREAS;
export const en = Object.fromEntries(Object.entries(AREAS).map(([k, v]) => [k, v.en])) as { [K in keyof Areas]: Areas[K]['en'] };
export const zhCN = Object.fromEntries(Object.entries(AREAS).map(([k, v]) => [k, v['zh-CN']])) as { [K in keyof Areas]: Areas[K]['zh-CN'] };
