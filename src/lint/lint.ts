/**
 * `lintPolicy`: every check over one policy document, findings in document order. Pure: the catalogue is handed
 * in, loaded beforehand for the services `policyServices` names (state/service-reference.ts does the loading).
 */
import { parseJson, member } from './json.ts';
import { readDocument, type PolicyStatement } from './document.ts';
import { createContext } from './context.ts';
import { check } from './registry.ts';
import type { IamCatalogue } from './catalogue.ts';
import { severityRank, type LintFinding, type LintPolicyType } from './types.ts';
import { iamVerdict, structureChecks } from './checks/structure.ts';
import { actionChecks } from './checks/actions.ts';
import { resourceChecks } from './checks/resources.ts';
import { conditionChecks } from './checks/conditions.ts';
import { principalChecks } from './checks/principals.ts';
import { permissionChecks } from './checks/permissions.ts';
import { statementChecks } from './checks/statements.ts';
import { SENSITIVE_SERVICES } from './sensitive-actions.ts';
import { wildcardMatch } from '../policy/wildcard.ts';

export interface LintOptions {
  readonly catalogue: IamCatalogue;
  /** Guessed from the document when absent (guessPolicyType). */
  readonly type?: LintPolicyType;
  /** The policy's own account: trust in other accounts is judged against it (every account is "other" when absent). */
  readonly account?: string;
}

export interface LintResult {
  readonly type: LintPolicyType;
  readonly findings: readonly LintFinding[];
}

/** Actions a role trust policy may name (IAM User Guide, "Role trust policies"). */
const TRUST_ACTIONS = [
  'sts:assumerole',
  'sts:assumerolewithsaml',
  'sts:assumerolewithwebidentity',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext',
];

/**
 * The kind of a document from its shape: statements naming principals are a trust policy when they only allow
 * assuming a role and name no resource, else a resource policy; otherwise an identity policy. Service control
 * and resource control policies look like identity and resource policies: say so with --type.
 */
export function guessPolicyType(text: string): LintPolicyType {
  const parsed = parseJson(text);
  if (!parsed.ok) return 'identity';
  const doc = readDocument(text, parsed.node);
  const withPrincipal = doc.statements.filter((s) => s.principal || s.notPrincipal);
  if (withPrincipal.length === 0) return 'identity';
  const trust = doc.statements.every(
    (s) =>
      !s.resource &&
      !s.notResource &&
      (s.action?.items ?? []).length > 0 &&
      (s.action?.items ?? []).every((a) => TRUST_ACTIONS.some((t) => wildcardMatch(a.value.toLowerCase(), t))),
  );
  return trust ? 'trust' : 'resource';
}

/**
 * The service prefixes (or vendor patterns such as `s3*`) whose catalogue entries the checks will read for this
 * document: those its actions, resource ARNs and condition keys name, and those of the sensitive-action lists.
 */
export function policyServices(text: string): string[] {
  const out = new Set<string>(['iam', 'sts', ...SENSITIVE_SERVICES]);
  const parsed = parseJson(text);
  if (!parsed.ok) return [...out];
  for (const s of readDocument(text, parsed.node).statements) {
    for (const list of [s.action, s.notAction]) {
      for (const item of list?.items ?? []) {
        const colon = item.value.indexOf(':');
        if (colon > 0) out.add(item.value.slice(0, colon).toLowerCase());
      }
    }
    for (const list of [s.resource, s.notResource]) {
      for (const item of list?.items ?? []) {
        const service = item.value.split(':')[2];
        if (item.value.startsWith('arn:') && service) out.add(service.toLowerCase());
      }
    }
    for (const t of s.conditions) {
      const prefix = t.key.slice(0, Math.max(0, t.key.indexOf(':'))).toLowerCase();
      if (prefix !== '' && prefix !== 'aws' && !/[./]/.test(prefix)) out.add(prefix);
    }
  }
  return [...out];
}

/** The statements of a document, for checks that span several documents; empty when it is not JSON. */
export function policyStatements(text: string): readonly PolicyStatement[] {
  const parsed = parseJson(text);
  return parsed.ok ? readDocument(text, parsed.node).statements : [];
}

const firstOffset = (f: LintFinding): number => f.locations[0]?.span.start.offset ?? -1;

export function lintPolicy(text: string, options: LintOptions): LintResult {
  const type = options.type ?? guessPolicyType(text);
  const findings: LintFinding[] = [];
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const at = parsed.at;
    const info = check('JSON_SYNTAX_ERROR');
    findings.push({
      findingType: info.severity,
      issueCode: info.code,
      findingDetails: `Fix the JSON syntax error at index ${at.offset} line ${at.line} column ${at.column}: ${parsed.message}.`,
      learnMoreLink: info.learnMoreLink,
      locations: [{ path: [], span: { start: at, end: at } }],
      origin: info.origin,
    });
    const doc = { text, root: { kind: 'null' as const, span: { start: at, end: at } }, statements: [] };
    iamVerdict(createContext(doc, type, options.catalogue, options.account, findings));
    return { type, findings };
  }
  const doc = readDocument(text, parsed.node);
  const ctx = createContext(doc, type, options.catalogue, options.account, findings);
  structureChecks(ctx);
  iamVerdict(ctx);
  // The remaining checks read elements the grammar checks have vouched for: a document that is not an object of
  // statements gets nothing more.
  if (parsed.node.kind === 'object' && member(parsed.node, 'Statement')) {
    actionChecks(ctx);
    resourceChecks(ctx);
    conditionChecks(ctx);
    principalChecks(ctx);
    permissionChecks(ctx);
    statementChecks(ctx);
  }
  const ordered = findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        firstOffset(a.f) - firstOffset(b.f) ||
        severityRank(a.f.findingType) - severityRank(b.f.findingType) ||
        a.i - b.i,
    )
    .map(({ f }) => f);
  return { type, findings: ordered };
}
