/** `rolecall explain`'s text output: the report as a person reads it, the statements that matter first. */
import type { ConditionTrace, PolicyTrace, StatementTrace } from '../policy/index.ts';
import { POLICY_KIND_WORDS } from '../policy/index.ts';
import type { CheckExplanation, ExplainReport } from './explain-types.ts';

const list = (values: readonly string[]): string => values.join(', ');

function conditionLine(c: ConditionTrace): string {
  const saw = c.requestValues === undefined ? 'absent' : JSON.stringify(c.requestValues);
  return `${c.result ? 'ok  ' : 'FAIL'} ${c.operator} ${c.key}: policy ${JSON.stringify(c.policyValues)}, request ${saw}`;
}

function statementLines(s: StatementTrace): string[] {
  const head = `statement ${s.index + 1}${s.sid !== undefined ? ` (Sid "${s.sid}")` : ''} ${s.effect}: ${
    s.applies ? (s.error !== undefined ? 'matches, but cannot be evaluated' : 'MATCHES') : 'does not match'
  }`;
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');
  const lines = [head];
  lines.push(
    `    ${mark(s.action.matched)} ${s.action.negated ? 'NotAction' : 'Action'} ${list(s.action.values)}${
      s.action.hits.length > 0 ? ` (matched by ${list(s.action.hits)})` : ''
    }`,
  );
  if (s.resource) {
    lines.push(
      `    ${mark(s.resource.matched)} ${s.resource.negated ? 'NotResource' : 'Resource'} ${list(s.resource.values)}${
        s.resource.hits.length > 0 ? ` (matched by ${list(s.resource.hits)})` : ''
      }`,
    );
  }
  if (s.principal) {
    lines.push(
      `    ${mark(s.principal.matched)} ${s.principal.negated ? 'NotPrincipal' : 'Principal'} ${list(s.principal.values) || '(none)'}`,
    );
  }
  for (const c of s.conditions) lines.push(`    ${conditionLine(c)}`);
  if (s.error !== undefined) lines.push(`    cannot be evaluated: ${s.error}`);
  return lines;
}

function policyLines(p: PolicyTrace): string[] {
  const lines = [
    `  ${POLICY_KIND_WORDS[p.kind]}${p.level !== undefined ? ` (level ${p.level})` : ''} ${p.policyId}${p.error !== undefined ? `: cannot be read (${p.error})` : ''}`,
  ];
  for (const s of p.statements) lines.push(...statementLines(s).map((l) => `    ${l}`));
  return lines;
}

function checkLines(c: CheckExplanation): string[] {
  const lines = [`${c.action} on ${c.resource}`];
  const recorded = `${c.recorded.decision}${c.recorded.blockedBy !== undefined ? ` (no ${POLICY_KIND_WORDS[c.recorded.blockedBy]} allowed it)` : ''}`;
  lines.push(`  when it ran: ${recorded}`);
  if (c.now) {
    lines.push(`  now:         ${c.now.decision}${c.changed ? '  ← the policies changed since the request' : ''}`);
    lines.push(...c.now.explanation.split('\n').map((l) => `  ${l}`));
  }
  const keys = Object.entries(c.context);
  if (keys.length > 0) {
    lines.push('  request context:');
    for (const [k, v] of keys) lines.push(`    ${k} = ${JSON.stringify(v)}`);
  }
  if (c.policies.length > 0) {
    lines.push('  policies evaluated:');
    for (const p of c.policies) lines.push(...policyLines(p));
  } else if (c.now) {
    lines.push('  policies evaluated: none (the caller has no policies)');
  }
  if (c.nearMisses.length > 0) {
    lines.push('  nearest allows:');
    for (const m of c.nearMisses) {
      lines.push(
        `    statement ${m.index + 1}${m.sid !== undefined ? ` (Sid "${m.sid}")` : ''} of ${m.policyId}: ${m.reasons.join('; ')}`,
      );
    }
  }
  if (c.fixes.length > 0) {
    lines.push('  what would allow it:');
    for (const f of c.fixes) {
      lines.push(`    - ${f.summary}`);
      if (f.statement) lines.push(`      statement: ${JSON.stringify(f.statement)}`);
      if (f.command !== undefined) lines.push(`      command:   ${f.command}`);
    }
  }
  return lines;
}

export function explainText(report: ExplainReport): string {
  const lines = [
    `request ${report.requestId}: ${report.eventSource.replace(/\.amazonaws\.com$/, '')}:${report.eventName} at ${report.eventTime} in ${report.awsRegion}`,
    `caller: ${report.principal.arn ?? report.principal.type}${report.principal.roleArn !== undefined ? ` (a session of ${report.principal.roleArn})` : ''}`,
    `decision: ${report.recordedDecision}${report.mode !== undefined && report.mode !== 'on' ? ` (enforcement ${report.mode})` : ''}${
      report.errorCode !== undefined
        ? `; the client saw ${report.errorCode}${report.errorMessage !== undefined ? `: ${report.errorMessage}` : ''}`
        : ''
    }`,
  ];
  for (const c of report.checks) lines.push('', ...checkLines(c));
  if (report.notes.length > 0) {
    lines.push('', 'notes:');
    for (const n of report.notes) lines.push(`  - ${n}`);
  }
  return lines.join('\n');
}
