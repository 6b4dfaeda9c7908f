/**
 * `rolecall doctor`: asks a running rolecall for the classic mistakes in its accounts (GET /_rolecall/findings,
 * signed as an account root) and prints them, each with the resource, why it matters and the AWS CLI command that
 * fixes it. The exit code says whether any finding reaches --fail-on (default ERROR).
 */
import type { DoctorFinding } from '../doctor/index.ts';
import { SEVERITIES, severityRank, type Severity } from '../lint/index.ts';
import type { FindingsReport } from '../server/findings.ts';
import { credentialsFrom, queryString, signedAdminGet } from './admin-client.ts';
import { parseArgs, UsageError } from './args.ts';

export const DOCTOR_HELP = `usage: rolecall doctor [options]

Checks the live state of a running rolecall — every account, or one — for the classic mistakes: roles that
trust EC2 but are in no instance profile, profiles without a role, instances whose workloads asked for
credentials without a profile, IMDSv1 left on, untagged roles and profiles, over-permissive roles and trust
policies, unused roles, old and unused access keys. docs/LINT.md lists the checks.

  --account ID            only this account
  --require-tag KEY       a tag key every role and instance profile must have (repeatable;
                          default: at least one tag)
  --unused-days N         roles and access keys unused this long are reported (default 90)
  --key-max-age-days N    active access keys older than this are reported (default 90)
  --format FORMAT         text (default) or json
  --fail-on LEVEL         exit 1 when a finding is at least ERROR (default), SECURITY_WARNING, WARNING or
                          SUGGESTION; 'none' never fails
  --endpoint URL          rolecall's endpoint (default: $ROLECALL_ENDPOINT, else http://127.0.0.1:4566)
  --help                  show this help

The request is signed with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (an account root's), else test/test.
Exit codes: 0 no finding at the --fail-on level, 1 some, 2 bad usage or rolecall unreachable.`;

export interface DoctorIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const defaultIo: DoctorIo = {
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

function textReport(report: FindingsReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(
      `${f.severity} ${f.code}  ${f.resource.type} ${f.resource.name} (account ${f.account})`,
      `  ${f.message}`,
      `  why: ${f.why}`,
      `  fix: ${f.fix}`,
    );
  }
  const counts = SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  const where =
    report.accounts.length === 1 ? `account ${report.accounts[0] ?? ''}` : `${report.accounts.length} account(s)`;
  lines.push(counts.length === 0 ? `${where}: no findings` : `${where}: ${counts.join(', ')}`);
  return lines.join('\n');
}

const wholeDays = (flag: string, v: string | undefined): string | undefined => {
  if (v !== undefined && !/^\d{1,5}$/.test(v)) throw new UsageError(`${flag} must be a whole number of days`);
  return v;
};

export async function runDoctor(args: readonly string[], io: DoctorIo = defaultIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(DOCTOR_HELP);
    return 0;
  }
  let query: string;
  let endpoint: string;
  let format: string;
  let failOn: Severity | 'none';
  try {
    const parsed = parseArgs(args, {
      account: 'value',
      'require-tag': 'repeat',
      'unused-days': 'value',
      'key-max-age-days': 'value',
      format: 'value',
      'fail-on': 'value',
      endpoint: 'value',
    });
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument '${parsed.positionals[0] ?? ''}'`);
    const account = parsed.values.get('account');
    if (account !== undefined && !/^\d{12}$/.test(account))
      throw new UsageError('--account must be a 12-digit account id');
    const unused = wholeDays('--unused-days', parsed.values.get('unused-days'));
    const keyAge = wholeDays('--key-max-age-days', parsed.values.get('key-max-age-days'));
    format = parsed.values.get('format') ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
    const level = (parsed.values.get('fail-on') ?? 'ERROR').toUpperCase();
    if (level !== 'NONE' && !SEVERITIES.includes(level as Severity)) {
      throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')} or none`);
    }
    failOn = level === 'NONE' ? 'none' : (level as Severity);
    endpoint = (parsed.values.get('endpoint') ?? io.env['ROLECALL_ENDPOINT'] ?? 'http://127.0.0.1:4566').replace(
      /\/+$/,
      '',
    );
    query = queryString([
      ...(account !== undefined ? [['account', account] as const] : []),
      ...(parsed.repeated.get('require-tag') ?? []).map((t) => ['requireTag', t] as const),
      ...(unused !== undefined ? [['unusedDays', unused] as const] : []),
      ...(keyAge !== undefined ? [['keyMaxAgeDays', keyAge] as const] : []),
    ]);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`rolecall doctor: ${err.message} (see rolecall doctor --help)`);
    return 2;
  }

  let res: Response;
  try {
    res = await signedAdminGet(
      endpoint,
      '/_rolecall/findings',
      query,
      credentialsFrom(io.env),
      io.env['AWS_REGION'] ?? 'us-east-1',
    );
  } catch {
    io.err(
      `rolecall doctor: cannot reach rolecall at ${endpoint} (start it with \`rolecall serve\`, or pass --endpoint)`,
    );
    return 2;
  }
  const body = await res.text();
  if (res.status !== 200) {
    let message = body;
    try {
      message = (JSON.parse(body) as { error?: string }).error ?? body;
    } catch {
      // not JSON: print it as it came
    }
    io.err(`rolecall doctor: rolecall at ${endpoint} answered ${res.status}: ${message}`);
    return 2;
  }
  const report = JSON.parse(body) as FindingsReport;
  io.out(format === 'json' ? JSON.stringify(report, null, 2) : textReport(report));
  if (failOn === 'none') return 0;
  const threshold = severityRank(failOn);
  return report.findings.some((f: DoctorFinding) => severityRank(f.severity) <= threshold) ? 1 : 0;
}

export const doctor = (args: readonly string[]): Promise<number> => runDoctor(args);
