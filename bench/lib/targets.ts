/**
 * The servers a scenario measures, each in its own process: rolecall (the built bin, as users run it), the bare
 * node:http ceiling (bare-server.ts) and moto_server when it is installed. Every target is stopped by its own
 * process id (moto by its own process group, since its launcher may be a shim that starts Python).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { BIN, removeDir, ROOT, tempDir } from '../../test/support/server.ts';
import type { FromBare, ToBare } from './bare-server.ts';
import { waitForHttp, type Endpoint } from './http.ts';

export const HOST = '127.0.0.1';
const STOP_TIMEOUT_MS = 5_000;
const MOTO_START_TIMEOUT_MS = 60_000;

export interface Target extends Endpoint {
  /** Short name used in tables and JSON: rolecall, bare, moto. */
  readonly name: string;
  readonly description: string;
  /** The server process, for CPU accounting. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

const live = new Set<Target>();

/** Targets started and not yet stopped, so an interrupted run can still stop them (run.ts, on SIGINT). */
export function liveTargets(): Target[] {
  return [...live];
}

function track(target: Target): Target {
  let stopping: Promise<void> | undefined;
  const tracked: Target = {
    ...target,
    stop: () => {
      stopping ??= target.stop().finally(() => live.delete(tracked));
      return stopping;
    },
  };
  live.add(tracked);
  return tracked;
}

/** Waits for a child to exit, with SIGKILL (to `kill`) after a timeout. */
async function awaitExit(child: ChildProcess, kill: (signal: NodeJS.Signals) => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const timeout = new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), STOP_TIMEOUT_MS).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    kill('SIGKILL');
    await exited;
  }
}

export interface RolecallTargetOptions {
  /** Run the server under `node --cpu-prof` and, once it has stopped, move the profile to this file. */
  readonly cpuProfile?: string | undefined;
  /** The target's name in tables and JSON (default `rolecall`). */
  readonly name?: string;
  /** More `serve` options, after the defaults, e.g. `['--enforce', 'off']`. */
  readonly serveArgs?: readonly string[];
  /**
   * `memory` (the default here: nothing touches the disk) or `sqlite`, rolecall's own default: records in SQLite
   * and S3 bodies in files, in a data directory of its own that is removed when the target stops.
   */
  readonly store?: 'memory' | 'sqlite';
}

/**
 * `node bin/rolecall.js serve --port 0 --store memory --log-level warn --ready-file …`: the built bin, as users
 * run it, started as test/support/server.ts does (no ROLECALL_* settings from the environment) plus optional
 * serve options and node flags for profiling. With `store: 'sqlite'`, `--store sqlite --data-dir <temp dir>`.
 */
export async function startRolecallTarget(options: RolecallTargetOptions = {}): Promise<Target> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')))
    throw new Error('run `npm run build` first (npm run bench does)');
  const dir = tempDir('rolecall-bench-');
  const readyFile = join(dir, 'ready.json');
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('ROLECALL_')) delete env[name];
  const nodeArgs = options.cpuProfile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  const extra = options.serveArgs ?? [];
  const storeArgs =
    options.store === 'sqlite' ? ['--store', 'sqlite', '--data-dir', join(dir, 'data')] : ['--store', 'memory'];
  const args = ['serve', '--port', '0', ...storeArgs, '--log-level', 'warn', '--ready-file', readyFile, ...extra];
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => {
    if (output.length < 20_000) output += d.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await awaitExit(child, (signal) => child.kill(signal));
    const profile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (options.cpuProfile !== undefined && profile !== undefined) {
      mkdirSync(dirname(options.cpuProfile), { recursive: true });
      copyFileSync(join(dir, profile), options.cpuProfile);
    }
    removeDir(dir);
  };
  const deadline = Date.now() + 20_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name ?? 'rolecall'} did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const { endpoint } = JSON.parse(readFileSync(readyFile, 'utf8')) as { endpoint: string };
  const url = new URL(endpoint);
  return track({
    name: options.name ?? 'rolecall',
    description:
      `rolecall serve --store ${options.store ?? 'memory'} --log-level warn${extra.map((a) => ` ${a}`).join('')} (built bin)` +
      (options.cpuProfile === undefined ? '' : ', under --cpu-prof'),
    host: url.hostname,
    port: Number(url.port),
    pid: child.pid,
    stop,
  });
}

/** Headers Node's http server writes itself, or that describe the connection rather than the reply. */
const NOT_REPLAYED = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** Drops the headers Node writes itself (or that describe the connection) from a recorded reply. */
function replayable(headers: Readonly<Record<string, string>>): Record<string, string> {
  const replayed: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (!NOT_REPLAYED.has(name.toLowerCase())) replayed[name] = value;
  return replayed;
}

/** A bare node:http server in a child process, answering every request with this reply. */
export async function startBareTarget(
  body: Buffer,
  headers: Readonly<Record<string, string>>,
  what = 'reply',
): Promise<Target> {
  return startBare(
    { body: body.toString('base64'), headers: replayable(headers) },
    `bare node:http server, fixed 200 ${what} of ${body.length} bytes (the runtime's ceiling)`,
  );
}

/** One fixed reply of a routed bare server (startBareRoutesTarget). */
export interface BareRouteReply {
  readonly method: string;
  readonly path: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * A bare node:http server in a child process, answering each route (method and path, query included) with its
 * fixed 200 reply and anything else with an empty 404.
 */
export async function startBareRoutesTarget(routes: readonly BareRouteReply[], what: string): Promise<Target> {
  return startBare(
    {
      body: '',
      headers: {},
      routes: routes.map((r) => ({
        method: r.method,
        path: r.path,
        body: r.body.toString('base64'),
        headers: replayable(r.headers),
      })),
    },
    `bare node:http server, fixed 200 replies to ${what} (the runtime's ceiling)`,
  );
}

async function startBare(reply: Omit<ToBare, 'type' | 'host'>, description: string): Promise<Target> {
  const child = fork(join(import.meta.dirname, 'bare-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bare server did not start within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the bare server exited (code ${code}) before listening`)));
    child.on('message', (message: FromBare) => {
      if (message.type === 'ready') {
        const serve: ToBare = { type: 'serve', host: HOST, ...reply };
        child.send(serve);
      } else {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return track({
    name: 'bare',
    description,
    host: HOST,
    port,
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await awaitExit(child, (signal) => child.kill(signal));
    },
  });
}

/** The path of an executable on PATH, or undefined. */
export function onPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A free loopback port (there is a small race until moto binds it; moto then fails to start and is skipped). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `moto_server -p PORT -H 127.0.0.1`; throws (with its output) when it does not come up. */
export async function startMotoTarget(executable: string): Promise<Target> {
  const port = await freePort();
  // Its own process group, so stopping it reaches Python even when moto_server is a launcher script (pyenv).
  const child = spawn(executable, ['-p', String(port), '-H', HOST], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (d: Buffer) => {
    if (output.length < 20_000) output += d.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    killGroup('SIGTERM');
    await awaitExit(child, killGroup);
  };
  try {
    await waitForHttp({ host: HOST, port }, '/moto-api/', MOTO_START_TIMEOUT_MS, () => child.exitCode === null);
  } catch (err) {
    await stop();
    throw new Error(`moto_server did not start: ${(err as Error).message}\n${output.trim()}`, { cause: err });
  }
  return track({ name: 'moto', description: `moto_server (${executable})`, host: HOST, port, pid: child.pid, stop });
}
