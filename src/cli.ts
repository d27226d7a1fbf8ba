// Commands only: parse argv, call one function, map errors to one line and an exit code.
import { Command, CommanderError, Option } from 'commander';
import type { ClassroomCliOptions } from './commands/classroom.js';
import type { ConvergeCliOptions } from './commands/converge.js';
import type { VerifyCliOptions } from './commands/verify.js';
import { exitCodeOf, RunError, UsageError } from './errors.js';
import { pickLang, setLang, t } from './i18n/index.js';
import { VERSION } from './report/envelope.js';
import { vmCommand } from './vm/cli.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** --roster runs the command for every student of a roster (see docs/classroom.md). */
function rosterOptions(cmd: Command): Command {
  return cmd
    .option('--roster <file>', 'run for every student of this roster, in parallel')
    .option('--students <a,b>', 'with --roster: only these students')
    .option('--concurrency <n>', 'with --roster: students at once (default 8)');
}

// Commands are loaded when they run: under emulation-bound benchmarks, loading all of them cost up to a second.
const classroomCommand = async (...a: Parameters<typeof import('./commands/classroom.js').classroomCommand>) => (await import('./commands/classroom.js')).classroomCommand(...a);
const convergeCommand = async (...a: Parameters<typeof import('./commands/converge.js').convergeCommand>) => (await import('./commands/converge.js')).convergeCommand(...a);
const verifyCommand = async (...a: Parameters<typeof import('./commands/verify.js').verifyCommand>) => (await import('./commands/verify.js')).verifyCommand(...a);
const validateCommand = async (lab: string) => (await import('./commands/spec.js')).validateCommand(lab);
const schemaCommand = async (which?: string) => (await import('./commands/spec.js')).schemaCommand(which);
const sshCommand = async (...a: Parameters<typeof import('./commands/ssh.js').sshCommand>) => (await import('./commands/ssh.js')).sshCommand(...a);
const statusCommand = async (...a: Parameters<typeof import('./commands/status.js').statusCommand>) => (await import('./commands/status.js')).statusCommand(...a);
const listCommand = async (o: { json?: boolean }) => (await import('./commands/list.js')).listCommand(o);
const graphCommand = async (...a: Parameters<typeof import('./commands/graph.js').graphCommand>) => (await import('./commands/graph.js')).graphCommand(...a);
const progressCommand = async (...a: Parameters<typeof import('./commands/progress.js').progressCommand>) => (await import('./commands/progress.js')).progressCommand(...a);
const hintCommand = async (...a: Parameters<typeof import('./commands/progress.js').hintCommand>) => (await import('./commands/progress.js')).hintCommand(...a);
const traceCommand = async (...a: Parameters<typeof import('./commands/trace.js').traceCommand>) => (await import('./commands/trace.js')).traceCommand(...a);

function targetOptions(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <file>', 'inventory file (default: the one `lab vm up` wrote)')
    .option('--instance <name>', 'which `lab vm` instance of the lab (default: the lab name)')
    .option('--provider <vm|vagrant>', 'where the hosts are: `lab vm` VMs or Vagrant machines (default: whichever exists)')
    .option('--hosts <a,b>', 'only these hosts of the lab (comma separated); the others are not contacted')
    .option('--accept-new', 'record host keys that known_hosts does not have yet')
    .option('--json', 'print the result as one JSON object');
}

