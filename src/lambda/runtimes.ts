/**
 * Which local program runs a Lambda runtime, and with which bootstrap. The bootstraps are plain files under the
 * package's `runtimes/` folder (not under src/, which tsc does not copy), found from this module's own location:
 * src/lambda/ when run from source, dist/lambda/ once built — two levels below the package root either way.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const PACKAGE_ROOT = resolve(import.meta.dirname, '..', '..');
export const RUNTIMES_DIR = join(PACKAGE_ROOT, 'runtimes');
export const NODE_BOOTSTRAP = join(RUNTIMES_DIR, 'node', 'bootstrap.cjs');
export const PYTHON_BOOTSTRAP = join(RUNTIMES_DIR, 'python', 'bootstrap.py');

/** The runtimes rolecall runs (FunctionSpec.runtime). */
const NODE_RUNTIMES = new Set(['nodejs18.x', 'nodejs20.x', 'nodejs22.x']);
const PYTHON_RUNTIMES = new Set(['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13']);

export type RuntimeLanguage = 'node' | 'python';

export function runtimeLanguage(runtime: string): RuntimeLanguage | undefined {
  if (NODE_RUNTIMES.has(runtime)) return 'node';
  if (PYTHON_RUNTIMES.has(runtime)) return 'python';
  return undefined;
}

/**
 * The runtime cannot be run here: rolecall does not know it, or its program is missing. Invoke rejects with it;
 * the Lambda API reports it as AWS would an unusable runtime (e.g. InvalidRuntimeException, 502).
 */
export class UnsupportedRuntimeError extends Error {
  override readonly name = 'UnsupportedRuntimeError';
  readonly code = 'UnsupportedRuntime';
  constructor(
    readonly runtime: string,
    message: string,
  ) {
    super(message);
  }
}

export const isUnsupportedRuntime = (err: unknown): err is UnsupportedRuntimeError =>
  err instanceof UnsupportedRuntimeError;

/**
 * util-linux's setpriv, when there is one (Linux): started through `setpriv --pdeathsig KILL`, a function process
 * is killed by the kernel when rolecall dies, even while its handler spins and cannot notice its channel closing.
 * setpriv execs the runtime, so the pid stays the same.
 */
const SETPRIV =
  process.platform === 'linux'
    ? (process.env['PATH'] ?? '')
        .split(delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => join(dir, 'setpriv'))
        .find((file) => existsSync(file))
    : undefined;

function guarded(language: RuntimeLanguage, command: string, args: readonly string[]): Launch {
  return SETPRIV === undefined
    ? { language, command, args }
    : { language, command: SETPRIV, args: ['--pdeathsig', 'KILL', '--', command, ...args] };
}

/** How to start one process of a runtime: `command ...args <marker>`. */
export interface Launch {
  readonly language: RuntimeLanguage;
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * Finds the programs once per runner. `python3` on PATH may be a shim (pyenv, asdf) that needs the caller's own
 * environment to pick a version; asking it for `sys.executable` once, with rolecall's environment, gives the real
 * interpreter, which then starts with the function's clean environment (and without a shim's start-up cost).
 */
export class RuntimeResolver {
  private python: Promise<string | undefined> | undefined;

  constructor(private readonly pythonCommand = 'python3') {}

  async launch(runtime: string): Promise<Launch> {
    const language = runtimeLanguage(runtime);
    if (language === 'node') {
      return guarded(language, process.execPath, [NODE_BOOTSTRAP]);
    }
    if (language === 'python') {
      const python = await this.pythonExecutable();
      if (python === undefined) {
        throw new UnsupportedRuntimeError(runtime, `${runtime} needs python3, which is not installed here`);
      }
      // -u: unbuffered stdout/stderr, so that print() output reaches the log as it happens (AWS does the same).
      return guarded(language, python, ['-u', PYTHON_BOOTSTRAP]);
    }
    throw new UnsupportedRuntimeError(runtime, `rolecall cannot run the runtime ${runtime}`);
  }

  private pythonExecutable(): Promise<string | undefined> {
    this.python ??= new Promise((done) => {
      execFile(this.pythonCommand, ['-c', 'import sys; print(sys.executable)'], { timeout: 15_000 }, (err, stdout) => {
        const path = String(stdout).trim();
        done(err === null && path !== '' && existsSync(path) ? path : undefined);
      });
    });
    return this.python;
  }
}
