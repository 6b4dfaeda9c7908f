/**
 * requestParameters and responseElements, as CloudTrail writes them: the members of the operation's input or
 * output shape, with lower-camel-case names (`roleName`, `assumeRolePolicyDocument`; CloudTrail User Guide,
 * "CloudTrail record contents"), and never a secret or a payload. Allowed by shape rather than denied by list:
 * only members the model declares are copied, and whole kinds of member are dropped by what they are —
 * every blob (object bodies, Lambda ZipFile and Invoke Payload), every streaming member, every member named like
 * a credential (SecretAccessKey, SessionToken, Password, PrivateKey, SSECustomerKey), user-defined S3 metadata,
 * EC2 user data and log event messages. A secret can therefore only reach a record inside a member the model
 * declares as an ordinary string and whose name does not say what it is.
 */
import type { MemberRef, ServiceModel } from '../protocol/model.ts';

/** Members whose name says they hold a credential or secret material. */
const SECRET_NAME = /secret|password|passphrase|sessiontoken|privatekey|customerkey$|^token$|tokencode|^authcode/i;

/**
 * Payload members that are strings in their models: EC2 user data (base64, often with secrets in it), CloudWatch
 * Logs event messages (whole log lines), S3's Body/Lambda's Payload when a model types them as strings, and
 * Lambda environment variables (where applications keep their secrets, under any name).
 */
const PAYLOAD_NAME = /^(userdata|logevents|message|body|payload|zipfile|variables)$/i;

/** CloudTrail's element names where they are not simply the member's name in lower camel case. */
const RENAMED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  s3: { Bucket: 'bucketName' },
};

const MAX_DEPTH = 12;

/** A member's element name: `RoleName` → `roleName`, `SSECustomerAlgorithm` → `sseCustomerAlgorithm`. */
export function elementName(member: string): string {
  // A run of capitals is an acronym: its last capital starts the next word (`SSEAlgorithm` → `sseAlgorithm`).
  const run = /^[A-Z]+(?=[A-Z][a-z]|$)/.exec(member)?.[0];
  if (run !== undefined && run.length > 1) return run.toLowerCase() + member.slice(run.length);
  return member.charAt(0).toLowerCase() + member.slice(1);
}

/** Whether a member is never recorded, whatever its value. */
export function droppedMember(model: ServiceModel, name: string, ref: MemberRef): boolean {
  if (ref.streaming || ref.location === 'headers') return true;
  if (SECRET_NAME.test(name) || PAYLOAD_NAME.test(name)) return true;
  const shape = model.shapes[ref.shape];
  return shape?.type === 'blob';
}

/**
 * A member's element name in records, or undefined when it is never recorded: worked out once per member of a
 * model (this runs for every member of every request's input).
 */
const elements = new WeakMap<MemberRef, string | null>();
function elementOf(model: ServiceModel, name: string, ref: MemberRef): string | undefined {
  let element = elements.get(ref);
  if (element === undefined) {
    element = droppedMember(model, name, ref) ? null : (RENAMED[model.service]?.[name] ?? elementName(name));
    elements.set(ref, element);
  }
  return element ?? undefined;
}

function copy(model: ServiceModel, shapeName: string, value: unknown, depth: number): unknown {
  if (value === undefined || value === null) return undefined;
  const shape = model.shapes[shapeName];
  if (!shape || depth > MAX_DEPTH) return undefined;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object') return undefined;
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const name in shape.members) {
        if (source[name] === undefined) continue;
        const ref = shape.members[name] as MemberRef;
        const element = elementOf(model, name, ref);
        if (element === undefined) continue;
        const v = copy(model, ref.shape, source[name], depth + 1);
        if (v !== undefined) out[element] = v;
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) return undefined;
      const member = shape.member;
      if (model.shapes[member.shape]?.type === 'blob') return undefined;
      return value.map((v) => copy(model, member.shape, v, depth + 1) ?? null);
    }
    case 'map': {
      if (typeof value !== 'object') return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (SECRET_NAME.test(k)) continue;
        const c = copy(model, shape.value.shape, v, depth + 1);
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    case 'blob':
      return undefined;
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : undefined;
    case 'string':
      return typeof value === 'string' ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    default:
      return typeof value === 'number' ? value : undefined;
  }
}

/** The recordable part of an operation's input or output; null when the shape declares nothing to record. */
export function redacted(
  model: ServiceModel,
  shapeName: string | undefined,
  value: unknown,
): Record<string, unknown> | null {
  if (shapeName === undefined) return null;
  const out = copy(model, shapeName, value, 0);
  return out !== undefined && typeof out === 'object' && Object.keys(out as object).length > 0
    ? (out as Record<string, unknown>)
    : null;
}
