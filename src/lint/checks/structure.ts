/**
 * The grammar of a policy document, element by element (IAM User Guide, "Grammar of the IAM JSON policy
 * language"), with Access Analyzer's codes and wording where it has them, and IAM's own verdict: the message
 * IAM's MalformedPolicyDocument would carry, from the staged validator in src/policy/validate.ts.
 */
import { member, type JsonNode, type JsonObject } from '../json.ts';
import { location, type PolicyStatement } from '../document.ts';
import { isIdentityLike, needsPrincipal, type LintContext } from '../context.ts';
import type { PathElement } from '../types.ts';
import { policySize, validatePolicy, type PolicyType } from '../../policy/validate.ts';

const TOP_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_KEYS = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
const VERSIONS = ['2012-10-17', '2008-10-17'];

/** IAM's quotas: managed policies 6,144 characters without whitespace (IAM User Guide, "IAM and AWS STS quotas"). */
const IDENTITY_POLICY_QUOTA = 6144;
/** Organizations: an SCP is at most 5,120 characters (Organizations User Guide, "Quotas for AWS Organizations"). */
const SCP_QUOTA = 5120;

const TYPE_NAMES: Record<JsonNode['kind'], string> = {
  object: 'Object',
  array: 'Array',
  string: 'String',
  number: 'Number',
  boolean: 'Boolean',
  null: 'Null',
};

function mismatch(ctx: LintContext, path: PathElement[], node: JsonNode, expected: string, s?: PolicyStatement) {
  ctx.report(
    'DATA_TYPE_MISMATCH',
    `The text does not match the expected JSON data type ${expected}; it is ${TYPE_NAMES[node.kind]}.`,
    [location(path, node)],
    s,
  );
}

function unknownElements(
  ctx: LintContext,
  object: JsonObject,
  known: Set<string>,
  base: PathElement[],
  s?: PolicyStatement,
) {
  for (const e of object.entries) {
    if (!known.has(e.key)) {
      ctx.report(
        'INVALID_POLICY_ELEMENT',
        `The policy element ${e.key} is not valid.`,
        [{ path: [...base, { value: e.key }], span: e.keySpan }],
        s,
      );
    }
  }
}

/** String or list of strings, as Action, Resource and their Not forms must be. */
function stringList(ctx: LintContext, s: PolicyStatement, key: string, emptyCode: string): void {
  const obj = s.object;
  const entry = obj && member(obj, key);
  if (!entry) return;
  const path = [...s.path, { value: key }];
  const node = entry.value;
  if (node.kind === 'string') return;
  if (node.kind !== 'array') return mismatch(ctx, path, node, 'String or Array', s);
  if (node.items.length === 0) {
    const what = key.replace('Not', '').toLowerCase();
    ctx.report(
      emptyCode,
      `This statement includes no ${what}s and does not affect the policy. Specify ${what}s.`,
      [location(path, node)],
      s,
    );
  }
  node.items.forEach((item, i) => {
    if (item.kind !== 'string') mismatch(ctx, [...path, { index: i }], item, 'String', s);
  });
}

function pair(ctx: LintContext, s: PolicyStatement, a: string, b: string): void {
  const obj = s.object;
  if (!obj) return;
  const second = member(obj, b);
  if (member(obj, a) && second) {
    ctx.report(
      'UNSUPPORTED_ELEMENT_COMBINATION',
      `The policy elements ${a} and ${b} can not be used in the same statement. Remove one of these elements.`,
      [{ path: [...s.path, { value: b }], span: second.keySpan }],
      s,
    );
  }
}

function principalShape(ctx: LintContext, s: PolicyStatement, key: 'Principal' | 'NotPrincipal'): void {
  const node = key === 'Principal' ? s.principal : s.notPrincipal;
  if (!node) return;
  const path = [...s.path, { value: key }];
  if (node.kind === 'string') {
    if (node.value !== '*') mismatch(ctx, path, node, 'Object (or "*")', s);
    return;
  }
  if (node.kind !== 'object') return mismatch(ctx, path, node, 'Object', s);
  if (node.entries.length === 0) {
    ctx.report(
      'EMPTY_OBJECT_PRINCIPAL',
      'This statement includes no principals and does not affect the policy. Specify principals.',
      [location(path, node)],
      s,
    );
  }
  unknownElements(ctx, node, PRINCIPAL_KEYS, path, s);
  for (const e of node.entries) {
    const p = [...path, { value: e.key }];
    if (e.value.kind === 'array') {
      if (e.value.items.length === 0) {
        ctx.report(
          'EMPTY_ARRAY_PRINCIPAL',
          'This statement includes no principals and does not affect the policy. Specify principals.',
          [location(p, e.value)],
          s,
        );
      }
      e.value.items.forEach((item, i) => {
        if (item.kind !== 'string') mismatch(ctx, [...p, { index: i }], item, 'String', s);
      });
    } else if (e.value.kind !== 'string') {
      mismatch(ctx, p, e.value, 'String or Array', s);
    }
  }
}

