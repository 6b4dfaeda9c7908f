/** `rolecall serve`: runs the server until SIGINT or SIGTERM, then shuts down cleanly and exits 0. */
import { resolve } from 'node:path';
import { DEFAULT_ACCOUNT } from '../model/arn.ts';
import {
  ConfigError,
  describeAudit,
  describeEnforcement,
  parseServeConfig,
  SETTINGS,
  type ServerConfig,
} from '../server/config.ts';
import { createLogger } from '../server/logger.ts';
import { startServer } from '../server/server.ts';
import { VERSION } from '../server/version.ts';

const FLAG_WIDTH = Math.max(...SETTINGS.map((s) => `${s.flag} VALUE`.length)) + 2;

export const SERVE_HELP = [
  'usage: rolecall serve [options]',
  '',
  // Padded to the longest flag, so every description starts in one column.
  ...SETTINGS.map((s) => `  ${`${s.flag} VALUE`.padEnd(FLAG_WIDTH)}${s.help} [env ${s.env}]`),
  `  ${'--help'.padEnd(FLAG_WIDTH)}show this help`,
].join('\n');

export function banner(config: ServerConfig, endpoint: string): string {
  return [
    `rolecall ${VERSION} — local AWS identity cloud (IAM, STS, EC2)`,
    `  endpoint      ${endpoint}   (AWS_ENDPOINT_URL=${endpoint})`,
    `  account       ${DEFAULT_ACCOUNT} (default)`,
    `  credentials   access key "test", secret "test" = root of ${DEFAULT_ACCOUNT}; any 12-digit key id with secret "test" = root of that account`,
    `  data          ${config.store === 'memory' ? 'in memory only (nothing is kept after exit)' : resolve(config.dataDir)}`,
    `  enforcement   ${describeEnforcement(config.enforce)}`,
    `  audit         ${describeAudit(config)}`,
  ].join('\n');
}

export async function serve(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(SERVE_HELP);
    return 0;
  }
  let config: ServerConfig;
  try {
    config = parseServeConfig(args, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`rolecall serve: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  // Listen for signals before starting: the ready file appears during startup, and a signal sent as soon as it
  // does must still shut down cleanly.
  const stopped = new Promise<void>((done) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  const server = await startServer(config, log);
  console.log(banner(config, server.endpoint));
  await stopped;
  await server.close();
  log.info('stopped');
  log.flush();
  return 0;
}
