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
  /** Whether every request is recorded in the audit trail. */
  readonly audit: 'on' | 'off';
  readonly auditMaxEvents: number;
  readonly auditMaxAgeMs: number;
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

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

/** `7d`, `12h`, `30m`, `90s`: a whole number and a unit. */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d{1,9})([smhd])$/.exec(value);
  if (!m) return undefined;
  const ms = Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? 0);
  return ms > 0 ? ms : undefined;
}

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
  {
    flag: '--audit',
    env: 'ROLECALL_AUDIT',
    help: 'on (default): record every request in the audit trail (CloudTrail LookupEvents); off: record nothing',
    parse: oneOf('audit', ['on', 'off']),
  },
  {
    flag: '--audit-max-events',
    env: 'ROLECALL_AUDIT_MAX_EVENTS',
    help: 'audit events kept; the oldest go first (default 100000)',
    parse: (value, source) => {
      const n = Number(value);
      if (!/^\d{1,9}$/.test(value) || n < 1) {
        throw new ConfigError(`${source}: '${value}' is not a number of events (1-999999999)`);
      }
      return { auditMaxEvents: n };
    },
  },
  {
    flag: '--audit-max-age',
    env: 'ROLECALL_AUDIT_MAX_AGE',
    help: 'how long audit events are kept: a number and s, m, h or d (default 7d)',
    parse: (value, source) => {
      const ms = parseDuration(value);
      if (ms === undefined)
        throw new ConfigError(`${source}: '${value}' is not a duration such as 7d, 12h, 30m or 90s`);
      return { auditMaxAgeMs: ms };
    },
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
  audit: 'on',
  auditMaxEvents: 100_000,
  auditMaxAgeMs: 7 * 86_400_000,
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

/** The audit setting in plain words, for the banner. */
export function describeAudit(config: Pick<ServerConfig, 'audit' | 'auditMaxEvents' | 'auditMaxAgeMs'>): string {
  if (config.audit === 'off') return 'OFF: requests are not recorded (aws cloudtrail lookup-events finds nothing)';
  const days = config.auditMaxAgeMs / 86_400_000;
  const age = Number.isInteger(days) ? `${days} day(s)` : `${Math.round(config.auditMaxAgeMs / 1000)} s`;
  return `ON: every request is recorded (last ${config.auditMaxEvents} events, ${age}); aws cloudtrail lookup-events, rolecall audit tail`;
}