function conditionShape(ctx: LintContext, s: PolicyStatement): void {
  const entry = s.object && member(s.object, 'Condition');
  if (!entry) return;
  const path = [...s.path, { value: 'Condition' }];
  const node = entry.value;
  if (node.kind !== 'object') return mismatch(ctx, path, node, 'Object', s);
  const empty = 'This condition block is empty and it does not affect the policy. Specify conditions.';
  if (node.entries.length === 0) ctx.report('EMPTY_OBJECT_CONDITION', empty, [location(path, node)], s);
  for (const op of node.entries) {
    const p = [...path, { value: op.key }];
    if (op.value.kind !== 'object') {
      mismatch(ctx, p, op.value, 'Object', s);
      continue;
    }
    if (op.value.entries.length === 0) ctx.report('EMPTY_OBJECT_CONDITION', empty, [location(p, op.value)], s);
    for (const k of op.value.entries) {
      const kp = [...p, { value: k.key }];
      const v = k.value;
      if (v.kind === 'object' || v.kind === 'null') mismatch(ctx, kp, v, 'String or Array', s);
      if (v.kind === 'array') {
        v.items.forEach((item, i) => {
          if (item.kind === 'object' || item.kind === 'array' || item.kind === 'null') {
            mismatch(ctx, [...kp, { index: i }], item, 'String', s);
          }
        });
      }
    }
  }
}

function statement(ctx: LintContext, s: PolicyStatement): void {
  const obj = s.object;
  if (!obj) return mismatch(ctx, [...s.path], s.node, 'Object', s);
  unknownElements(ctx, obj, STATEMENT_KEYS, [...s.path], s);

  const sid = member(obj, 'Sid');
  if (sid) {
    const path = [...s.path, { value: 'Sid' }];
    if (sid.value.kind !== 'string') mismatch(ctx, path, sid.value, 'String', s);
    else if (sid.value.value === '') {
      ctx.report(
        'EMPTY_SID_VALUE',
        'Add a value to the empty string in the Sid element.',
        [location(path, sid.value)],
        s,
      );
    } else if ((isIdentityLike(ctx.type) || ctx.type === 'trust') && !/^[0-9A-Za-z]*$/.test(sid.value.value)) {
      ctx.report(
        'UNSUPPORTED_SID',
        'Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]',
        [location(path, sid.value)],
        s,
      );
    }
  }

  const effect = member(obj, 'Effect');
  const effectPath = [...s.path, { value: 'Effect' }];
  if (!effect) {
    ctx.report(
      'MISSING_EFFECT',
      'Add an Effect element to the policy statement with a value of Allow or Deny.',
      [location([...s.path], obj)],
      s,
    );
  } else if (effect.value.kind !== 'string') {
    mismatch(ctx, effectPath, effect.value, 'String', s);
  } else if (effect.value.value !== 'Allow' && effect.value.value !== 'Deny') {
    ctx.report(
      'INVALID_EFFECT',
      `The effect ${effect.value.value} is not valid. Use Allow or Deny.`,
      [location(effectPath, effect.value)],
      s,
    );
  }

  pair(ctx, s, 'Action', 'NotAction');
  pair(ctx, s, 'Resource', 'NotResource');
  pair(ctx, s, 'Principal', 'NotPrincipal');
  if (!member(obj, 'Action') && !member(obj, 'NotAction')) {
    ctx.report(
      'MISSING_ACTION',
      'Add an Action or NotAction element to the policy statement.',
      [location([...s.path], obj)],
      s,
    );
  }
  stringList(ctx, s, 'Action', 'EMPTY_ARRAY_ACTION');
  stringList(ctx, s, 'NotAction', 'EMPTY_ARRAY_ACTION');
  const resourceless = ctx.type === 'trust';
  if (!resourceless && !member(obj, 'Resource') && !member(obj, 'NotResource')) {
    ctx.report(
      'MISSING_RESOURCE',
      'Add a Resource or NotResource element to the policy statement.',
      [location([...s.path], obj)],
      s,
    );
  }
  stringList(ctx, s, 'Resource', 'EMPTY_ARRAY_RESOURCE');
  stringList(ctx, s, 'NotResource', 'EMPTY_ARRAY_RESOURCE');

  const principal = member(obj, 'Principal') ?? member(obj, 'NotPrincipal');
  if (principal) {
    const span = principal.keySpan;
    const path = [...s.path, { value: principal.key }];
    if (isIdentityLike(ctx.type)) {
      ctx.report(
        'UNSUPPORTED_PRINCIPAL',
        'The policy type IDENTITY_POLICY does not support the Principal element. Remove the Principal element.',
        [{ path, span }],
        s,
      );
    } else if (ctx.type === 'scp') {
      ctx.report(
        'SCP_SYNTAX_ERROR_PRINCIPAL',
        'SCPs do not support specifying principals. Remove the Principal or NotPrincipal element.',
        [{ path, span }],
        s,
      );
    }
  } else if (needsPrincipal(ctx.type)) {
    ctx.report(
      'MISSING_PRINCIPAL',
      'Add a Principal element to the policy statement.',
      [location([...s.path], obj)],
      s,
    );
  }
  principalShape(ctx, s, 'Principal');
  principalShape(ctx, s, 'NotPrincipal');
  conditionShape(ctx, s);
}

