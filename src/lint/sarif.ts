/**
 * Findings as SARIF 2.1.0, the format code-scanning tools read (OASIS SARIF v2.1.0; GitHub code scanning reads
 * `security-severity` from a rule's properties when the rule is tagged `security`). SARIF columns are 1-based,
 * Access Analyzer's 0-based: the conversion is here only.
 */
import { CHECKS, check } from './registry.ts';
import type { LintFinding, PathElement, Severity } from './types.ts';

export interface SarifInput {
  readonly file: string;
  readonly findings: readonly LintFinding[];
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  ERROR: 'error',
  SECURITY_WARNING: 'error',
  WARNING: 'warning',
  SUGGESTION: 'note',
};

/** `$.Statement[0].Action[1]`: a location's path as one string. */
export function jsonPath(path: readonly PathElement[]): string {
  return (
    '$' +
    path
      .map((p) =>
        'index' in p
          ? `[${p.index}]`
          : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p.value)
            ? `.${p.value}`
            : `[${JSON.stringify(p.value)}]`,
      )
      .join('')
  );
}

export function toSarif(files: readonly SarifInput[], version: string): unknown {
  const used = [...new Set(files.flatMap((f) => f.findings.map((x) => x.issueCode)))];
  const rules = CHECKS.filter((c) => used.includes(c.code)).map((c) => ({
    id: c.code,
    shortDescription: { text: c.what },
    fullDescription: { text: `${c.what}: ${c.why}.` },
    help: { text: `Fix: ${c.fix}.`, markdown: `**Why:** ${c.why}.\n\n**Fix:** ${c.fix}.` },
    helpUri: c.learnMoreLink,
    defaultConfiguration: { level: LEVEL[c.severity] },
    properties: {
      tags: c.severity === 'SECURITY_WARNING' ? ['security', 'iam'] : ['iam'],
      ...(c.severity === 'SECURITY_WARNING' && { 'security-severity': '7.5' }),
      origin: c.origin,
    },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = files.flatMap(({ file, findings }) =>
    findings.map((f) => ({
      ruleId: f.issueCode,
      ruleIndex: index.get(f.issueCode) ?? 0,
      level: LEVEL[check(f.issueCode).severity],
      message: { text: f.findingDetails },
      locations: f.locations.slice(0, 1).map((l) => ({
        physicalLocation: {
          artifactLocation: { uri: file },
          region: {
            startLine: l.span.start.line,
            startColumn: l.span.start.column + 1,
            endLine: l.span.end.line,
            endColumn: l.span.end.column + 1,
          },
        },
        logicalLocations: [{ fullyQualifiedName: jsonPath(l.path), kind: 'element' }],
      })),
      ...(f.locations.length > 1 && {
        relatedLocations: f.locations.slice(1).map((l, i) => ({
          id: i + 1,
          physicalLocation: {
            artifactLocation: { uri: file },
            region: {
              startLine: l.span.start.line,
              startColumn: l.span.start.column + 1,
              endLine: l.span.end.line,
              endColumn: l.span.end.column + 1,
            },
          },
        })),
      }),
      properties: {
        findingType: f.findingType,
        ...(f.statementIndex !== undefined && { statementIndex: f.statementIndex }),
      },
    })),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'rolecall-lint',
            version,
            rules,
          },
        },
        results,
      },
    ],
  };
}
