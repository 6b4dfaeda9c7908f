/**
 * `rolecall lint FILE…`: checks policy documents (or standard input) and prints the findings as text, JSON or
 * SARIF. The exit code says whether any finding reaches --fail-on (default ERROR), for CI. docs/LINT.md lists
 * every check.
 */
import { readFileSync } from 'node:fs';
import {
  lintPolicy,
  policyServices,
  LINT_POLICY_TYPES,
  SEVERITIES,
  severityRank,
  type LintFinding,
  type LintPolicyType,
  type Severity,
} from '../lint/index.ts';
import { jsonPath, toSarif } from '../lint/sarif.ts';
import { ServiceReference } from '../state/service-reference.ts';
import { VERSION } from '../server/version.ts';
import { parseArgs, UsageError } from './args.ts';

export const LINT_HELP = `usage: rolecall lint [FILE…] [options]

Checks IAM policy documents for mistakes and risks (docs/LINT.md lists the checks). Reads each FILE, or
standard input when there is none or FILE is '-'.

  --type TYPE         identity, resource, trust, session, scp or rcp (guessed from each document when absent)
  --format FORMAT     text (default), json or sarif
  --fail-on LEVEL     exit 1 when a finding is at least ERROR (default), SECURITY_WARNING, WARNING or
                      SUGGESTION; 'none' never fails
  --account ID        the account the policies belong to: trust in any other account is cross-account
                      (without it, every account a trust policy names counts as another)
  --help              show this help

Exit codes: 0 no finding at the --fail-on level, 1 some, 2 bad usage or an unreadable file.`;

export interface LintIo {
  readonly readFile: (path: string) => string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const defaultIo: LintIo = {
  readFile: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

export interface LintedFile {
  readonly file: string;
  readonly type: LintPolicyType;
  readonly findings: readonly LintFinding[];
}

function textReport(files: readonly LintedFile[]): string {
  const lines: string[] = [];
  for (const { file, type, findings } of files) {
    for (const f of findings) {
      const at = f.locations[0]?.span.start;
      const where = at ? `${file}:${at.line}:${at.column + 1}` : file;
      const context = [
        ...(f.statementIndex !== undefined ? [`statement ${f.statementIndex}`] : []),
        ...(f.locations[0] ? [jsonPath(f.locations[0].path)] : []),
      ].join(', ');
      lines.push(
        `${where}: ${f.findingType} ${f.issueCode} (${context})`,
        `  ${f.findingDetails}`,
        `  see ${f.learnMoreLink}`,
      );
    }
    if (findings.length === 0) lines.push(`${file}: no findings (${type} policy)`);
  }
  const counts = SEVERITIES.map(
    (s) => [s, files.reduce((n, f) => n + f.findings.filter((x) => x.findingType === s).length, 0)] as const,
  )
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`);
  lines.push(
    '',
    counts.length === 0 ? `${files.length} file(s), no findings` : `${files.length} file(s): ${counts.join(', ')}`,
  );
  return lines.join('\n');
}

function jsonReport(files: readonly LintedFile[]): string {
  return JSON.stringify(
    {
      files: files.map(({ file, type, findings }) => ({
        file,
        type,
        findings: findings.map((f) => ({ ...f, ...(f.locations[0] && { jsonPath: jsonPath(f.locations[0].path) }) })),
      })),
    },
    null,
    2,
  );
}

/** Runs the command; returns its exit code. */
export async function runLint(args: readonly string[], io: LintIo = defaultIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(LINT_HELP);
    return 0;
  }
  let type: LintPolicyType | undefined;
  let format: string;
  let failOn: Severity | 'none';
  let account: string | undefined;
  let files: readonly string[];
  try {
    const parsed = parseArgs(args, { type: 'value', format: 'value', 'fail-on': 'value', account: 'value' });
    const t = parsed.values.get('type');
    if (t !== undefined && !LINT_POLICY_TYPES.includes(t as LintPolicyType)) {
      throw new UsageError(`--type must be one of ${LINT_POLICY_TYPES.join(', ')}`);
    }
    type = t as LintPolicyType | undefined;
    format = parsed.values.get('format') ?? 'text';
    if (!['text', 'json', 'sarif'].includes(format)) throw new UsageError('--format must be text, json or sarif');
    const level = (parsed.values.get('fail-on') ?? 'ERROR').toUpperCase();
    if (level !== 'NONE' && !SEVERITIES.includes(level as Severity)) {
      throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')} or none`);
    }
    failOn = level === 'NONE' ? 'none' : (level as Severity);
    account = parsed.values.get('account');
    if (account !== undefined && !/^\d{12}$/.test(account))
      throw new UsageError('--account must be a 12-digit account id');
    files = parsed.positionals.length > 0 ? parsed.positionals : ['-'];
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`rolecall lint: ${err.message} (see rolecall lint --help)`);
    return 2;
  }

  const texts: { file: string; text: string }[] = [];
  for (const file of files) {
    try {
      texts.push({ file: file === '-' ? '<stdin>' : file, text: io.readFile(file) });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      io.err(`rolecall lint: cannot read ${file === '-' ? 'standard input' : file}: ${e.code ?? e.message}`);
      return 2;
    }
  }
  const catalogue = await ServiceReference.open();
  const linted: LintedFile[] = [];
  for (const { file, text } of texts) {
    await catalogue.ensure(policyServices(text));
    const result = lintPolicy(text, {
      catalogue,
      ...(type !== undefined && { type }),
      ...(account !== undefined && { account }),
    });
    linted.push({ file, type: result.type, findings: result.findings });
  }
  if (format === 'json') io.out(jsonReport(linted));
  else if (format === 'sarif') io.out(JSON.stringify(toSarif(linted, VERSION), null, 2));
  else io.out(textReport(linted));
  if (failOn === 'none') return 0;
  const threshold = severityRank(failOn);
  return linted.some((f) => f.findings.some((x) => severityRank(x.findingType) <= threshold)) ? 1 : 0;
}

export const lint = (args: readonly string[]): Promise<number> => runLint(args);