const IAM_TYPES: Partial<Record<LintContext['type'], PolicyType>> = {
  identity: 'identity',
  session: 'session',
  trust: 'trust',
};

/** IAM's verdict on the document: only for the kinds IAM itself stores (identity, session, trust policies). */
export function iamVerdict(ctx: LintContext): void {
  const iamType = IAM_TYPES[ctx.type];
  if (iamType === undefined) return;
  const message = validatePolicy(ctx.doc.text, iamType);
  if (message !== undefined) {
    ctx.report('MALFORMED_POLICY_DOCUMENT', `IAM refuses this policy: ${message}`, [location([], ctx.doc.root)]);
  }
}

export function structureChecks(ctx: LintContext): void {
  const root = ctx.doc.root;
  if (root.kind !== 'object') return mismatch(ctx, [], root, 'Object');
  unknownElements(ctx, root, TOP_KEYS, []);

  const version = member(root, 'Version');
  if (!version) {
    ctx.report(
      'MISSING_VERSION',
      'We recommend that you specify the Version element to help you with debugging permission issues.',
      [location([], root)],
    );
  } else if (version.value.kind !== 'string') {
    mismatch(ctx, [{ value: 'Version' }], version.value, 'String');
  } else if (!VERSIONS.includes(version.value.value)) {
    ctx.report(
      'INVALID_VERSION',
      `The version ${version.value.value} is not valid. Use one of the following versions: ${VERSIONS.join(', ')}`,
      [location([{ value: 'Version' }], version.value)],
    );
  }
  const id = member(root, 'Id');
  if (id && id.value.kind !== 'string') mismatch(ctx, [{ value: 'Id' }], id.value, 'String');

  const raw = member(root, 'Statement');
  if (!raw || (raw.value.kind === 'array' && raw.value.items.length === 0)) {
    ctx.report('MISSING_STATEMENT', 'Add a statement to the policy', [
      location(raw ? [{ value: 'Statement' }] : [], raw?.value ?? root),
    ]);
  } else if (raw.value.kind !== 'array' && raw.value.kind !== 'object') {
    mismatch(ctx, [{ value: 'Statement' }], raw.value, 'Array or Object');
  }
  for (const s of ctx.doc.statements) statement(ctx, s);

  const seen = new Set<string>();
  for (const s of ctx.doc.statements) {
    if (s.sid === undefined || s.sid === '' || !s.object) continue;
    if (seen.has(s.sid)) {
      const node = member(s.object, 'Sid')?.value ?? s.node;
      const required = ctx.type !== 'resource';
      ctx.report(
        required ? 'UNIQUE_SIDS_REQUIRED' : 'UNIQUE_SIDS_RECOMMENDED',
        required
          ? 'Duplicate statement IDs are not supported for this policy type. Update the Sid value.'
          : 'We recommend that you use statement IDs that are unique to your policy. Update the Sid value.',
        [location([...s.path, { value: 'Sid' }], node)],
        s,
      );
    }
    seen.add(s.sid);
  }

  if (ctx.type === 'identity' && policySize(ctx.doc.text) > IDENTITY_POLICY_QUOTA) {
    ctx.report(
      'POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA',
      `The characters in the identity policy, excluding whitespace, exceed the character maximum for inline and managed policies (${IDENTITY_POLICY_QUOTA}). We recommend that you use multiple granular policies.`,
      [location([], root)],
    );
  }
  if (ctx.type === 'scp' && ctx.doc.text.length > SCP_QUOTA) {
    ctx.report(
      'POLICY_SIZE_EXCEEDS_SCP_QUOTA',
      `The characters in the service control policy (SCP) exceed the character maximum for SCPs (${SCP_QUOTA}). We recommend that you use multiple granular policies.`,
      [location([], root)],
    );
  }
}