export function buildProgram(setCode: (code: number) => void): Command {
  const program = new Command('lab')
    .description('Build classroom networking labs for real, over SSH, and prove they work.')
    .version(VERSION)
    .exitOverride();
  const run = (fn: () => Promise<number> | number) => async () => setCode(await fn());
  type Opts = ConvergeCliOptions & VerifyCliOptions & ClassroomCliOptions;
  for (const [name, what] of [
    ['plan', 'show, per host, each change and its exact commands; change nothing'],
    ['up', 'converge the lab: apply the plan, hosts in parallel'],
    ['down', 'undo what up did, restoring what it found'],
  ] as const) {
    const cmd = targetOptions(program.command(name).description(what).argument('<lab>', 'lab name (labs/NAME.yaml) or spec path'));
    if (name !== 'down') cmd.option('--until <step>', "only the tasks of the playbook's steps up to and including this one (e.g. 1.3); `lab progress` lists them");
    if (name !== 'plan')
      cmd
        .option('--lock-wait <duration>', 'how long to wait when another run holds a host\'s lock (default 30s)')
        .option('-v, --verbose', 'show each command as it runs; -vv also what it printed', (_v: string, n: number) => n + 1, 0);
    else
      cmd
        .option('--diff', 'under each change, what it changes: files as a unified diff, sysctl and NetworkManager values as old → new')
        .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when changes are pending, 1 on an error');
    rosterOptions(cmd)
      .option('--report <kind:file>', 'with --roster: write junit:FILE or json:FILE (repeatable)', collect)
      .action((lab: string, o: Opts) =>
        run(() => {
          if (!o.roster && (o.report || o.students || o.concurrency)) throw new UsageError(t('usage.rosterOnly', { flags: t('usage.rosterFlags'), name }));
          if (o.roster && o.detailedExitcode) throw new UsageError(t('usage.detailedExitcodeRoster'));
          if (o.roster && o.diff) throw new UsageError(t('usage.diffRoster'));
          return o.roster ? classroomCommand(name, lab, o) : convergeCommand(name, lab, o);
        })(),
      );
  }
  rosterOptions(targetOptions(program.command('verify').description('prove from the client that the lab works; explain every failure').argument('<lab>', 'lab name or spec path')))
    .option('--wait <duration>', 'retry failing checks until they pass or this time is up (30s, 2m)')
    .option('--read-only', 'skip the checks that change the lab while they run (failover, health)')
    .option('--report <kind:file>', 'write a report: junit:FILE, json:FILE, or html:FILE (one page for a student or, with --roster, a class; opens from disk) (repeatable)', collect)
    .action((lab: string, o: Opts) => run(() => (o.roster ? classroomCommand('verify', lab, o) : verifyCommand(lab, o)))());
  rosterOptions(targetOptions(program.command('reset').description('down, then check the hosts are at the lab\'s declared starting point').argument('<lab>', 'lab name or spec path')))
    .option('--report <kind:file>', 'write junit:FILE or json:FILE (repeatable)', collect)
    .action((lab: string, o: Opts) => run(() => classroomCommand('reset', lab, o))());
  program
    .command('validate')
    .description('check a lab spec and its playbook; contact no host')
    .argument('<lab>', 'lab name (labs/NAME.yaml) or spec path')
    .action((lab: string) => run(() => validateCommand(lab))());
  targetOptions(program.command('status').description('per host: reachable, OS, what lab up would still change, the last verify on it').argument('<lab>', 'lab name or spec path'))
    .action((lab: string, o: import('./commands/status.js').StatusCliOptions) => run(() => statusCommand(lab, o))());
  program
    .command('ssh')
    .description('a shell on a lab host, or one command (after --, run as lab runs its commands: through sudo when not root)')
    .argument('<lab>', 'lab name or spec path')
    .argument('<host>', 'one of the lab\'s hosts')
    .argument('[command...]', 'the command to run; its exit code is lab ssh\'s')
    .option('-i, --inventory <file>', 'inventory file (default: the one `lab vm up` wrote)')
    .option('--instance <name>', 'which `lab vm` instance of the lab (default: the lab name)')
    .option('--provider <vm|vagrant>', 'where the hosts are: `lab vm` VMs or Vagrant machines (default: whichever exists)')
    .option('--roster <file>', 'reach a student\'s host, from this roster (with --student)')
    .option('--student <name>', 'with --roster: whose host')
    .option('--accept-new', 'record a host key that known_hosts does not have yet')
    .action((lab: string, host: string, command: string[], o: import('./commands/ssh.js').SshCliOptions) => run(() => sshCommand(lab, host, command, o))());
  program
    .command('list')
    .description('the labs here (labs/*.yaml, then the shipped ones): mode, scheduler, hosts, what each is; each validated')
    .option('--json', 'print the result as one JSON object')
    .action((o: { json?: boolean }) => run(() => listCommand(o))());
  program
    .command('graph')
    .description('draw the lab\'s topology from its spec: networks, hosts by role, addresses, VIPs, gateways, the mode')
    .argument('<lab>', 'lab name or spec path')
    .option('-f, --format <format>', 'svg (Graphviz layout, to a file), dot, mermaid, text (a terminal drawing) or json', 'svg')
    .option('-o, --output <file>', 'where to write it (default: LAB.svg for svg, stdout for the others; - is stdout)')
    .option('--live', 'ask each host (one command) which interface holds each lab address, and label the links with those names')
    .option('-i, --inventory <file>', 'with --live: inventory file (default: the one `lab vm up` wrote)')
    .option('--instance <name>', 'with --live: which `lab vm` instance of the lab (default: the lab name)')
    .option('--provider <vm|vagrant>', 'with --live: `lab vm` VMs or Vagrant machines (default: whichever exists)')
    .option('--accept-new', 'with --live: record host keys that known_hosts does not have yet')
    .action((lab: string, o: import('./commands/graph.js').GraphCliOptions) => run(() => graphCommand(lab, o))());
  program
    .command('trace')
    .description('one request from the client, captured with tcpdump on every host it crosses, as the numbered packet walk: where each packet was seen, its addresses, what changed; where it stops, why')
    .argument('<lab>', 'lab name or spec path')
    .option('-i, --inventory <file>', 'inventory file (default: the one `lab vm up` wrote)')
    .option('--instance <name>', 'which `lab vm` instance of the lab (default: the lab name)')
    .option('--provider <vm|vagrant>', 'where the hosts are: `lab vm` VMs or Vagrant machines (default: whichever exists)')
    .option('--vip <vip[:port]>', 'the service to trace (default: the lab\'s first TCP service)')
    .option('--from <host>', 'the host that sends the request (default: the balancing check\'s client)')
    .option('--no-install', 'fail where tcpdump is missing instead of installing it with the host\'s package manager')
    .option('--accept-new', 'record host keys that known_hosts does not have yet')
    .option('--json', 'print the walk as one JSON object')
    .action((lab: string, o: import('./commands/trace.js').TraceCliOptions) => run(() => traceCommand(lab, o))());
  rosterOptions(targetOptions(program.command('progress').description("tutor mode: the course's steps in order, each done, partly done (on which hosts) or not started, and the one next thing to do with its exact commands").argument('<lab>', 'lab name or spec path')))
    .option('--watch', 'judge again every few seconds, redrawing in place, until every step is done or --for is up')
    .option('--every <duration>', 'with --watch: how often (default 5s)')
    .option('--for <duration>', 'with --watch: stop after this long (default 30m)')
    .option('--report <kind:file>', 'with --roster: write junit:FILE (one testcase per step) or json:FILE (repeatable)', collect)
    .action((lab: string, o: Opts & import('./commands/progress.js').ProgressCliOptions) =>
      run(() => {
        if (!o.roster && (o.report || o.students || o.concurrency)) throw new UsageError(t('tutor.rosterOnly'));
        if (o.roster && (o.watch || o.every !== undefined || o.for !== undefined)) throw new UsageError(t('tutor.rosterWatch'));
        if (o.hosts !== undefined) throw new UsageError(t('tutor.noHosts'));
        return o.roster ? classroomCommand('progress', lab, o) : progressCommand(lab, o);
      })(),
    );
  targetOptions(program.command('hint').description('tutor mode: a hint for the first unfinished step; each call gives the next level (what is wrong, where to look, the exact commands)').argument('<lab>', 'lab name or spec path'))
    .option('--reset', 'start again at the first level')
    .action((lab: string, o: import('./commands/progress.js').HintCliOptions) => run(() => hintCommand(lab, o))());
  program
    .command('schema')
    .description('print a JSON Schema: of lab specs (lab, the default; committed as schema/lab.schema.json), or of every --json output (output; schema/output.schema.json)')
    .argument('[which]', 'lab or output', 'lab')
    .action((which: string) => run(() => schemaCommand(which))());
  program.addCommand(vmCommand());
  program.addOption(new Option('--debug', 'show stack traces').hideHelp());
  // Read before the command line is parsed (see main), so that every message, a usage error's too, is in that language.
  program.option('--lang <en|zh-CN>', 'the language of messages (default: from LC_ALL, LC_MESSAGES or LANG; zh_CN reads Chinese)');
  // Colors: on a terminal by default, off in pipes, CI and under NO_COLOR; these decide first, as FORCE_COLOR does.
  program.option('--color', 'colors even when the output is not a terminal (as FORCE_COLOR=1)').option('--no-color', 'no colors (as FORCE_COLOR=0)');
  program.hook('preAction', (cmd) => {
    const color = cmd.opts().color as boolean | undefined;
    if (color !== undefined) process.env.FORCE_COLOR = color ? '1' : '0';
  });
  oneLineErrors(program);
  return program;
}

