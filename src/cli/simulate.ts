/**
 * `rolecall simulate`: evaluates requests against policies offline with rolecall's engine. Reads one JSON
 * document (a file or stdin), or JSON lines with --batch, each:
 *   {"request": {"principal": ARN, "action": "svc:Action", "resource": ARN or "*", "resourceAccount"?: "…",
 *    "context"?: {"key": value or [values]}}, "identityPolicies"?: [doc…], "resourcePolicy"?: doc,
 *    "trustPolicy"?: doc, "permissionsBoundaries"?: [doc…], "sessionPolicies"?: [doc…],
 *    "scps"?: [[doc…] per level], "rcps"?: [[doc…] per level]}
 * and prints one JSON result per input; --explain prints the explanation for people instead. A malformed line
 * gives an error object for that line and the batch goes on. Unknown fields are refused, never ignored.
 */
import { readFileSync } from 'node:fs';
import {
  compilePolicy,
  evaluate,
  principalFromArn,
  type CompiledPolicy,
  type ContextValue,
  type Decision,
} from '../policy/index.ts';

export const SIMULATE_HELP = `usage: rolecall simulate [FILE] [--batch] [--explain]

Evaluates IAM requests against policies with rolecall's engine, offline. Reads FILE or standard input:
one JSON document, or one per line with --batch. Prints one JSON result per input, or with --explain
the decision in plain words. See docs/SIMULATE.md for the input format.`;

class InputError extends Error {}

const TOP_FIELDS = new Set([
  'request',
  'identityPolicies',
  'resourcePolicy',
  'trustPolicy',
  'permissionsBoundaries',
  'sessionPolicies',
  'scps',
  'rcps',
]);
const REQUEST_FIELDS = new Set(['principal', 'action', 'resource', 'resourceAccount', 'context']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function refuseUnknown(value: Record<string, unknown>, known: Set<string>, where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new InputError(`unknown field '${key}' in ${where} (known: ${[...known].join(', ')})`);
  }
}

function policy(doc: unknown, id: string): CompiledPolicy {
  if (typeof doc !== 'string' && !isObject(doc))
    throw new InputError(`${id} must be a policy document (object or string)`);
  return compilePolicy({ id, document: typeof doc === 'string' ? doc : JSON.stringify(doc) });
}

function policies(list: unknown, name: string): CompiledPolicy[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new InputError(`${name} must be a list of policy documents`);
  return list.map((doc, i) => policy(doc, `${name}[${i}]`));
}

function levels(list: unknown, name: string): CompiledPolicy[][] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new InputError(`${name} must be a list of levels, each a list of policies`);
  return list.map((level, i) => policies(level, `${name}[${i}]`));
}

function context(raw: unknown): Record<string, ContextValue> {
  if (raw === undefined) return {};
  if (!isObject(raw)) throw new InputError('request.context must be an object');
  const out: Record<string, ContextValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    if (!(scalar(value) || (Array.isArray(value) && value.every(scalar)))) {
      throw new InputError(`context key '${key}' must be a string, number, boolean or a list of them`);
    }
    out[key] = value as ContextValue;
  }
  return out;
}

/** Evaluates one parsed input document. */
export function simulateOne(input: unknown): Decision {
  if (!isObject(input)) throw new InputError('the input must be a JSON object');
  refuseUnknown(input, TOP_FIELDS, 'the input');
  const request = input['request'];
  if (!isObject(request)) throw new InputError("'request' is required and must be an object");
  refuseUnknown(request, REQUEST_FIELDS, 'request');
  const { principal: principalText, action, resource, resourceAccount } = request;
  if (typeof principalText !== 'string') throw new InputError('request.principal must be an ARN');
  const principal = principalFromArn(principalText);
  if (!principal)
    throw new InputError(`request.principal '${principalText}' is not a principal ARN, account id or service`);
  if (typeof action !== 'string' || !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action)) {
    throw new InputError("request.action must be 'service:Action'");
  }
  if (typeof resource !== 'string' || resource === '') throw new InputError('request.resource must be an ARN or "*"');
  if (resourceAccount !== undefined && (typeof resourceAccount !== 'string' || !/^\d{12}$/.test(resourceAccount))) {
    throw new InputError('request.resourceAccount must be a 12-digit account id');
  }
  if (input['resourcePolicy'] !== undefined && input['trustPolicy'] !== undefined) {
    throw new InputError('give either resourcePolicy or trustPolicy, not both');
  }
  const resourceDoc = input['trustPolicy'] ?? input['resourcePolicy'];
  return evaluate(
    {
      principal,
      action,
      resource,
      ...(resourceAccount !== undefined && { resourceAccount }),
      context: context(request['context']),
    },
    {
      identity: policies(input['identityPolicies'], 'identityPolicies'),
      ...(resourceDoc !== undefined && {
        resource: policy(resourceDoc, input['trustPolicy'] !== undefined ? 'trustPolicy' : 'resourcePolicy'),
      }),
      resourceIsTrustPolicy: input['trustPolicy'] !== undefined,
      boundaries: policies(input['permissionsBoundaries'], 'permissionsBoundaries'),
      session: policies(input['sessionPolicies'], 'sessionPolicies'),
      scps: levels(input['scps'], 'scps'),
      rcps: levels(input['rcps'], 'rcps'),
    },
  );
}

/** One input text (a document, or a line of a batch) to its printed result. */
export function simulateText(text: string, explainMode: boolean): { output: string; ok: boolean } {
  try {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new InputError(`not JSON: ${(err as Error).message}`);
    }
    const decision = simulateOne(parsed);
    return {
      output: explainMode ? `${decision.decision}\n${decision.explanation}` : JSON.stringify(decision),
      ok: true,
    };
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { output: explainMode ? `error: ${err.message}` : JSON.stringify({ error: err.message }), ok: false };
  }
}

export async function simulate(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(SIMULATE_HELP);
    return 0;
  }
  const files = args.filter((a) => !a.startsWith('--'));
  const flags = args.filter((a) => a.startsWith('--'));
  for (const flag of flags) {
    if (flag !== '--batch' && flag !== '--explain') {
      console.error(`rolecall simulate: unknown option '${flag}' (see rolecall simulate --help)`);
      return 2;
    }
  }
  if (files.length > 1) {
    console.error('rolecall simulate: give at most one input file');
    return 2;
  }
  let text: string;
  try {
    text = files[0] === undefined || files[0] === '-' ? readFileSync(0, 'utf8') : readFileSync(files[0], 'utf8');
  } catch (err) {
    console.error(
      `rolecall simulate: cannot read ${files[0] ?? 'standard input'}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
    return 1;
  }
  const explainMode = flags.includes('--explain');
  const inputs = flags.includes('--batch') ? text.split('\n').filter((l) => l.trim() !== '') : [text];
  let failed = false;
  for (const input of inputs) {
    const { output, ok } = simulateText(input, explainMode);
    console.log(output);
    if (!ok) failed = true;
  }
  return failed ? 1 : 0;
}
