// The shape of every `--json` output (and `--report json:FILE`), as zod schemas: `lab schema output` prints them as one
// JSON Schema, generated the way `lab schema` generates the spec's. Every output starts with the envelope (lab, command,
// version, ok, ms) and holds its results under one key: hosts (plan, up, down, status), checks (verify), students (a
// --roster run), labs (list), graph (graph -f json), walk (trace), vms (vm status), snapshots (vm snapshot list), inventory (vm up,
// vm reset, vm snapshot restore). Tests validate real outputs against it (test/unit/output-schema.test.ts, and every
// e2e `--json` run through the harness).
import { z } from 'zod';

const count = z.number().int().nonnegative();
const ms = count.describe('milliseconds');
/** A check id: one word (no spaces), stable within its kind, e.g. ip_forward, web-server, reaches-web1. */
const checkId = z.string().regex(/^\S+$/, { error: 'a check id has no spaces' });

function envelope<C extends string, L extends z.ZodType, T extends z.ZodRawShape>(commands: readonly [C, ...C[]], lab: L, shape: T) {
  return z.strictObject({
    lab,
    command: z.enum(commands),
    version: z.string().describe('lab\'s version'),
    ok: z.boolean().describe('false when the command failed (exit 1; exit 2 from list when a lab does not validate)'),
    ms,
    ...shape,
  });
}

const change = z.strictObject({
  title: z.string(),
  commands: z.array(z.string()).describe('the exact shell commands, in order'),
  diff: z.string().optional().describe('plan --diff: a unified diff of a file, or name: old → new lines'),
});
const task = z.strictObject({
  task: z.string(),
  step: z.string().optional().describe("the playbook step it belongs to (the course's numbering), when the playbook has steps"),
  status: z.enum(['ok', 'changed', 'failed', 'pending', 'interrupted']),
  changes: z.array(change),
  error: z.string().optional(),
});
/** One host of plan, up, down (and of a student in a --roster run). */
export const hostRunSchema = z.strictObject({
  ok: count,
  changed: count,
  failed: count,
  unreachable: count.describe('1 when lab could not reach the host'),
  os: z.string().optional(),
  error: z.string().optional(),
  interrupted: z.string().optional().describe('what the host was doing when Ctrl-C stopped the run'),
  ms,
  tasks: z.array(task),
});

export const checkSchema = z.strictObject({
  check: z.string().describe('the check kind: balancing, director, real-servers, path, vrrp, failover, health'),
  id: checkId,
  host: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'fail', 'skip', 'unreachable']).describe('unreachable: the check could not run, lab could not look at its host'),
  expected: z.string(),
  found: z.string(),
  why: z.string().optional(),
  fix: z.array(z.string()).optional().describe('exact commands for this host\'s OS, in order'),
  distribution: z.array(z.strictObject({ host: z.string().nullable(), count })).optional().describe('balancing: answers per real server; host null: answers from none'),
  measured: z.record(z.string(), z.number()).optional().describe('failover, health: what the check measured, in seconds (names ending _s) and counts'),
});

const summary = z.strictObject({ total: count, passed: count, failed: count, skipped: count, unreachable: count });

const verifyRecordHost = z.strictObject({ pass: count, fail: count, skip: count, failed: z.array(checkId), at: z.string().optional() });

const startFinding = z.strictObject({ what: z.string(), ok: z.boolean(), expected: z.string(), found: z.string() });
const student = z.strictObject({
  student: z.string(),
  status: z.enum(['ok', 'failed', 'unreachable']),
  ms,
  hosts: z.record(z.string(), hostRunSchema).optional().describe('plan, up, down; reset\'s down'),
  checks: z.array(checkSchema).optional().describe('verify'),
  unreachable: z.array(z.strictObject({ host: z.string(), error: z.string() })).optional(),
  start: z
    .array(z.strictObject({ host: z.string(), unreachable: z.boolean(), error: z.string().optional(), established: z.array(z.string()), findings: z.array(startFinding), ms }))
    .optional()
    .describe('reset: each host against the lab\'s start'),
  steps: z
    .array(
      z.strictObject({
        id: z.string(),
        title: z.string(),
        status: z.enum(['done', 'partial', 'not-started', 'waiting']),
        doneOn: z.array(z.string()),
        todoOn: z.array(z.string()),
        waitsFor: z.array(z.string()),
      }),
    )
    .optional()
    .describe('progress: each step of the playbook, in order'),
  current: z.string().nullable().optional().describe('progress: the first step not done; null when every step is'),
  problem: z.string().optional(),
});

