/**
 * An in-process rolecall server for HTTP tests: started before a file's tests (memory store, silent logs, a
 * free port) and closed after them. Returns a getter, since the server exists only once `before` has run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { pino } from 'pino';
import { DEFAULTS, type ServerConfig } from '../../src/server/config.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';

export function inProcessServer(prefix: string, overrides: Partial<ServerConfig> = {}): () => RunningServer {
  let server: RunningServer | undefined;
  let dataDir = '';
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), prefix));
    server = await startServer(
      { ...DEFAULTS, port: 0, store: 'memory', logLevel: 'silent', readyFile: undefined, dataDir, ...overrides },
      pino({ level: 'silent' }),
    );
  });
  after(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return () => {
    if (!server) throw new Error('the in-process server is not started yet (use it inside tests)');
    return server;
  };
}
