/**
 * Condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators"). Each operator tests one
 * request value against one policy value; the block rules around them live here too: several values of one key
 * are ORed, keys and operators are ANDed, `…IfExists` is true for a missing key, `ForAnyValue:` needs one
 * request value to match (false for a missing key), `ForAllValues:` needs every request value to match (true for
 * a missing key), negated operators are the negation of their positive form, and `Null` tests presence.
 */
import { compileArnPattern, matchArn, type ArnPattern } from './arn-match.ts';
import { inBlock, parseCidr, parseIp, type IpBlock } from './ip.ts';
import { compilePattern, matchPattern, resolveText, type Pattern, type VariableLookup } from './pattern.ts';

export type Family =
  'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

interface OperatorInfo {
  readonly family: Family;
  /** The Not* operators: true when the positive form is false. */
  readonly negated: boolean;
  /** For numeric and date comparisons. */
  readonly compare?: 'eq' | 'lt' | 'lte' | 'gt' | 'gte';
}

const OPERATORS: Readonly<Record<string, OperatorInfo>> = {
  stringequals: { family: 'string', negated: false },
  stringnotequals: { family: 'string', negated: true },
  stringequalsignorecase: { family: 'stringIgnoreCase', negated: false },
  stringnotequalsignorecase: { family: 'stringIgnoreCase', negated: true },
  stringlike: { family: 'stringLike', negated: false },
  stringnotlike: { family: 'stringLike', negated: true },
  numericequals: { family: 'numeric', negated: false, compare: 'eq' },
  numericnotequals: { family: 'numeric', negated: true, compare: 'eq' },
  numericlessthan: { family: 'numeric', negated: false, compare: 'lt' },
  numericlessthanequals: { family: 'numeric', negated: false, compare: 'lte' },
  numericgreaterthan: { family: 'numeric', negated: false, compare: 'gt' },
  numericgreaterthanequals: { family: 'numeric', negated: false, compare: 'gte' },
  dateequals: { family: 'date', negated: false, compare: 'eq' },
  datenotequals: { family: 'date', negated: true, compare: 'eq' },
  datelessthan: { family: 'date', negated: false, compare: 'lt' },
  datelessthanequals: { family: 'date', negated: false, compare: 'lte' },
  dategreaterthan: { family: 'date', negated: false, compare: 'gt' },
  dategreaterthanequals: { family: 'date', negated: false, compare: 'gte' },
  bool: { family: 'bool', negated: false },
  binaryequals: { family: 'binary', negated: false },
  ipaddress: { family: 'ip', negated: false },
  notipaddress: { family: 'ip', negated: true },
  arnequals: { family: 'arn', negated: false },
  arnlike: { family: 'arn', negated: false },
  arnnotequals: { family: 'arn', negated: true },
  arnnotlike: { family: 'arn', negated: true },
  null: { family: 'null', negated: false },
};

/** One policy value, parsed for its operator's family once at compile time. */
type PolicyValue =
  | { readonly family: 'string' | 'stringIgnoreCase' | 'stringLike'; readonly pattern: Pattern }
  | { readonly family: 'numeric' | 'date'; readonly number: number }
  | { readonly family: 'bool'; readonly bool: boolean }
  | { readonly family: 'binary'; readonly base64: string }
  | { readonly family: 'ip'; readonly block: IpBlock }
  | { readonly family: 'arn'; readonly arn: ArnPattern }
  | { readonly family: 'null'; readonly absent: boolean };

export interface CompiledCondition {
  readonly operator: string;
  readonly key: string;
  /** Lower-cased key, for lookups: condition key names are case-insensitive. */
  readonly lowerKey: string;
  readonly info: OperatorInfo;
  readonly set: 'any' | 'all' | undefined;
  readonly ifExists: boolean;
  readonly values: readonly PolicyValue[];
  /** The policy's values as written, for traces (`rolecall explain`); evaluation never reads them. */
  readonly sources: readonly string[];
}

export class ConditionError extends Error {}

/** Dates: ISO-8601 or epoch seconds (IAM User Guide, "Date condition operators"). */
export function parseDate(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const ms = Date.parse(trimmed.replace(/^(\d{4}-\d{2}-\d{2})t/, '$1T').replace(/z$/, 'Z'));
  return Number.isNaN(ms) ? undefined : ms;
}

