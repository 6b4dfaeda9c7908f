/**
 * `rolecall explain REQUEST_ID`: why a request was allowed or denied — the request id is the one in the AWS error
 * the client saw. Asks a running rolecall (GET /_rolecall/explain/ID, root-signed) and prints the report: which
 * policies were evaluated, which statements matched or did not and why, and what change would allow it.
 */
import type { ExplainReport } from '../audit/explain-types.ts';
import { explainText } from '../audit/explain-text.ts';
import { adminJson, endpointOf, processIo, type CommandIo } from './admin-json.ts';
import { parseArgs, UsageError } from './args.ts';

export const EXPLAIN_HELP = `usage: rolecall explain REQUEST_ID [options]

Explains a recorded request: re-evaluates it against the policies that apply now, shows every statement of
every policy evaluated (Action, Resource, Principal, each condition with the values it saw), says when the
decision differs from the recorded one, and what change would allow it. REQUEST_ID is the request id of the
AWS error (RequestId in the CLI's message, x-amzn-RequestId / x-amz-request-id).

  --json             print the report as JSON
  --endpoint URL     rolecall's endpoint (default: $ROLECALL_ENDPOINT, else http://127.0.0.1:4566)
  --help             show this help

The request is signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (an account root's), else test/test.
Exit codes: 0 explained, 1 no such request, 2 bad usage or rolecall unreachable.`;

export async function runExplain(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(EXPLAIN_HELP);
    return 0;
  }
  let requestId: string;
  let endpoint: string;
  let json: boolean;
  try {
    const parsed = parseArgs(args, { json: 'flag', endpoint: 'value' });
    if (parsed.positionals.length !== 1) throw new UsageError('give one REQUEST_ID');
    requestId = parsed.positionals[0] ?? '';
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(requestId)) throw new UsageError(`'${requestId}' is not a request id`);
    json = parsed.flags.has('json');
    endpoint = endpointOf(parsed.values.get('endpoint'), io.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`rolecall explain: ${err.message} (see rolecall explain --help)`);
    return 2;
  }
  let missing = false;
  const report = await adminJson<ExplainReport>(
    'explain',
    endpoint,
    `/_rolecall/explain/${encodeURIComponent(requestId)}`,
    '',
    {
      ...io,
      err: (text) => {
        missing = text.includes(' answered 404');
        io.err(text);
      },
    },
  );
  if (!report) return missing ? 1 : 2;
  io.out(json ? JSON.stringify(report, null, 2) : explainText(report));
  return 0;
}

export const explain = (args: readonly string[]): Promise<number> => runExplain(args);
