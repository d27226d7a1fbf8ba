// Messages of playbook validation (exit 2, one line each after file:line:col: path:): English and Simplified Chinese
// side by side. Module, role, step and host names, file names and YAML to type stay as they are (placeholders).
// The course's words: 调度器 (director), 真实服务器 (real server), 集群服务 (virtual service), 步骤 (step), 角色 (role).
import { area } from './types.js';

export const playbook = area(
  {
    // playbook/load.ts: finding the playbook
    noPlaybook:
      "no playbook \"{{name}}\": expected {{path}} beside the spec's folder, here or in the package; write it, or name another with {{snippet}}",
    // tasks
    task: {
      shape: 'a task is "{{form}}" (modules: {{modules}})',
      empty: 'an empty task; write "{{form}}" (modules: {{modules}})',
      manyModules: 'a task names one module, this one names {{names}}; write "{{form}}" (modules: {{modules}})',
      unknownModule: 'unknown module "{{module}}" (modules: {{modules}})',
    },
    // steps
    step: {
      listedTwice: 'step "{{id}}" is listed twice; give each step its own id',
      needsNotBefore: '"{{need}}" is not a step before {{id}}; a step can only wait for one the student does first',
      needsNotBeforeSome: '"{{need}}" is not a step before {{id}} (earlier steps: {{steps}}); a step can only wait for one the student does first',
      noSteps: 'the playbook has no steps: list them under "{{key}}" (id and title), or remove this line',
      unknown: 'no step "{{step}}" under steps: (steps: {{steps}})',
      taskInNoStep: 'this task is in no step; add "{{snippet}}" (steps: {{steps}})',
      realsFirst: '"reals" adds real servers to services a task before it adds: put "{{snippet}}" before it, or drop scope to do both in one task',
      realsBeforeServices: "the real servers' step {{realsStep}} comes before step {{servicesStep}}, which adds their services; give the services an earlier step",
    },
    // roles against the spec
    role: {
      missing: 'role "{{role}}" is not in {{file}} (roles: {{roles}})',
      routerWithout: '{{host}} is a router of {{group}} ({{vip}}), but its role "{{role}}" has no {{task}} task in {{file}}; {{fix}}',
      directorWithout: '{{director}} directs services.{{index}} ({{service}}), but its role "{{role}}" has no {{task}} task in {{file}}; {{fix}}',
      giveRole: 'give {{host}} a role that has one ({{roles}})',
      addTask: 'add "{{snippet}}" to role {{role}}',
    },
    // playbook/template.ts
    unknownTemplate: 'unknown template {{template}} (known: {{known}})',
  },
  {
    noPlaybook: '没有 playbook "{{name}}"：应有 {{path}}（与 spec 所在的文件夹同级，或在当前目录、软件包中）；请编写它，或用 {{snippet}} 指定另一个',
    task: {
      shape: '任务的写法是 "{{form}}"（模块有：{{modules}}）',
      empty: '这是一个空任务；请写成 "{{form}}"（模块有：{{modules}}）',
      manyModules: '一个任务只能指定一个模块，这个任务指定了 {{names}}；请写成 "{{form}}"（模块有：{{modules}}）',
      unknownModule: '未知的模块 "{{module}}"（模块有：{{modules}}）',
    },
    step: {
      listedTwice: '步骤 "{{id}}" 列出了两次；每个步骤都要有自己的 id',
      needsNotBefore: '"{{need}}" 不是 {{id}} 之前的步骤；一个步骤只能等待学生先完成的步骤',
      needsNotBeforeSome: '"{{need}}" 不是 {{id}} 之前的步骤（前面的步骤有：{{steps}}）；一个步骤只能等待学生先完成的步骤',
      noSteps: '这个 playbook 没有步骤：请在 "{{key}}" 下列出步骤（id 和 title），或删除这一行',
      unknown: 'steps: 下没有步骤 "{{step}}"（步骤有：{{steps}}）',
      taskInNoStep: '这个任务不属于任何步骤；请加上 "{{snippet}}"（步骤有：{{steps}}）',
      realsFirst: '"reals" 把真实服务器添加到前面某个任务创建的集群服务中：请在它前面加上 "{{snippet}}"，或去掉 scope，在一个任务中同时完成两者',
      realsBeforeServices: '真实服务器的步骤 {{realsStep}} 排在步骤 {{servicesStep}} 之前，而它们的集群服务要到步骤 {{servicesStep}} 才创建；请把集群服务放到更早的步骤',
    },
    role: {
      missing: '{{file}} 中没有角色 "{{role}}"（角色有：{{roles}}）',
      routerWithout: '{{host}} 是 {{group}}（{{vip}}）的路由器，但它的角色 "{{role}}" 在 {{file}} 中没有 {{task}} 任务；{{fix}}',
      directorWithout: '{{director}} 调度 services.{{index}}（{{service}}），但它的角色 "{{role}}" 在 {{file}} 中没有 {{task}} 任务；{{fix}}',
      giveRole: '请给 {{host}} 换一个有这个任务的角色（{{roles}}）',
      addTask: '请在角色 {{role}} 中加上 "{{snippet}}"',
    },
    unknownTemplate: '未知的模板变量 {{template}}（已知的有：{{known}}）',
  },
);
