/**
 * A policy document as the checks see it: the statements with each element's node, its path (in Access
 * Analyzer's form: `Statement`, the statement's index when Statement is a list, the element, the entry's index when
 * the element is a list) and its span. Built leniently from any JSON: the structure checks report what is wrong,
 * the other checks read what is there.
 */
import { member, type JsonNode, type JsonObject } from './json.ts';
import type { Location, PathElement } from './types.ts';

/** One string of an Action, NotAction, Resource or NotResource element. */
export interface ElementItem {
  readonly value: string;
  readonly node: JsonNode;
  readonly path: readonly PathElement[];
}

export interface ElementList {
  readonly key: string;
  readonly node: JsonNode;
  readonly path: readonly PathElement[];
  /** The string entries; entries of other types are left to the structure checks. */
  readonly items: readonly ElementItem[];
  /** Whether the element is a list (as opposed to a single string). */
  readonly isList: boolean;
}

export interface ConditionTest {
  /** The operator as written (`ForAnyValue:StringLike`). */
  readonly operator: string;
  readonly operatorPath: readonly PathElement[];
  readonly operatorNode: JsonNode;
  readonly key: string;
  readonly keyPath: readonly PathElement[];
  readonly valueNode: JsonNode;
  /** The values as strings (numbers and booleans as their JSON text); empty for an empty list. */
  readonly values: readonly { readonly text: string; readonly node: JsonNode; readonly path: readonly PathElement[] }[];
}

export interface PolicyStatement {
  readonly index: number;
  readonly node: JsonNode;
  readonly path: readonly PathElement[];
  readonly object?: JsonObject;
  readonly sid?: string;
  readonly effect?: 'Allow' | 'Deny';
  readonly action?: ElementList;
  readonly notAction?: ElementList;
  readonly resource?: ElementList;
  readonly notResource?: ElementList;
  readonly principal?: JsonNode;
  readonly notPrincipal?: JsonNode;
  /** The Condition element when it is an object. */
  readonly condition?: JsonObject;
  readonly conditions: readonly ConditionTest[];
}

export interface PolicyDocument {
  readonly text: string;
  readonly root: JsonNode;
  readonly object?: JsonObject;
  readonly version?: string;
  readonly statements: readonly PolicyStatement[];
}

export const location = (path: readonly PathElement[], node: JsonNode): Location => ({ path, span: node.span });

function elementList(statement: JsonObject, key: string, base: readonly PathElement[]): ElementList | undefined {
  const entry = member(statement, key);
  if (!entry) return undefined;
  const path = [...base, { value: key }];
  const node = entry.value;
  if (node.kind === 'string') {
    return { key, node, path, items: [{ value: node.value, node, path }], isList: false };
  }
  const items: ElementItem[] = [];
  if (node.kind === 'array') {
    node.items.forEach((item, i) => {
      if (item.kind === 'string') items.push({ value: item.value, node: item, path: [...path, { index: i }] });
    });
  }
  return { key, node, path, items, isList: node.kind === 'array' };
}

const scalarText = (node: JsonNode): string | undefined =>
  node.kind === 'string'
    ? node.value
    : node.kind === 'number'
      ? node.raw
      : node.kind === 'boolean'
        ? String(node.value)
        : undefined;

function conditionTests(condition: JsonObject, base: readonly PathElement[]): ConditionTest[] {
  const tests: ConditionTest[] = [];
  for (const op of condition.entries) {
    if (op.value.kind !== 'object') continue;
    const operatorPath = [...base, { value: op.key }];
    for (const k of op.value.entries) {
      const keyPath = [...operatorPath, { value: k.key }];
      const values: { text: string; node: JsonNode; path: PathElement[] }[] = [];
      const list = k.value.kind === 'array' ? k.value.items : [k.value];
      list.forEach((v, i) => {
        const text = scalarText(v);
        if (text !== undefined)
          values.push({ text, node: v, path: k.value.kind === 'array' ? [...keyPath, { index: i }] : keyPath });
      });
      tests.push({
        operator: op.key,
        operatorPath,
        operatorNode: op.value,
        key: k.key,
        keyPath,
        valueNode: k.value,
        values,
      });
    }
  }
  return tests;
}

function statementOf(node: JsonNode, index: number, path: readonly PathElement[]): PolicyStatement {
  if (node.kind !== 'object') return { index, node, path, conditions: [] };
  const str = (key: string) => {
    const v = member(node, key)?.value;
    return v?.kind === 'string' ? v.value : undefined;
  };
  const effect = str('Effect');
  const condition = member(node, 'Condition')?.value;
  const conditionPath = [...path, { value: 'Condition' }];
  const parts = {
    sid: str('Sid'),
    effect: effect === 'Allow' || effect === 'Deny' ? effect : undefined,
    action: elementList(node, 'Action', path),
    notAction: elementList(node, 'NotAction', path),
    resource: elementList(node, 'Resource', path),
    notResource: elementList(node, 'NotResource', path),
    principal: member(node, 'Principal')?.value,
    notPrincipal: member(node, 'NotPrincipal')?.value,
    condition: condition?.kind === 'object' ? condition : undefined,
  };
  const defined = Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined));
  return {
    index,
    node,
    path,
    object: node,
    ...defined,
    conditions: condition?.kind === 'object' ? conditionTests(condition, conditionPath) : [],
  } as PolicyStatement;
}

/** The document's statements; a single Statement object is statement 0 with no index in its path. */
export function readDocument(text: string, root: JsonNode): PolicyDocument {
  if (root.kind !== 'object') return { text, root, statements: [] };
  const version = member(root, 'Version')?.value;
  const raw = member(root, 'Statement')?.value;
  const base = [{ value: 'Statement' }];
  let statements: PolicyStatement[] = [];
  if (raw?.kind === 'array') statements = raw.items.map((s, i) => statementOf(s, i, [...base, { index: i }]));
  else if (raw?.kind === 'object') statements = [statementOf(raw, 0, base)];
  return {
    text,
    root,
    object: root,
    ...(version?.kind === 'string' && { version: version.value }),
    statements,
  };
}

/** A statement has conditions when its Condition element tests anything. */
export const hasConditions = (s: PolicyStatement): boolean => s.conditions.length > 0;

/** The condition keys a statement tests, lower-cased. */
export const conditionKeys = (s: PolicyStatement): Set<string> => new Set(s.conditions.map((c) => c.key.toLowerCase()));
