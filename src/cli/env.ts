/** `rolecall env --instance ID`: prints the shell exports that make this shell a workload on the instance. */
import { endpointFrom, fetchInstance, instanceArg, workloadEnvironment } from './instance-env.ts';

const USAGE =
  'usage: rolecall env --instance i-… [--endpoint URL]\n\nPrints `export …` lines; use: eval "$(rolecall env --instance i-…)"';

const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;

export async function env(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const known = (a: string, i: number) =>
    ['--instance', '--endpoint'].includes(a) ||
    a.startsWith('--instance=') ||
    a.startsWith('--endpoint=') ||
    ['--instance', '--endpoint'].includes(args[i - 1] ?? '');
  const unknown = args.find((a, i) => !known(a, i));
  const instanceId = instanceArg(args);
  if (unknown !== undefined || instanceId === undefined) {
    console.error(unknown !== undefined ? `rolecall env: unknown argument '${unknown}'\n\n${USAGE}` : USAGE);
    return 2;
  }
  const endpoint = endpointFrom(args, process.env);
  try {
    const { set, unset } = workloadEnvironment(endpoint, await fetchInstance(endpoint, instanceId));
    for (const name of unset) console.log(`unset ${name}`);
    for (const [name, value] of Object.entries(set)) console.log(`export ${name}=${quote(value)}`);
    return 0;
  } catch (err) {
    console.error(`rolecall env: ${(err as Error).message}`);
    return 1;
  }
}
