/**
 * Constraint checks from the service model (required, length, range, pattern, enum), reported the way AWS's
 * query services report them: `1 validation error detected: Value 'x' at 'roleName' failed to satisfy
 * constraint: Member must …`, several joined by `; ` under `N validation errors detected:`.
 */
import type { ServiceModel, Shape } from '../model.ts';

const compiled = new Map<string, RegExp>();

/** Model patterns are Java regular expressions that must match the whole value. */
function patternOf(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    try {
      re = new RegExp(`^(?:${source})$`, 'u');
    } catch {
      re = new RegExp(`^(?:${source})$`);
    }
    compiled.set(source, re);
  }
  return re;
}

/** Member paths use lower-camel member names: `roleName`, `tags.1.member.key`. */
const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

function describe(value: unknown): string {
  if (value === undefined || value === null) return 'Value null';
  if (Array.isArray(value) || typeof value === 'object') return 'Value';
  return `Value '${String(value)}'`;
}

function fail(errors: string[], value: unknown, path: string, constraint: string): void {
  errors.push(`${describe(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
}

function check(model: ServiceModel, shape: Shape, value: unknown, path: string, errors: string[]): void {
  switch (shape.type) {
    case 'structure': {
      const obj = value as Record<string, unknown>;
      for (const [name, ref] of Object.entries(shape.members)) {
        const memberPath = path === '' ? camel(name) : `${path}.${camel(name)}`;
        const member = obj[name];
        if (member === undefined) {
          if (shape.required?.includes(name)) fail(errors, undefined, memberPath, 'Member must not be null');
          continue;
        }
        const memberShape = model.shapes[ref.shape];
        if (memberShape) check(model, memberShape, member, memberPath, errors);
      }
      return;
    }
    case 'list': {
      const list = value as unknown[];
      const itemShape = model.shapes[shape.member.shape];
      if (itemShape) list.forEach((item, i) => check(model, itemShape, item, `${path}.${i + 1}.member`, errors));
      lengthChecks(shape, list.length, value, path, errors);
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, unknown>);
      const valueShape = model.shapes[shape.value.shape];
      if (valueShape) for (const [k, v] of entries) check(model, valueShape, v, `${path}.${k}`, errors);
      lengthChecks(shape, entries.length, value, path, errors);
      return;
    }
    case 'string': {
      const s = value as string;
      if (shape.pattern !== undefined && !patternOf(shape.pattern).test(s)) {
        fail(errors, s, path, `Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      if (shape.enum && !shape.enum.includes(s)) {
        fail(errors, s, path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      }
      // Lengths count UTF-16 code units in Java, as String.length does here.
      lengthChecks(shape, s.length, s, path, errors);
      return;
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double': {
      const n = value as number;
      if (shape.min !== undefined && n < shape.min) {
        fail(errors, n, path, `Member must have value greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && n > shape.max) {
        fail(errors, n, path, `Member must have value less than or equal to ${shape.max}`);
      }
      return;
    }
    default:
      return;
  }
}

function lengthChecks(
  shape: { readonly min?: number; readonly max?: number },
  length: number,
  value: unknown,
  path: string,
  errors: string[],
): void {
  if (shape.min !== undefined && length < shape.min) {
    fail(errors, value, path, `Member must have length greater than or equal to ${shape.min}`);
  }
  if (shape.max !== undefined && length > shape.max) {
    fail(errors, value, path, `Member must have length less than or equal to ${shape.max}`);
  }
}

/** The validation errors of an operation's decoded input, in model order; empty when it is valid. */
export function validationErrors(model: ServiceModel, shapeName: string, input: unknown): string[] {
  const errors: string[] = [];
  const shape = model.shapes[shapeName];
  if (shape) check(model, shape, input, '', errors);
  return errors;
}

/** AWS's wording for a list of validation errors. */
export function validationMessage(errors: readonly string[]): string {
  const noun = errors.length === 1 ? 'validation error' : 'validation errors';
  return `${errors.length} ${noun} detected: ${errors.join('; ')}`;
}