const graphLink = z.strictObject({
  network: z.string(),
  address: z.string(),
  vips: z.array(z.string()),
  vrrp: z.array(z.strictObject({ vip: z.string(), group: z.string(), priority: z.number().int() })).optional().describe('VIPs held only while VRRP master'),
  iface: z.string().nullable().optional().describe('graph --live: the interface holding the address on the host; null when none does'),
});
const graph = z.strictObject({
  lab: z.string(),
  description: z.string(),
  networks: z.array(z.strictObject({ name: z.string(), cidr: z.string() })),
  hosts: z.array(
    z.strictObject({
      name: z.string(),
      role: z.string(),
      links: z.array(graphLink),
      gateway: z.strictObject({ address: z.string(), host: z.string().optional() }).optional(),
      hiddenVips: z.array(z.strictObject({ vip: z.string(), device: z.string() })),
    }),
  ),
  services: z.array(
    z.strictObject({
      name: z.string(),
      vip: z.string(),
      port: z.number().int(),
      protocol: z.string(),
      scheduler: z.string(),
      forwarding: z.string(),
      mode: z.string(),
      director: z.string().optional(),
      vrrp: z.strictObject({ group: z.string(), routerId: z.number().int(), directors: z.array(z.string()) }).optional().describe('a VRRP group\'s service: its routers, highest priority first'),
      reals: z.array(z.strictObject({ host: z.string(), weight: z.number() })),
      repliesViaDirector: z.boolean(),
    }),
  ),
});

const snapshot = z.strictObject({ name: z.string(), savedAt: z.string(), vmStateBytes: count, hosts: z.array(z.string()), stale: z.string().describe('why it would not be restored here; empty when it would') });

