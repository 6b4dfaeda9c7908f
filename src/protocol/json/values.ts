/**
 * Shape-directed conversion between JSON values and typed inputs/outputs, shared by the json and rest-json
 * protocols: timestamps travel as epoch seconds, blobs as base64 (botocore serialize.py, JSONSerializer).
 * A value of the wrong JSON type is a problem reported with its member path, never a crash.
 */
import type { ServiceModel, Shape } from '../model.ts';

export interface JsonTypeProblem {
  readonly path: string;
  readonly message: string;
}

export class JsonReader {
  readonly problems: JsonTypeProblem[] = [];

  constructor(private readonly model: ServiceModel) {}

  read(shapeName: string, value: unknown, path: string): unknown {
    const shape = this.model.shapes[shapeName];
    if (!shape || value === null || value === undefined) return undefined;
    switch (shape.type) {
      case 'structure': {
        if (typeof value !== 'object' || Array.isArray(value)) return this.wrong(path, 'a structure', value);
        const out: Record<string, unknown> = {};
        const source = value as Record<string, unknown>;
        for (const [name, ref] of Object.entries(shape.members)) {
          if (ref.location !== undefined) continue; // REST members bound to the URI, query or headers
          const wire = ref.locationName ?? name;
          if (!(wire in source)) continue;
          const v = this.read(ref.shape, source[wire], join(path, name));
          if (v !== undefined) out[name] = v;
        }
        return out;
      }
      case 'list': {
        if (!Array.isArray(value)) return this.wrong(path, 'a list', value);
        return value.map((item, i) => this.read(shape.member.shape, item, `${path}.${i + 1}.member`));
      }
      case 'map': {
        if (typeof value !== 'object' || Array.isArray(value)) return this.wrong(path, 'a map', value);
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          out[k] = this.read(shape.value.shape, v, `${path}.${k}`);
        }
        return out;
      }
      case 'string':
        return typeof value === 'string' ? value : this.wrong(path, 'a string', value);
      case 'integer':
      case 'long':
        return typeof value === 'number' && Number.isInteger(value) ? value : this.wrong(path, 'an integer', value);
      case 'float':
      case 'double':
        return typeof value === 'number' ? value : this.wrong(path, 'a number', value);
      case 'boolean':
        return typeof value === 'boolean' ? value : this.wrong(path, 'a boolean', value);
      case 'timestamp': {
        if (typeof value === 'number') return new Date(value * 1000);
        if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
        return this.wrong(path, 'a timestamp', value);
      }
      case 'blob':
        return typeof value === 'string' ? Buffer.from(value, 'base64') : this.wrong(path, 'base64 text', value);
    }
  }

  private wrong(path: string, expected: string, value: unknown): undefined {
    this.problems.push({ path, message: `${path || 'input'} must be ${expected}, not ${describe(value)}` });
    return undefined;
  }
}

const describe = (value: unknown): string =>
  Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : typeof value;

const join = (path: string, name: string): string => {
  const camel = name.charAt(0).toLowerCase() + name.slice(1);
  return path === '' ? camel : `${path}.${camel}`;
};

/** The JSON form of an output value. */
export function writeJson(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape: Shape | undefined = model.shapes[shapeName];
  if (!shape || value === undefined || value === null) return undefined;
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      const source = value as Record<string, unknown>;
      for (const [name, ref] of Object.entries(shape.members)) {
        if (ref.location !== undefined) continue;
        const v = writeJson(model, ref.shape, source[name]);
        if (v !== undefined) out[ref.locationName ?? name] = v;
      }
      return out;
    }
    case 'list':
      return (value as unknown[]).map((item) => writeJson(model, shape.member.shape, item));
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, writeJson(model, shape.value.shape, v)]),
      );
    case 'timestamp':
      return (value as Date).getTime() / 1000;
    case 'blob':
      return Buffer.from(value as Uint8Array).toString('base64');
    default:
      return value;
  }
}