/** `lab vm up`, from a command up to the program. */
function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Commander's own errors (unknown command or option, missing argument) as one `lab:` line and where help is, on every command. */
function oneLineErrors(cmd: Command): void {
  cmd.configureOutput({
    // Commander puts its suggestion ("(Did you mean --color?)") on a second line: one line, as every lab error.
    outputError: (str, write) => write(`lab: ${str.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}; see \`${pathOf(cmd)} --help\`\n`),
  });
  for (const sub of cmd.commands) oneLineErrors(sub);
}

/** A message of several lines: the `lab:` prefix on the first, the others indented under it. */
export function errorLines(message: string): string {
  const [first = '', ...rest] = message.split('\n');
  return [`lab: ${first}`, ...rest.map((l) => `  ${l}`)].join('\n');
}

/** --lang X or --lang=X anywhere on the command line (before `--`), else the locale's. */
function langArg(argv: string[]): string | undefined {
  const end = argv.indexOf('--');
  const args = end < 0 ? argv : argv.slice(0, end);
  for (const [i, a] of args.entries()) {
    if (a === '--lang') return args[i + 1] ?? '';
    if (a.startsWith('--lang=')) return a.slice('--lang='.length);
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  try {
    setLang(pickLang(langArg(argv)));
  } catch (err) {
    process.stderr.write(`${errorLines((err as Error).message)}\n`);
    return 2;
  }
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError || err instanceof RunError) {
      process.stderr.write(`${errorLines(err.message)}\n`);
      return exitCodeOf(err);
    }
    if (argv.includes('--debug')) process.stderr.write(`${(err as Error).stack}\n`);
    process.stderr.write(`lab: internal error: ${(err as Error).message} (re-run with --debug for details)\n`);
    return 1;
  }
}
