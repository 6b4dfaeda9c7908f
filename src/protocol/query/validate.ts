/**
 * Constraint checks from the service model (required, length, range, pattern, enum), reported the way AWS's
 * query services report them: `1 validation error detected: Value 'x' at 'roleName' failed to satisfy
 * constraint: Member must …`, several joined by `; ` under `N validation errors detected:`
 * (docs/research/wire-facts.md §2). Values inside lists are not echoed (`Value at 'tags.1.member.key'`), and a
 * list of strings is judged as a whole: `Value at 'tagKeys' failed to satisfy constraint: Member must satisfy
 * constraint: [every constraint of its members]`.
 */
import type { ServiceModel, Shape } from '../model.ts';

export interface ValidationProblem {
  /** lower-camel member path: `roleName`, `tags.1.member.key`. */
  readonly path: string;
  /** The offending value as AWS quotes it, or undefined when AWS leaves it out. */
  readonly shown: string | undefined;
  readonly constraint: string;
  /** The model pattern when the failed constraint is a pattern; services word some of these differently. */
  readonly pattern?: string;
}

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

const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

type StringShape = Extract<Shape, { type: 'string' }>;

/** Every constraint of a string shape, in the order AWS lists them for list members. */
function stringConstraints(shape: StringShape): string[] {
  const out: string[] = [];
  if (shape.max !== undefined) out.push(`Member must have length less than or equal to ${shape.max}`);
  if (shape.min !== undefined) out.push(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.pattern !== undefined) out.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  if (shape.enum) out.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  out.push('Member must not be null');
  return out;
}

function stringProblems(shape: StringShape, s: string): { constraint: string; pattern?: string }[] {
  const out: { constraint: string; pattern?: string }[] = [];
  if (shape.pattern !== undefined && !patternOf(shape.pattern).test(s)) {
    out.push({
      constraint: `Member must satisfy regular expression pattern: ${shape.pattern}`,
      pattern: shape.pattern,
    });
  }
  if (shape.enum && !shape.enum.includes(s)) {
    out.push({ constraint: `Member must satisfy enum value set: [${shape.enum.join(', ')}]` });
  }
  // Lengths count UTF-16 code units, as Java's String.length does.
  if (shape.min !== undefined && s.length < shape.min) {
    out.push({ constraint: `Member must have length greater than or equal to ${shape.min}` });
  }
  if (shape.max !== undefined && s.length > shape.max) {
    out.push({ constraint: `Member must have length less than or equal to ${shape.max}` });
  }
  return out;
}

class Checker {
  readonly problems: ValidationProblem[] = [];

  constructor(private readonly model: ServiceModel) {}

  private add(path: string, shown: string | undefined, constraint: string, pattern?: string): void {
    this.problems.push({ path, shown, constraint, ...(pattern !== undefined && { pattern }) });
  }

  check(shape: Shape, value: unknown, path: string, inList: boolean): void {
    const show = (v: unknown) => (inList ? undefined : `'${String(v)}'`);
    switch (shape.type) {
      case 'structure': {
        const obj = value as Record<string, unknown>;
        for (const [name, ref] of Object.entries(shape.members)) {
          const memberPath = path === '' ? camel(name) : `${path}.${camel(name)}`;
          const member = obj[name];
          const memberShape = this.model.shapes[ref.shape];
          if (member === undefined) {
            if (shape.required?.includes(name))
              this.add(memberPath, inList ? undefined : 'null', 'Member must not be null');
          } else if (memberShape) {
            this.check(memberShape, member, memberPath, inList);
          }
        }
        return;
      }
      case 'list': {
        const list = value as unknown[];
        if (shape.max !== undefined && list.length > shape.max) {
          this.add(path, undefined, `Member must have length less than or equal to ${shape.max}`);
        }
        if (shape.min !== undefined && list.length < shape.min) {
          this.add(path, undefined, `Member must have length greater than or equal to ${shape.min}`);
        }
        const item = this.model.shapes[shape.member.shape];
        if (item?.type === 'string') {
          if (list.some((v) => typeof v !== 'string' || stringProblems(item, v).length > 0)) {
            this.add(path, undefined, `Member must satisfy constraint: [${stringConstraints(item).join(', ')}]`);
          }
        } else if (item) {
          list.forEach((v, i) => this.check(item, v, `${path}.${i + 1}.member`, true));
        }
        return;
      }
      case 'map': {
        const entries = Object.entries(value as Record<string, unknown>);
        const valueShape = this.model.shapes[shape.value.shape];
        if (valueShape) for (const [k, v] of entries) this.check(valueShape, v, `${path}.${k}`, true);
        if (shape.max !== undefined && entries.length > shape.max) {
          this.add(path, undefined, `Member must have length less than or equal to ${shape.max}`);
        }
        return;
      }
      case 'string':
        for (const p of stringProblems(shape, value as string)) this.add(path, show(value), p.constraint, p.pattern);
        return;
      case 'integer':
      case 'long':
      case 'float':
      case 'double': {
        const n = value as number;
        if (shape.min !== undefined && n < shape.min) {
          this.add(path, show(n), `Member must have value greater than or equal to ${shape.min}`);
        }
        if (shape.max !== undefined && n > shape.max) {
          this.add(path, show(n), `Member must have value less than or equal to ${shape.max}`);
        }
        return;
      }
      default:
        return;
    }
  }
}

/** The constraint violations of an operation's decoded input, in model order; empty when it is valid. */
export function validationProblems(model: ServiceModel, shapeName: string, input: unknown): ValidationProblem[] {
  const checker = new Checker(model);
  const shape = model.shapes[shapeName];
  if (shape) checker.check(shape, input, '', false);
  return checker.problems;
}

/** AWS's wording for a list of violations. */
export function validationMessage(problems: readonly ValidationProblem[]): string {
  const noun = problems.length === 1 ? 'validation error' : 'validation errors';
  const parts = problems.map(
    (p) =>
      `Value${p.shown === undefined ? '' : ` ${p.shown}`} at '${p.path}' failed to satisfy constraint: ${p.constraint}`,
  );
  return `${problems.length} ${noun} detected: ${parts.join('; ')}`;
}
