/**
 * One process of a function's runtime: started with a bootstrap (runtimes/<language>/), then given invocations
 * one at a time over fd 3. The function's stdout and stderr become log lines. A phase (init, then each invocation)
 * ends when the bootstrap's message has arrived on fd 3 and its end marker on both stdout and stderr, so every
 * line the function printed during the phase belongs to it; or when the process has exited and its output is read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Readable, Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from './log-format.ts';
import type { Launch } from './runtimes.ts';

/** What the bootstrap sends over fd 3. */
interface ChildMessage {
  readonly type: 'ready' | 'initError' | 'result' | 'error' | 'fatal';
  readonly payload?: string;
  readonly maxRssKb?: number;
}

/** CloudWatch Logs' largest event (256 KiB including 26 bytes of overhead), in characters: a longer line is cut. */
const MAX_LINE_CHARS = 256 * 1024 - 26;
/** Output kept per phase (one invocation, or the time between two). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export type PhaseEnd =
  | { readonly kind: 'message'; readonly message: ChildMessage; readonly lines: LogLine[] }
  | {
      readonly kind: 'exit';
      readonly code: number | null;
      readonly signal: NodeJS.Signals | null;
      readonly lines: LogLine[];
    };

interface Phase {
  message?: ChildMessage;
  markers: number;
  resolve(end: PhaseEnd): void;
}

export interface ProcessOptions {
  readonly launch: Launch;
  readonly env: Record<string, string>;
  readonly cwd: string;
}

export class FunctionProcess {
  readonly pid: number | undefined;
  /** Lines printed since the last phase ended (or before the first): they go to the next invocation's log. */
  private lines: LogLine[] = [];
  private bufferedBytes = 0;
  private droppedLines = 0;
  private phase: Phase | undefined;
  private readonly marker = `\u001b[rolecall:${randomBytes(12).toString('hex')}]`;
  private readonly child: ChildProcess;
  private readonly channel: Duplex;
  private channelBuffer = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private openStreams = 2;
  /** Resolves once the process has exited and its stdout and stderr are fully read. */
  readonly exited: Promise<void>;
  private markExited!: () => void;
  /** Peak RSS in KiB, from the bootstrap's last message. */
  maxRssKb = 0;

  constructor(options: ProcessOptions) {
    this.exited = new Promise((resolve) => (this.markExited = resolve));
    this.child = spawn(options.launch.command, [...options.launch.args, this.marker], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid;
    const [, stdout, stderr, channel] = this.child.stdio as unknown as [null, Readable, Readable, Duplex];
    this.channel = channel;
    this.readLines(stdout);
    this.readLines(stderr);
    channel.setEncoding('utf8');
    channel.on('data', (chunk: string) => this.onChannelData(chunk));
    channel.on('error', () => undefined);
    this.child.on('error', (err) => {
      // spawn failed (the program vanished): report it as the process ending, with the reason as a log line.
      this.addLine(err.message);
      this.exitInfo ??= { code: 127, signal: null };
      this.openStreams = 0;
      this.finishExit();
    });
    this.child.on('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      this.finishExit();
    });
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Init: resolves when the bootstrap has loaded the handler (`ready`) or failed to (`initError`), or exited. */
  init(): Promise<PhaseEnd> {
    return this.nextPhase();
  }

  /** Sends one invocation; resolves with its outcome and the lines printed meanwhile. */
  invoke(message: {
    requestId: string;
    event: string;
    deadlineMs: number;
    invokedFunctionArn: string;
  }): Promise<PhaseEnd> {
    const ended = this.nextPhase();
    this.channel.write(`${JSON.stringify({ type: 'invoke', ...message })}\n`);
    return ended;
  }

  /** Lines printed outside any phase (between invocations), taken by whoever reports them. */
  takeLines(): LogLine[] {
    const taken = this.lines;
    if (this.droppedLines > 0) {
      taken.push({
        timestamp: Date.now(),
        message: `rolecall: ${this.droppedLines} more log lines were dropped (over ${MAX_BUFFERED_BYTES / 1048576} MiB of output)\n`,
      });
    }
    this.lines = [];
    this.bufferedBytes = 0;
    this.droppedLines = 0;
    return taken;
  }

  /** Peak memory from /proc when the bootstrap cannot say (it is being killed); 0 elsewhere. */
  peakRssKbFromProc(): number {
    if (this.pid === undefined || process.platform !== 'linux') return this.maxRssKb;
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match?.[1] === undefined ? this.maxRssKb : Number(match[1]);
    } catch {
      return this.maxRssKb;
    }
  }

  /** SIGKILL, then wait until it is gone and its output read. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Synchronous, for process exit hooks. */
  killNow(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  private nextPhase(): Promise<PhaseEnd> {
    if (this.phase !== undefined) throw new Error('a phase is already running in this process');
    return new Promise((resolve) => {
      if (this.exitInfo !== undefined && this.openStreams === 0) {
        resolve({ kind: 'exit', ...this.exitInfo, lines: this.takeLines() });
        return;
      }
      this.phase = { markers: 0, resolve };
    });
  }

  private readLines(stream: Readable): void {
    const decoder = new StringDecoder('utf8');
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      partial += decoder.write(chunk);
      let newline: number;
      while ((newline = partial.indexOf('\n')) >= 0) {
        this.onLine(partial.slice(0, newline));
        partial = partial.slice(newline + 1);
      }
      // Output without newlines is cut into lines, keeping a marker's length back in case one is arriving.
      if (partial.length > MAX_LINE_CHARS + this.marker.length) {
        this.addLine(partial.slice(0, partial.length - this.marker.length));
        partial = partial.slice(partial.length - this.marker.length);
      }
    });
    stream.on('close', () => {
      partial += decoder.end();
      if (partial !== '') this.onLine(partial);
      this.openStreams = Math.max(0, this.openStreams - 1);
      this.finishExit();
    });
  }

  private onLine(text: string): void {
    if (text.endsWith(this.marker)) {
      // Output printed without a newline before the phase ended is a line of its own, as on AWS.
      const before = text.slice(0, text.length - this.marker.length);
      if (before !== '') this.addLine(before);
      if (this.phase !== undefined) {
        this.phase.markers++;
        this.settlePhase();
      }
      return;
    }
    this.addLine(text);
  }

  /**
   * Bounded, so that a function printing without end cannot exhaust rolecall's memory: a line is cut at
   * CloudWatch Logs' event size (256 KiB), and past MAX_BUFFERED_BYTES per phase lines are counted, not kept.
   */
  private addLine(text: string): void {
    const cut = text.length > MAX_LINE_CHARS ? text.slice(0, MAX_LINE_CHARS) : text;
    if (this.bufferedBytes + cut.length > MAX_BUFFERED_BYTES) {
      this.droppedLines++;
      return;
    }
    this.bufferedBytes += cut.length;
    this.lines.push({ timestamp: Date.now(), message: `${cut}\n` });
  }

  private onChannelData(chunk: string): void {
    this.channelBuffer += chunk;
    let newline: number;
    while ((newline = this.channelBuffer.indexOf('\n')) >= 0) {
      const text = this.channelBuffer.slice(0, newline);
      this.channelBuffer = this.channelBuffer.slice(newline + 1);
      if (text === '') continue;
      let message: ChildMessage;
      try {
        message = JSON.parse(text) as ChildMessage;
      } catch {
        continue;
      }
      if (typeof message.maxRssKb === 'number') this.maxRssKb = message.maxRssKb;
      if (this.phase !== undefined && this.phase.message === undefined) {
        this.phase.message = message;
        this.settlePhase();
      }
    }
  }

  private settlePhase(): void {
    const phase = this.phase;
    if (phase?.message === undefined || phase.markers < 2) return;
    this.phase = undefined;
    phase.resolve({ kind: 'message', message: phase.message, lines: this.takeLines() });
  }

  private finishExit(): void {
    if (this.exitInfo === undefined || this.openStreams > 0) return;
    const phase = this.phase;
    this.phase = undefined;
    phase?.resolve({ kind: 'exit', ...this.exitInfo, lines: this.takeLines() });
    this.markExited();
  }
}
