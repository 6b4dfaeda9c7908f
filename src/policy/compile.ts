/**
 * Compiles a policy document once into matchers: actions lower-cased for case-insensitive wildcard matching,
 * resources into segment-aware ARN patterns with their policy variables, principals into a lookup, conditions
 * into typed tests. Compiled policies are cached by document text, so evaluation does no parsing. A statement
 * the engine cannot evaluate is kept with its reason: an unevaluable Allow never allows, an unevaluable Deny
 * denies (never fail open).
 */
import { compileArnPattern, type ArnPattern } from './arn-match.ts';
import { compileCondition, ConditionError, type CompiledCondition } from './conditions.ts';
import type { PolicySource } from './types.ts';

export interface PrincipalSpec {
  /** `"*"` or `{"AWS": "*"}`: everyone. */
  readonly everyone: boolean;
  readonly aws: readonly string[];
  readonly service: readonly string[];
  readonly federated: readonly string[];
  readonly canonicalUser: readonly string[];
}

export interface CompiledStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** Lower-cased action patterns; `notAction` inverts the match. */
  readonly actions: readonly string[];
  readonly notAction: boolean;
  /** Undefined when the statement has no Resource element (trust policies). */
  readonly resources: readonly ArnPattern[] | undefined;
  readonly notResource: boolean;
  readonly principal: PrincipalSpec | undefined;
  readonly notPrincipal: boolean;
  readonly conditions: readonly CompiledCondition[];
  /** Why the statement cannot be evaluated, if it cannot. */
  readonly error?: string;
}

export interface CompiledPolicy {
  readonly id: string;
  readonly statements: readonly CompiledStatement[];
  /** Why the whole document cannot be evaluated (not JSON, no statements), if it cannot. */
  readonly error?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function stringList(v: Json | undefined, element: string): string[] {
  const out: string[] = [];
  for (const item of list(v)) {
    if (typeof item !== 'string') throw new ConditionError(`${element} must hold strings`);
    out.push(item);
  }
  return out;
}

function compilePrincipal(v: Json): PrincipalSpec {
  if (v === '*') return { everyone: true, aws: [], service: [], federated: [], canonicalUser: [] };
  if (!isObject(v)) throw new ConditionError('Principal must be "*" or an object');
  const aws = stringList(v['AWS'], 'Principal AWS');
  for (const key of Object.keys(v)) {
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(key)) {
      throw new ConditionError(`unknown principal type ${key}`);
    }
  }
  return {
    everyone: aws.includes('*'),
    aws,
    service: stringList(v['Service'], 'Principal Service'),
    federated: stringList(v['Federated'], 'Principal Federated'),
    canonicalUser: stringList(v['CanonicalUser'], 'Principal CanonicalUser'),
  };
}

const ANY_RESOURCE = compileArnPattern('*', false);

function compileStatement(raw: Json, index: number, variables: boolean): CompiledStatement {
  // A statement whose scope cannot be read is kept as matching everything: as a Deny it then denies, as an
  // Allow it never allows (the evaluator ignores Allows that carry an error).
  const broken = (error: string, effect: 'Allow' | 'Deny' = 'Deny', sid?: string): CompiledStatement => ({
    index,
    ...(sid !== undefined && { sid }),
    effect,
    actions: ['*'],
    notAction: false,
    resources: [ANY_RESOURCE],
    notResource: false,
    principal: { everyone: true, aws: ['*'], service: [], federated: [], canonicalUser: [] },
    notPrincipal: false,
    conditions: [],
    error,
  });
  if (!isObject(raw)) return broken('a statement must be an object');
  const effect = raw['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny')
    return broken(`Effect must be Allow or Deny, not ${JSON.stringify(effect)}`);
  const sid = typeof raw['Sid'] === 'string' ? raw['Sid'] : undefined;
  if (raw['Action'] !== undefined && raw['NotAction'] !== undefined)
    return broken('both Action and NotAction', effect, sid);
  if (raw['Resource'] !== undefined && raw['NotResource'] !== undefined) {
    return broken('both Resource and NotResource', effect, sid);
  }
  if (raw['Principal'] !== undefined && raw['NotPrincipal'] !== undefined) {
    return broken('both Principal and NotPrincipal', effect, sid);
  }
  let scope: Omit<CompiledStatement, 'index' | 'effect' | 'conditions' | 'sid'>;
  try {
    const notAction = raw['NotAction'] !== undefined;
    const notResource = raw['NotResource'] !== undefined;
    const resourceElement = raw['Resource'] ?? raw['NotResource'];
    const notPrincipal = raw['NotPrincipal'] !== undefined;
    const principalElement = raw['Principal'] ?? raw['NotPrincipal'];
    scope = {
      actions: stringList(raw['Action'] ?? raw['NotAction'], 'Action').map((a) => a.toLowerCase()),
      notAction,
      resources:
        resourceElement === undefined
          ? undefined
          : stringList(resourceElement, 'Resource').map((r) => compileArnPattern(r, variables)),
      notResource,
      principal: principalElement === undefined ? undefined : compilePrincipal(principalElement),
      notPrincipal,
    };
  } catch (err) {
    if (err instanceof ConditionError) return broken(err.message, effect, sid);
    throw err;
  }
  const conditions: CompiledCondition[] = [];
  let error: string | undefined;
  try {
    const block = raw['Condition'];
    if (block !== undefined) {
      if (!isObject(block)) throw new ConditionError('Condition must be an object');
      for (const [operator, keys] of Object.entries(block)) {
        if (!isObject(keys)) throw new ConditionError(`the ${operator} block must be an object`);
        for (const [key, values] of Object.entries(keys)) {
          conditions.push(compileCondition(operator, key, list(values), variables));
        }
      }
    }
  } catch (err) {
    if (!(err instanceof ConditionError)) throw err;
    error = err.message;
  }
  return {
    index,
    ...(sid !== undefined && { sid }),
    effect,
    ...scope,
    conditions,
    ...(error !== undefined && { error }),
  };
}

function compileDocument(source: PolicySource): CompiledPolicy {
  let doc: Json;
  try {
    doc = JSON.parse(source.document) as Json;
  } catch {
    return { id: source.id, statements: [], error: 'the policy is not valid JSON' };
  }
  if (!isObject(doc)) return { id: source.id, statements: [], error: 'the policy is not a JSON object' };
  const statements = list(doc['Statement']);
  if (statements.length === 0) return { id: source.id, statements: [], error: 'the policy has no statements' };
  // Policy variables exist only in Version 2012-10-17; in older documents `${…}` is plain text.
  const variables = doc['Version'] === '2012-10-17';
  return { id: source.id, statements: statements.map((s, i) => compileStatement(s, i, variables)) };
}

const CACHE_LIMIT = 10_000;
/** By policy id; an entry is reused while its document text is unchanged (usually the very same string). */
const cache = new Map<string, { readonly document: string; readonly compiled: CompiledPolicy }>();

/** Compiles a policy, reusing an earlier compilation of the same id and text. */
export function compilePolicy(source: PolicySource): CompiledPolicy {
  const hit = cache.get(source.id);
  if (hit && hit.document === source.document) return hit.compiled;
  const compiled = compileDocument(source);
  if (hit) cache.delete(source.id);
  cache.set(source.id, { document: source.document, compiled });
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}
