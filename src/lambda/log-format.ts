/**
 * The lines Lambda itself writes to a function's log stream, and the error documents it makes when the runtime
 * could not answer (timeout, crash). Every message ends with '\n', as Lambda's log events do in CloudWatch Logs.
 *
 * Formats as AWS writes them (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html and
 * recorded invocations, e.g. github.com/alexa-samples/skill-sample-nodejs-smarthome-switch/issues/18):
 *   START RequestId: <id> Version: $LATEST
 *   END RequestId: <id>
 *   REPORT RequestId: <id>\tDuration: 2.41 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t
 *     then `Init Duration: 120.00 ms\t` on a cold start, `Status: timeout\t` / `Status: error\tError Type: …\t`
 *     when the runtime did not answer.
 */
import { randomBytes } from 'node:crypto';

export interface LogLine {
  readonly timestamp: number;
  readonly message: string;
}

const line = (message: string, timestamp = Date.now()): LogLine => ({ timestamp, message: `${message}\n` });

export const startLine = (requestId: string, version: string, timestamp?: number) =>
  line(`START RequestId: ${requestId} Version: ${version}`, timestamp);

export const endLine = (requestId: string) => line(`END RequestId: ${requestId}`);

export interface Report {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Set on a cold start. */
  readonly initDurationMs?: number;
  readonly status?: 'timeout' | 'error';
  readonly errorType?: string;
}

/**
 * Billed Duration is rounded up to the millisecond (since December 2020), and includes the init phase of a cold
 * start for managed runtimes since 1 August 2025 (aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase).
 */
export function billedDurationMs(durationMs: number, initDurationMs?: number): number {
  return Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));
}

export function reportLine(r: Report): LogLine {
  let text =
    `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${billedDurationMs(r.durationMs, r.initDurationMs)} ms\tMemory Size: ${r.memorySizeMb} MB\t` +
    `Max Memory Used: ${r.maxMemoryUsedMb} MB\t`;
  if (r.initDurationMs !== undefined) text += `Init Duration: ${r.initDurationMs.toFixed(2)} ms\t`;
  if (r.status !== undefined) text += `Status: ${r.status}\t`;
  if (r.errorType !== undefined) text += `Error Type: ${r.errorType}\t`;
  return line(text);
}

/** `2026/12/05/[$LATEST]` and 32 hex digits: one stream per process, as per execution environment on AWS. */
export function logStreamName(version: string, now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[${version}]${randomBytes(16).toString('hex')}`;
}

/**
 * A timeout. The log line is `<ISO time> <id> Task timed out after 3.00 seconds`; the invoker gets
 * {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error: Task timed out after 3.00 seconds"}
 * (AWS's current answer, as recorded for github.com/localstack/lambda-runtime-init/pull/103; older runtimes
 * answered {"errorMessage":"<ISO time> <id> Task timed out after 3.00 seconds"}).
 */
export function timedOut(requestId: string, timeoutSeconds: number): { line: LogLine; payload: string } {
  const seconds = `${timeoutSeconds.toFixed(2)} seconds`;
  return {
    line: line(`${new Date().toISOString()} ${requestId} Task timed out after ${seconds}`),
    payload: JSON.stringify({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds}`,
    }),
  };
}

/** The runtime process ended during an invocation: `Runtime exited with error: exit status 1` or `signal: killed`. */
export function runtimeExited(
  requestId: string,
  code: number | null,
  signal: NodeJS.Signals | null,
): { line: LogLine; payload: string } {
  const how = signal !== null ? `signal: ${signalName(signal)}` : `exit status ${code ?? 0}`;
  const errorMessage = `RequestId: ${requestId} Error: Runtime exited with error: ${how}`;
  return {
    line: line(`${errorMessage}\nRuntime.ExitError`),
    payload: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage }),
  };
}

/** Go's names for signals, which AWS's messages use (`signal: killed`, `signal: aborted`…). */
function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGABRT: 'aborted',
    SIGSEGV: 'segmentation fault',
    SIGTERM: 'terminated',
    SIGINT: 'interrupt',
    SIGBUS: 'bus error',
  };
  return names[signal] ?? signal;
}
