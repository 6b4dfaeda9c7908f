/**
 * Command-line options for the commands that take several (`lint`, `doctor`): `--name VALUE` or `--name=VALUE`,
 * repeatable where the command says so, and positionals. Unknown options are refused, never ignored.
 */

export class UsageError extends Error {}

export type OptionKind = 'value' | 'repeat' | 'flag';

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly repeated: ReadonlyMap<string, readonly string[]>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

export function parseArgs(args: readonly string[], spec: Readonly<Record<string, OptionKind>>): ParsedArgs {
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option '--${name}'`);
    if (kind === 'flag') {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value`);
      flags.add(name);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      i++;
    }
    if (value === undefined || (eq < 0 && value.startsWith('--')))
      throw new UsageError(`option '--${name}' needs a value`);
    if (kind === 'repeat') repeated.set(name, [...(repeated.get(name) ?? []), value]);
    else if (values.has(name)) throw new UsageError(`option '--${name}' given twice`);
    else values.set(name, value);
  }
  return { values, repeated, flags, positionals };
}
