// Commands only: parse argv, call one function, map errors to one line and an exit code.
import { Command, CommanderError, Option } from 'commander';
import { convergeCommand, type ConvergeCliOptions } from './commands/converge.js';
import { schemaCommand, validateCommand } from './commands/spec.js';
import { verifyCommand, type VerifyCliOptions } from './commands/verify.js';
import { exitCodeOf, RunError, UsageError } from './errors.js';
import { vmCommand } from './vm/cli.js';

function targetOptions(cmd: Command, hosts = true): Command {
  cmd
    .option('-i, --inventory <file>', 'inventory file (default: the one `lab vm up` wrote)')
    .option('--instance <name>', 'which `lab vm` instance of the lab (default: the lab name)');
  if (hosts) cmd.option('--hosts <a,b>', 'only these hosts');
  return cmd
    .option('--accept-new', 'record host keys that known_hosts does not have yet')
    .option('--json', 'print the result as one JSON object');
}

export function buildProgram(setCode: (code: number) => void): Command {
  const program = new Command('lab')
    .description('Build classroom networking labs for real, over SSH, and prove they work.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  const run = (fn: () => Promise<number> | number) => async () => setCode(await fn());
  for (const [name, what] of [
    ['plan', 'show, per host, each change and its exact commands; change nothing'],
    ['up', 'converge the lab: apply the plan, hosts in parallel'],
    ['down', 'undo what up did, restoring what it found'],
  ] as const) {
    targetOptions(program.command(name).description(what).argument('<lab>', 'lab name (labs/NAME.yaml) or spec path')).action((lab: string, o: ConvergeCliOptions) =>
      run(() => convergeCommand(name, lab, o))(),
    );
  }
  targetOptions(program.command('verify').description('prove from the client that the lab works; explain every failure').argument('<lab>', 'lab name or spec path'), false)
    .option('--wait <duration>', 'retry failing checks until they pass or this time is up (30s, 2m)')
    .option('--report <kind:file>', 'write a report: junit:FILE or json:FILE (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .action((lab: string, o: VerifyCliOptions) => run(() => verifyCommand(lab, o))());
  program
    .command('validate')
    .description('check a lab spec and its playbook; contact no host')
    .argument('<lab>')
    .action((lab: string) => run(() => validateCommand(lab))());
  program
    .command('schema')
    .description('print the JSON Schema of lab specs')
    .action(() => run(() => schemaCommand())());
  program.addCommand(vmCommand());
  program.addOption(new Option('--debug', 'show stack traces').hideHelp());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError || err instanceof RunError) {
      process.stderr.write(`lab: ${err.message}\n`);
      return exitCodeOf(err);
    }
    if (argv.includes('--debug')) process.stderr.write(`${(err as Error).stack}\n`);
    process.stderr.write(`lab: internal error: ${(err as Error).message} (re-run with --debug for details)\n`);
    return 1;
  }
}
