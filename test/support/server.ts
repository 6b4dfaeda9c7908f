/**
 * Starts a real `rolecall serve` (the built bin, as users run it) on a free port for end-to-end tests, and
 * stops it with SIGTERM. `npm test` builds first; run `npm run build` before running an e2e file alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'rolecall.js');

export interface RolecallProcess {
  readonly endpoint: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  readonly dataDir?: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** A fresh temporary data directory, removed by the caller with removeDir. */
export const tempDir = (prefix = 'rolecall-test-'): string => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

export async function startRolecall(options: StartOptions = {}): Promise<RolecallProcess> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first');
  const dataDir = options.dataDir ?? tempDir();
  const readyFile = join(dataDir, `ready-${process.pid}-${Date.now()}.json`);
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const name of Object.keys(env)) if (name.startsWith('ROLECALL_') && !options.env?.[name]) delete env[name];
  const child = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--ready-file',
      readyFile,
      '--log-level',
      'warn',
      ...(options.args ?? []),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const deadline = Date.now() + 20_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`rolecall did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const { endpoint } = JSON.parse(readFileSync(readyFile, 'utf8')) as { endpoint: string };
  return {
    endpoint,
    dataDir,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