function parseNumber(text: string): number | undefined {
  if (!/^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}

function parsePolicyValue(family: Family, raw: string, variables: boolean): PolicyValue {
  switch (family) {
    case 'string':
    case 'stringIgnoreCase':
    case 'stringLike':
      return { family, pattern: compilePattern(raw, variables) };
    case 'numeric': {
      const number = parseNumber(raw);
      if (number === undefined) throw new ConditionError(`'${raw}' is not a number`);
      return { family, number };
    }
    case 'date': {
      const number = parseDate(raw);
      if (number === undefined) throw new ConditionError(`'${raw}' is not a date`);
      return { family, number };
    }
    case 'bool': {
      const lower = raw.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw new ConditionError(`'${raw}' is not true or false`);
      return { family, bool: lower === 'true' };
    }
    case 'binary':
      return { family, base64: raw };
    case 'ip': {
      const block = parseCidr(raw);
      if (!block) throw new ConditionError(`'${raw}' is not an IP address or CIDR block`);
      return { family, block };
    }
    case 'arn':
      return { family, arn: compileArnPattern(raw, variables) };
    case 'null': {
      const lower = raw.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw new ConditionError(`'${raw}' is not true or false`);
      return { family, absent: lower === 'true' };
    }
  }
}

/** Compiles one `operator: { key: values }` pair; throws ConditionError for what it cannot evaluate. */
export function compileCondition(
  operator: string,
  key: string,
  raw: readonly unknown[],
  variables: boolean,
): CompiledCondition {
  const match = /^(ForAnyValue:|ForAllValues:)?(.+?)(IfExists)?$/.exec(operator);
  const name = (match?.[2] ?? operator).toLowerCase();
  // Own properties only: `constructor` or `__proto__` must not find Object.prototype's.
  const info = Object.hasOwn(OPERATORS, name) ? OPERATORS[name] : undefined;
  if (!info) throw new ConditionError(`unknown condition operator ${operator}`);
  if (info.family === 'null' && match?.[3]) throw new ConditionError('Null cannot be used with IfExists');
  const sources = raw.map((v) => {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ConditionError(`condition values must be strings, numbers or booleans`);
    }
    return String(v);
  });
  const values = sources.map((v) => parsePolicyValue(info.family, v, variables));
  const set = match?.[1] === 'ForAnyValue:' ? 'any' : match?.[1] === 'ForAllValues:' ? 'all' : undefined;
  return { operator, key, lowerKey: key.toLowerCase(), info, set, ifExists: Boolean(match?.[3]), values, sources };
}

function compare(kind: OperatorInfo['compare'], a: number, b: number): boolean {
  switch (kind) {
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    default:
      return a === b;
  }
}

/** The positive test of one request value against one policy value. */
function positive(info: OperatorInfo, value: PolicyValue, actual: string, lookup: VariableLookup): boolean {
  switch (value.family) {
    case 'string': {
      const expected = resolveText(value.pattern, lookup);
      return expected !== undefined && expected === actual;
    }
    case 'stringIgnoreCase': {
      const expected = resolveText(value.pattern, lookup);
      return expected !== undefined && expected.toLowerCase() === actual.toLowerCase();
    }
    case 'stringLike':
      return matchPattern(value.pattern, actual, lookup) === true;
    case 'numeric': {
      const n = parseNumber(actual);
      return n !== undefined && compare(info.compare, n, value.number);
    }
    case 'date': {
      const d = parseDate(actual);
      return d !== undefined && compare(info.compare, d, value.number);
    }
    case 'bool':
      return actual.toLowerCase() === String(value.bool);
    case 'binary':
      return actual === value.base64;
    case 'ip': {
      const address = parseIp(actual);
      return address !== undefined && inBlock(value.block, address);
    }
    case 'arn':
      return matchArn(value.arn, actual, lookup) === true;
    case 'null':
      return false;
  }
}

/** Whether one request value satisfies the operator: some policy value matches (none, for a negated one). */
function satisfies(condition: CompiledCondition, actual: string, lookup: VariableLookup): boolean {
  const any = condition.values.some((v) => positive(condition.info, v, actual, lookup));
  return condition.info.negated ? !any : any;
}

/**
 * Evaluates a condition against the request's values for its key (undefined when the key is absent).
 * `missing` is set when the key was absent and that decided the result.
 */
export function evaluateCondition(
  condition: CompiledCondition,
  actual: readonly string[] | undefined,
  lookup: VariableLookup,
): { result: boolean; missing: boolean } {
  const absent = actual === undefined || actual.length === 0;
  if (condition.info.family === 'null') {
    return { result: condition.values.some((v) => v.family === 'null' && v.absent === absent), missing: false };
  }
  if (absent) {
    if (condition.ifExists) return { result: true, missing: false };
    if (condition.set === 'all') return { result: true, missing: false };
    if (condition.set === 'any') return { result: false, missing: true };
    // A missing key makes a condition false, except for the negated operators (shared/AWS-FACTS.md).
    return { result: condition.info.negated, missing: !condition.info.negated };
  }
  switch (condition.set) {
    case 'all':
      return { result: actual.every((a) => satisfies(condition, a, lookup)), missing: false };
    case 'any':
      return { result: actual.some((a) => satisfies(condition, a, lookup)), missing: false };
    default: {
      // Without a set qualifier, several request values behave as one: any of them may match the positive form.
      const any = actual.some((a) => condition.values.some((v) => positive(condition.info, v, a, lookup)));
      return { result: condition.info.negated ? !any : any, missing: false };
    }
  }
}
