/** Command-line options of `npm run bench -- …`. Anything unknown or out of range is refused with the usage. */
import type { BenchOptions } from './scenario.ts';

export const USAGE = [
  'usage: npm run bench -- [options]',
  '',
  '  --seconds N          measured seconds per point (default 5; s3-get and logs-put: 3)',
  '  --warmup N           warm-up seconds before each point, not counted (default 1)',
  '  --concurrency LIST   requests in flight, comma-separated (default 1,8,32)',
  '  --rounds N           repeat the whole sweep N times and report medians (default 1)',
  '  --workers N          load-generator processes sharing the concurrency (default 1)',
  '  --scenario LIST      scenarios to run, by name (default: every file in bench/scenarios/, then the',
  '                       in-process policy-engine figures, whose name is policy-engine)',
  '  --no-moto            do not measure moto_server even when it is installed',
  '  --profile            run rolecall under node --cpu-prof, keep the profile in .bench/ and summarise it',
  '                       (profiling slows rolecall: compare figures only between runs with the same setting)',
  '  --strict             exit 1 when a goal is missed (default: print the verdict only)',
  '  --help               show this help',
].join('\n');

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const DEFAULTS: BenchOptions = {
  seconds: 5,
  secondsGiven: false,
  warmupSeconds: 1,
  concurrency: [1, 8, 32],
  rounds: 1,
  workers: 1,
  moto: true,
  strict: false,
  profile: false,
  scenarios: [],
};

function number(flag: string, value: string | undefined, min: number, max: number, integer: boolean): number {
  const n = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag}: '${value ?? ''}' is not ${integer ? 'a whole number' : 'a number'}`);
  }
  if (n < min || n > max) throw new UsageError(`${flag}: ${n} is outside ${min}–${max}`);
  return n;
}

/** Parses argv (without node and the script); returns undefined for --help. */
export function parseOptions(argv: readonly string[]): BenchOptions | undefined {
  let options: BenchOptions = DEFAULTS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => (eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i]);
    switch (flag) {
      case '--help':
      case '-h':
        return undefined;
      case '--seconds':
        options = { ...options, seconds: number(flag, value(), 0.1, 600, false), secondsGiven: true };
        break;
      case '--warmup':
        options = { ...options, warmupSeconds: number(flag, value(), 0, 60, false) };
        break;
      case '--concurrency': {
        const list = (value() ?? '').split(',').filter((s) => s.trim() !== '');
        if (list.length === 0) throw new UsageError(`${flag}: give a comma-separated list, e.g. 1,8,32`);
        options = { ...options, concurrency: list.map((s) => number(flag, s, 1, 1024, true)) };
        break;
      }
      case '--rounds':
        options = { ...options, rounds: number(flag, value(), 1, 20, true) };
        break;
      case '--workers':
        options = { ...options, workers: number(flag, value(), 1, 16, true) };
        break;
      case '--scenario':
      case '--scenarios':
        options = { ...options, scenarios: (value() ?? '').split(',').filter((s) => s !== '') };
        break;
      case '--no-moto':
        options = { ...options, moto: false };
        break;
      case '--profile':
        options = { ...options, profile: true };
        break;
      case '--strict':
        options = { ...options, strict: true };
        break;
      default:
        throw new UsageError(`unknown option '${arg}'`);
    }
  }
  return options;
}
