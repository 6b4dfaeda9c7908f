/** The `rolecall` command: dispatches to one module per subcommand (shared/STYLE.md convention 12). */
import { serve } from './serve.ts';
import { simulate } from './simulate.ts';
import { env } from './env.ts';
import { run } from './run.ts';
import { lint } from './lint.ts';
import { doctor } from './doctor.ts';
import { audit } from './audit.ts';
import { explain } from './explain.ts';
import { suggestPolicy } from './suggest-policy.ts';
import { VERSION } from '../server/version.ts';

const COMMANDS: Readonly<Record<string, (args: readonly string[]) => Promise<number>>> = {
  serve,
  simulate,
  env,
  run,
  lint,
  doctor,
  audit,
  explain,
  'suggest-policy': suggestPolicy,
};

const USAGE = `usage: rolecall <command> [options]

commands:
  serve     run the local AWS identity cloud (rolecall serve --help)
  simulate  evaluate requests against IAM policies offline (rolecall simulate --help)
  lint      check policy documents for mistakes and risks (rolecall lint --help)
  doctor    check a running rolecall's accounts for the classic mistakes (rolecall doctor --help)
  audit     read the audit trail: rolecall audit tail [--follow] [--denied], export --format jsonl
  explain   why a request was denied, and what would allow it (rolecall explain REQUEST_ID)
  suggest-policy  a least-privilege policy from a role's recorded requests (rolecall suggest-policy --role R)
  env       print the exports that make a shell a workload on an instance (rolecall env --instance i-…)
  run       run a command as a workload on an instance (rolecall run --instance i-… -- CMD…)

  --version print the version`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    console.log(VERSION);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    console.error(`rolecall: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error('rolecall: fatal:', err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
