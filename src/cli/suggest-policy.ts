/**
 * `rolecall suggest-policy --role NAME [--since 24h]`: a least-privilege identity policy from what the role's
 * sessions were recorded doing, and how it differs from the role's policies today. Asks a running rolecall
 * (GET /_rolecall/suggest-policy, root-signed); the rules are in src/audit/suggest-policy.ts and docs.
 */
import type { SuggestReport } from '../audit/suggest-service.ts';
import { adminJson, endpointOf, processIo, type CommandIo } from './admin-json.ts';
import { queryString } from './admin-client.ts';
import { parseArgs, UsageError } from './args.ts';

export const SUGGEST_POLICY_HELP = `usage: rolecall suggest-policy --role NAME [options]

Suggests a least-privilege identity policy for a role from its sessions' recorded requests (allowed and
denied): actions grouped by service, the ARNs observed (a prefix and * only where 5 or more share it), * only
for actions that take no resource. The policy passes IAM's validator. Also lists what the role is granted
today but never used, and what it used but lacks now.

  --role NAME|ARN     the role (required)
  --since WHEN        only requests since then: a duration (30m, 24h, 7d) or an ISO time (default: all
                      recorded requests)
  --account ID        the role's account (default: the signing root's)
  --policy-only       print only the policy document (to save as policy.json)
  --json              print the whole report as JSON
  --endpoint URL      rolecall's endpoint (default: $ROLECALL_ENDPOINT, else http://127.0.0.1:4566)
  --help              show this help

The request is signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (an account root's), else test/test.
Exit codes: 0 a policy was suggested, 1 no recorded request to suggest from, 2 bad usage or rolecall unreachable.`;

const LISTED = 40;

function textReport(r: SuggestReport): string {
  const lines: string[] = [];
  const period = r.since !== undefined ? `since ${r.since}` : 'in the trail';
  lines.push(`${r.role}: ${r.events} recorded request(s) ${period}, ${r.observed.length} distinct permission(s) used`);
  if (r.policy) {
    lines.push('', 'suggested policy:', JSON.stringify(r.policy, null, 2));
    if (r.command !== undefined) lines.push('', 'apply it (saved as policy.json):', `  ${r.command}`);
  }
  const d = r.diff;
  lines.push('', 'compared with the role’s policies today:');
  lines.push(
    d.lacking.length === 0
      ? '  everything it used is allowed now'
      : `  used but not allowed now (${d.lacking.length}): ${d.lacking.map((l) => `${l.action} on ${l.resource}`).join(', ')}`,
  );
  if (d.unusedActions.length > 0) {
    const shown = d.unusedActions.slice(0, LISTED).join(', ');
    const more =
      d.unusedActions.length > LISTED ? `, … (${d.unusedActions.length - LISTED} more; --json lists all)` : '';
    lines.push(`  granted but never used (${d.unusedActions.length}${d.truncated ? '+' : ''}): ${shown}${more}`);
  } else lines.push('  no granted action went unused');
  if (d.unusedServices.length > 0) lines.push(`  services granted but never used: ${d.unusedServices.join(', ')}`);
  if (d.unexpanded.length > 0) lines.push(`  grants too broad to list: ${d.unexpanded.join('; ')}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

export async function runSuggestPolicy(args: readonly string[], io: CommandIo = processIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(SUGGEST_POLICY_HELP);
    return 0;
  }
  let query: string;
  let endpoint: string;
  let output: 'text' | 'json' | 'policy';
  try {
    const parsed = parseArgs(args, {
      role: 'value',
      since: 'value',
      account: 'value',
      json: 'flag',
      'policy-only': 'flag',
      endpoint: 'value',
    });
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0] ?? ''}'`);
    const role = parsed.values.get('role');
    if (role === undefined || role === '') throw new UsageError('--role is required');
    const account = parsed.values.get('account');
    if (account !== undefined && !/^\d{12}$/.test(account))
      throw new UsageError('--account must be a 12-digit account id');
    const since = parsed.values.get('since');
    if (parsed.flags.has('json') && parsed.flags.has('policy-only'))
      throw new UsageError('--json and --policy-only exclude each other');
    output = parsed.flags.has('json') ? 'json' : parsed.flags.has('policy-only') ? 'policy' : 'text';
    endpoint = endpointOf(parsed.values.get('endpoint'), io.env);
    query = queryString([
      ['role', role],
      ...(since !== undefined ? [['since', since] as const] : []),
      ...(account !== undefined ? [['account', account] as const] : []),
    ]);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`rolecall suggest-policy: ${err.message} (see rolecall suggest-policy --help)`);
    return 2;
  }
  const report = await adminJson<SuggestReport>('suggest-policy', endpoint, '/_rolecall/suggest-policy', query, io);
  if (!report) return 2;
  if (output === 'json') io.out(JSON.stringify(report, null, 2));
  else if (output === 'policy') {
    if (report.policy) io.out(JSON.stringify(report.policy, null, 2));
    else io.err(`rolecall suggest-policy: ${report.notes.join(' ') || 'nothing to suggest'}`);
  } else io.out(textReport(report));
  return report.policy ? 0 : 1;
}

export const suggestPolicy = (args: readonly string[]): Promise<number> => runSuggestPolicy(args);
