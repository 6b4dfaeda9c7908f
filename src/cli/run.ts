/**
 * `rolecall run --instance ID -- CMD…`: runs CMD as a workload on the instance — its SDK's default credential
 * chain ends at the instance's metadata service — and passes CMD's exit code through.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { endpointFrom, fetchInstance, instanceArg, workloadEnvironment } from './instance-env.ts';

const USAGE = 'usage: rolecall run --instance i-… [--endpoint URL] -- COMMAND [ARGS…]';

export async function run(args: readonly string[]): Promise<number> {
  const dash = args.indexOf('--');
  const own = dash >= 0 ? args.slice(0, dash) : args;
  const command = dash >= 0 ? args.slice(dash + 1) : [];
  if (own.includes('--help') || own.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const instanceId = instanceArg(own);
  if (instanceId === undefined || command.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const endpoint = endpointFrom(own, process.env);
  let environment: ReturnType<typeof workloadEnvironment>;
  try {
    environment = workloadEnvironment(endpoint, await fetchInstance(endpoint, instanceId));
  } catch (err) {
    console.error(`rolecall run: ${(err as Error).message}`);
    return 1;
  }
  const childEnv: Record<string, string | undefined> = { ...process.env, ...environment.set };
  for (const name of environment.unset) delete childEnv[name];
  const [program = '', ...programArgs] = command;
  return new Promise((resolve) => {
    const child = spawn(program, programArgs, { env: childEnv, stdio: 'inherit' });
    child.on('error', (err) => {
      console.error(`rolecall run: cannot run ${program}: ${err.message}`);
      resolve(127);
    });
    // Killed by a signal: 128 + its number, as shells report it.
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
  });
}
