/**
 * Server settings from command-line flags and ROLECALL_* environment variables (flags win). Anything unknown or
 * out of range is refused with a message that says what is allowed: a setting is never silently ignored.
 */

export type EnforceMode = 'on' | 'audit' | 'off';
export type StoreKind = 'sqlite' | 'memory';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly store: StoreKind;
  readonly enforce: EnforceMode;
  readonly readyFile: string | undefined;
  readonly logLevel: LogLevel;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface Setting {
  readonly flag: string;
  readonly env: string;
  readonly help: string;
  readonly parse: (value: string, source: string) => Partial<Record<keyof ServerConfig, unknown>>;
}

const oneOf =
  <T extends string>(key: keyof ServerConfig, allowed: readonly T[]) =>
  (value: string, source: string) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(`${source}: '${value}' is not one of ${allowed.join(', ')}`);
    }
    return { [key]: value };
  };

const nonEmpty = (key: keyof ServerConfig) => (value: string, source: string) => {
  if (value === '') throw new ConfigError(`${source}: a value is required`);
  return { [key]: value };
};

export const SETTINGS: readonly Setting[] = [
  { flag: '--host', env: 'ROLECALL_HOST', help: 'address to listen on (default 127.0.0.1)', parse: nonEmpty('host') },
  {
    flag: '--port',
    env: 'ROLECALL_PORT',
    help: 'port to listen on; 0 picks a free one (default 4566)',
    parse: (value, source) => {
      const port = Number(value);
      if (!/^\d+$/.test(value) || port > 65535) throw new ConfigError(`${source}: '${value}' is not a port (0-65535)`);
      return { port };
    },
  },
  {
    flag: '--data-dir',
    env: 'ROLECALL_DATA_DIR',
    help: 'where state is kept (default ./.rolecall)',
    parse: nonEmpty('dataDir'),
  },
  {
    flag: '--store',
    env: 'ROLECALL_STORE',
    help: 'sqlite (default, in the data dir) or memory (nothing kept)',
    parse: oneOf('store', ['sqlite', 'memory']),
  },
  {
    flag: '--enforce',
    env: 'ROLECALL_ENFORCE',
    help: 'on (default): deny what IAM policies deny; audit: allow but record; off: no authorization',
    parse: oneOf('enforce', ['on', 'audit', 'off']),
  },
  {
    flag: '--ready-file',
    env: 'ROLECALL_READY_FILE',
    help: 'write {"endpoint": …} to this file once ready',
    parse: nonEmpty('readyFile'),
  },
  {
    flag: '--log-level',
    env: 'ROLECALL_LOG_LEVEL',
    help: 'fatal, error, warn, info (default), debug, trace or silent',
    parse: oneOf('logLevel', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
];

/** ROLECALL_* variables other commands read (`rolecall env`/`run` find the server by ROLECALL_ENDPOINT). */
const OTHER_COMMANDS_ENV = new Set(['ROLECALL_ENDPOINT']);

export const DEFAULTS: ServerConfig = {
  host: '127.0.0.1',
  port: 4566,
  dataDir: './.rolecall',
  store: 'sqlite',
  enforce: 'on',
  readyFile: undefined,
  logLevel: 'info',
};

/** Reads settings: defaults, then ROLECALL_* variables, then flags (`--port 0` or `--port=0`). */
export function parseServeConfig(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ServerConfig {
  let config: Record<string, unknown> = { ...DEFAULTS };
  const knownEnv = new Set(SETTINGS.map((s) => s.env));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('ROLECALL_') || value === undefined || OTHER_COMMANDS_ENV.has(name)) continue;
    const setting = SETTINGS.find((s) => s.env === name);
    if (!setting) {
      throw new ConfigError(`unknown environment variable ${name} (known: ${[...knownEnv].join(', ')})`);
    }
    config = { ...config, ...setting.parse(value, name) };
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const setting = SETTINGS.find((s) => s.flag === flag);
    if (!setting) throw new ConfigError(`unknown option '${arg}' (see rolecall serve --help)`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      i++;
    }
    if (value === undefined) throw new ConfigError(`${flag}: a value is required`);
    config = { ...config, ...setting.parse(value, flag) };
  }
  return config as unknown as ServerConfig;
}

/** The enforcement mode in plain words, for the banner. */
export function describeEnforcement(mode: EnforceMode): string {
  switch (mode) {
    case 'on':
      return 'ON: every request is authenticated (SigV4) and denied unless IAM policies allow it';
    case 'audit':
      return 'AUDIT: requests are authenticated; what IAM policies would deny is allowed but recorded';
    case 'off':
      return 'OFF: requests are authenticated, but IAM policies are NOT enforced: everything is allowed';
  }
}
