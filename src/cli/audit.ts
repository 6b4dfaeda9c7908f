/**
 * `rolecall audit`: reads a running rolecall's audit trail (GET /_rolecall/audit/events, signed as an account
 * root, every account). `tail` prints the latest events one line each, oldest first, and with --follow keeps
 * printing new ones; `export --format jsonl` writes every kept record, one CloudTrail record per line.
 */
import type { AuditEvent } from '../audit/types.ts';
import { credentialsFrom, queryString, signedAdminGet } from './admin-client.ts';
import { parseArgs, UsageError } from './args.ts';

export const AUDIT_HELP = `usage: rolecall audit <command> [options]

Reads the audit trail of a running rolecall: one CloudTrail record per request (allowed, denied, failed
authentication) and per metadata-service credential issue, in every account. docs/AUDIT.md describes it.

commands:
  tail [--follow] [--denied] [--principal ARN] [--lines N]
                          the latest N events (default 20), one line each, oldest first; --follow keeps
                          printing new events until interrupted
  export --format jsonl [--denied] [--principal ARN]
                          every kept event, one CloudTrail record (JSON) per line, oldest first

options:
  --denied                only requests that were denied (or, with --enforce audit, would have been)
  --principal ARN         only this caller; a role's ARN matches all its sessions
  --endpoint URL          rolecall's endpoint (default: $ROLECALL_ENDPOINT, else http://127.0.0.1:4566)
  --help                  show this help

The requests are signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (an account root's), else test/test.
Exit codes: 0 done, 2 bad usage or rolecall unreachable.`;

export interface AuditIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Ends --follow (SIGINT by default). */
  readonly signal?: AbortSignal;
  readonly pollMs?: number;
}

const defaultIo = (): AuditIo => {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  return {
    env: process.env,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    signal: stop.signal,
  };
};

class Unreachable extends Error {}

interface Page {
  readonly events: AuditEvent[];
  readonly next?: string;
  readonly auditing?: string;
}

/** Who made the request, in one word. */
function caller(e: AuditEvent): string {
  const id = e.userIdentity;
  if (id.arn !== undefined) return id.arn;
  if (id.invokedBy !== undefined) return id.invokedBy;
  if (id.accountId === 'anonymous') return 'anonymous';
  return id.accessKeyId !== undefined ? `unknown key ${id.accessKeyId}` : 'unknown';
}

export function formatLine(e: AuditEvent): string {
  const service = e.eventSource.replace(/\.amazonaws\.com$/, '');
  const decision = e.authorization?.decision ?? '-';
  const waived = e.authorization?.mode === 'audit' && decision !== 'Allowed' && e.errorCode === undefined;
  return [
    e.eventTime,
    caller(e),
    `${service}:${e.eventName}`,
    waived ? `${decision} (allowed: --enforce audit)` : decision,
    ...(e.errorCode !== undefined ? [e.errorCode] : []),
  ].join('  ');
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

export async function runAudit(args: readonly string[], io: AuditIo = defaultIo()): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || rest.includes('--help')) {
    io.out(AUDIT_HELP);
    return command === undefined ? 2 : 0;
  }
  let endpoint: string;
  let filters: (readonly [string, string])[];
  let follow = false;
  let lines = 20;
  try {
    if (command !== 'tail' && command !== 'export') throw new UsageError(`unknown command '${command}'`);
    const parsed = parseArgs(rest, {
      denied: 'flag',
      principal: 'value',
      endpoint: 'value',
      ...(command === 'tail' ? { follow: 'flag', lines: 'value' } : { format: 'value' }),
    } as const);
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0] ?? ''}'`);
    if (command === 'export') {
      const format = parsed.values.get('format');
      if (format === undefined) throw new UsageError('export needs --format jsonl');
      if (format !== 'jsonl') throw new UsageError(`--format must be jsonl, not '${format}'`);
    } else {
      follow = parsed.flags.has('follow');
      const n = parsed.values.get('lines');
      if (n !== undefined) {
        if (!/^\d{1,4}$/.test(n) || Number(n) < 1 || Number(n) > 1000) {
          throw new UsageError('--lines must be a whole number from 1 to 1000');
        }
        lines = Number(n);
      }
    }
    const principal = parsed.values.get('principal');
    if (principal !== undefined && !principal.startsWith('arn:')) throw new UsageError('--principal must be an ARN');
    filters = [
      ...(parsed.flags.has('denied') ? [['denied', 'true'] as const] : []),
      ...(principal !== undefined ? [['principal', principal] as const] : []),
    ];
    endpoint = (parsed.values.get('endpoint') ?? io.env['ROLECALL_ENDPOINT'] ?? 'http://127.0.0.1:4566').replace(
      /\/+$/,
      '',
    );
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`rolecall audit: ${err.message} (see rolecall audit --help)`);
    return 2;
  }

  const creds = credentialsFrom(io.env);
  const region = io.env['AWS_REGION'] ?? 'us-east-1';
  const page = async (params: readonly (readonly [string, string])[]): Promise<Page> => {
    let res: Response;
    try {
      res = await signedAdminGet(endpoint, '/_rolecall/audit/events', queryString(params), creds, region);
    } catch {
      throw new Unreachable(
        `cannot reach rolecall at ${endpoint} (start it with \`rolecall serve\`, or pass --endpoint)`,
      );
    }
    const body = await res.text();
    if (res.status !== 200) {
      let message = body;
      try {
        message = (JSON.parse(body) as { error?: string }).error ?? body;
      } catch {
        // not JSON: print it as it came
      }
      throw new Unreachable(`rolecall at ${endpoint} answered ${res.status}: ${message}`);
    }
    return JSON.parse(body) as Page;
  };

  try {
    if (command === 'export') {
      const all: AuditEvent[] = [];
      let after: string | undefined;
      do {
        const p = await page([...filters, ['limit', '1000'], ...(after ? [['after', after] as const] : [])]);
        all.push(...p.events);
        after = p.next;
      } while (after !== undefined);
      for (let i = all.length - 1; i >= 0; i--) io.out(JSON.stringify(all[i]));
      return 0;
    }
    const first = await page([...filters, ['limit', String(lines)]]);
    if (first.auditing === 'off')
      io.err('rolecall audit: auditing is off on this rolecall (rolecall serve --audit on)');
    const seen = new Set<string>();
    let since = first.events[0]?.eventTime;
    for (let i = first.events.length - 1; i >= 0; i--) {
      const e = first.events[i] as AuditEvent;
      seen.add(e.eventID);
      io.out(formatLine(e));
    }
    while (follow && !io.signal?.aborted) {
      await sleep(io.pollMs ?? 1000, io.signal);
      if (io.signal?.aborted) break;
      // Event times are to the second: ask from the newest second seen and skip what was printed.
      const p = await page([...filters, ['limit', '1000'], ...(since ? [['since', since] as const] : [])]);
      for (let i = p.events.length - 1; i >= 0; i--) {
        const e = p.events[i] as AuditEvent;
        if (seen.has(e.eventID)) continue;
        seen.add(e.eventID);
        io.out(formatLine(e));
      }
      since = p.events[0]?.eventTime ?? since;
      if (seen.size > 100_000) seen.clear();
    }
    return 0;
  } catch (err) {
    if (!(err instanceof Unreachable)) throw err;
    io.err(`rolecall audit: ${err.message}`);
    return 2;
  }
}

export const audit = (args: readonly string[]): Promise<number> => runAudit(args);