export const outputSchemas = {
  run: envelope(['plan', 'up', 'down'], z.string(), {
    interrupted: z.boolean().optional(),
    hosts: z.record(z.string(), hostRunSchema),
  }),
  verify: envelope(['verify'], z.string(), {
    attempts: count,
    summary,
    checks: z.array(checkSchema),
    timing: z.record(z.string(), z.strictObject({ connect: ms, exec: ms, execs: count })).optional(),
  }),
  roster: envelope(['plan', 'up', 'down', 'verify', 'reset', 'progress'], z.string(), {
    roster: z.string().describe('the roster file'),
    students: z.array(student),
  }),
  status: envelope(['status'], z.string(), {
    converged: z.boolean().describe('lab up would change nothing on any host'),
    hosts: z.record(
      z.string(),
      z.strictObject({
        status: z.enum(['reachable', 'unreachable', 'error']),
        os: z.string().optional(),
        pending: z.array(z.strictObject({ task: z.string(), changes: count })).optional(),
        error: z.string().optional(),
        verify: verifyRecordHost.optional(),
      }),
    ),
    lastVerify: z.strictObject({ lab: z.string(), at: z.string(), ok: z.boolean(), hosts: z.record(z.string(), verifyRecordHost) }).nullable(),
  }),
  list: envelope(['list'], z.null(), {
    labs: z.array(
      z.strictObject({
        name: z.string(),
        file: z.string(),
        summary: z.string(),
        description: z.string(),
        modes: z.array(z.string()),
        schedulers: z.array(z.string()),
        hosts: z.array(z.string()),
        services: z.array(z.string()),
        problem: z.string().optional().describe('set when the lab does not validate: the first problem, with file:line:col'),
      }),
    ),
  }),
  graph: envelope(['graph'], z.string(), { graph }),
  progress: envelope(['progress'], z.string(), {
    current: z.string().nullable().describe('the first step not done; null when every step is'),
    steps: z.array(
      z.strictObject({
        id: z.string(),
        title: z.string().describe("in the reader's language"),
        status: z.enum(['done', 'partial', 'not-started', 'waiting']).describe('waiting: not done, and an earlier step it needs is not done either'),
        doneOn: z.array(z.string()).describe('hosts where all its checks pass'),
        todoOn: z.array(z.string()),
        waitsFor: z.array(z.string()),
        checks: z.array(z.strictObject({ check: z.string(), id: z.string(), host: z.string(), status: z.enum(['pass', 'fail', 'skip', 'unreachable']), title: z.string() })),
      }),
    ),
    next: z
      .strictObject({
        step: z.string(),
        title: z.string(),
        host: z.string(),
        checks: z.array(z.strictObject({ check: z.string(), id: z.string(), title: z.string(), expected: z.string(), found: z.string(), why: z.string().optional() })),
        commands: z.array(z.string()).describe('the exact commands for that host, in order'),
        run: z.string().nullable().describe('the lab ssh line that runs them from this machine; null when none is known'),
      })
      .nullable(),
  }),
  hint: envelope(['hint'], z.string(), {
    level: z.number().int().min(1).max(3).describe('1 what is wrong, 2 where to look, 3 the exact commands'),
    step: z.string().nullable(),
    host: z.string().nullable(),
    title: z.string().nullable(),
    hint: z.array(z.string()),
    commands: z.array(z.string()).describe('level 3 only'),
    run: z.string().nullable(),
  }),
  trace: envelope(['trace'], z.string(), {
    url: z.string().describe('what the client asked for'),
    client: z.string(),
    clientPort: count.describe("the client's source port of the walked connection"),
    captured: z.array(z.string()).describe('the hosts tcpdump ran on'),
    requests: z
      .array(
        z.strictObject({
          curlExit: count,
          httpCode: count,
          page: z.string().describe("the page's first line"),
          localPort: count.describe('the source port curl reported (0 when it could not say)'),
          clientPort: count,
          complete: z.boolean(),
          realServer: z.string().optional(),
          stopAfter: count.optional(),
        }),
      )
      .describe('every request the client sent, in order: one per real server at most, stopping at the first that failed; `walk` is the first that did not complete, else the first'),
    walk: z.strictObject({
      mode: z.enum(['nat', 'dr', 'tun']),
      director: z.string().optional(),
      realServer: z.string().optional(),
      complete: z.boolean().describe('the reply reached the client from the address it asked'),
      steps: z.array(
        z.strictObject({
          n: count,
          host: z.string(),
          iface: z.string(),
          network: z.string().optional().describe('the lab network of the interface; absent when it is on none'),
          dir: z.enum(['in', 'out']),
          packet: z.string().describe('SYN, SYN-ACK or RST'),
          src: z.string(),
          dst: z.string(),
          outer: z.string().optional().describe('IP-in-IP outer header (TUN)'),
          mac: z.string().optional().describe("the frame's source MAC"),
          macOf: z.string().optional().describe('the host that MAC belongs to'),
          changed: z.array(z.string()).optional().describe('what changed since the step before'),
          text: z.string(),
          t: z.number().describe("seconds since the epoch, that host's clock"),
        }),
      ),
      stop: z
        .strictObject({
          after: count.describe('the last step seen; 0 when none'),
          why: z.string(),
          check: z.strictObject({ check: z.string(), id: checkId, host: z.string(), title: z.string() }).optional().describe('the verify check that explains it'),
          command: z.string(),
        })
        .optional(),
      notes: z.array(z.string()),
    }),
  }),
  vmUp: envelope(['vm up', 'vm reset', 'vm snapshot restore'], z.string(), {
    instance: z.string(),
    inventoryPath: z.string(),
    inventory: z.record(z.string(), z.unknown()).describe('the inventory as lab reads it; inventoryPath is its file'),
    alreadyRunning: z.boolean(),
    booted: z.record(z.string(), z.number()).describe('hosts booted now → seconds to their first SSH login'),
    restored: z.string().optional().describe('the snapshot the VMs resumed from'),
  }),
  vmStatus: envelope(['vm status'], z.string().nullable(), {
    instance: z.string(),
    inventoryPath: z.string().optional(),
    vms: z.array(
      z.strictObject({
        host: z.string(),
        state: z.enum(['running', 'stopped']),
        pid: z.number().int().optional(),
        sshPort: z.number().int().optional(),
        consoleLog: z.string(),
        disk: z.string(),
        diskBytes: count.optional(),
      }),
    ),
    snapshots: z.array(snapshot),
  }),
  vmSnapshots: envelope(['vm snapshot list'], z.string().nullable(), { instance: z.string(), snapshots: z.array(snapshot) }),
};

/** Every output: one of the shapes above. */
export const outputSchema = z.union(Object.values(outputSchemas) as unknown as readonly [z.ZodType, ...z.ZodType[]]);

export function outputJsonSchema(): object {
  return { title: 'lab --json output', ...z.toJSONSchema(outputSchema, { io: 'output' }) };
}

/**
 * The problems of a `--json` document against the schema of its command ([] when it fits). The command picks the
 * shape, so a mismatch names its fields instead of "no union member matched".
 */
export function outputProblems(doc: unknown): string[] {
  const d = doc as { command?: unknown; students?: unknown } | null;
  const cmd = typeof d?.command === 'string' ? d.command : '';
  const { roster, ...single } = outputSchemas;
  const pick = d?.students !== undefined ? roster : (Object.values(single).find((s) => (s.shape.command.options as readonly string[]).includes(cmd)) ?? outputSchema);
  const r = pick.safeParse(doc);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
}
