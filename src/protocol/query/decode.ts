/**
 * Decodes the flat parameters of the query and ec2 protocols (`RoleName=x`, `Tags.member.1.Key=k`,
 * `Filter.1.Value.1=v`) into the structured input an operation's model describes. The two protocols differ only
 * in how names and lists are spelled; both are read here from the same shape tables.
 */
import type { MemberRef, ProtocolName, ServiceModel, Shape } from '../model.ts';

/** A value that could not be read as its modelled type (e.g. `MaxSessionDuration=abc`). */
export class ParamTypeError extends Error {
  constructor(
    readonly param: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`parameter ${param} must be ${expected}`);
  }
}

export type Params = ReadonlyMap<string, string>;

function memberKey(protocol: ProtocolName, name: string, ref: MemberRef): string {
  if (protocol === 'ec2') {
    if (ref.queryName !== undefined) return ref.queryName;
    if (ref.locationName !== undefined) return ref.locationName.charAt(0).toUpperCase() + ref.locationName.slice(1);
    return name;
  }
  return ref.locationName ?? name;
}

/** True when some parameter is `prefix` itself or lies below it. */
function present(params: Params, prefix: string, keys: readonly string[]): boolean {
  if (params.has(prefix)) return true;
  const below = `${prefix}.`;
  return keys.some((k) => k.startsWith(below));
}

class Decoder {
  private readonly keys: string[];

  constructor(
    private readonly model: ServiceModel,
    private readonly params: Params,
  ) {
    this.keys = [...params.keys()];
  }

  structure(shape: Extract<Shape, { type: 'structure' }>, prefix: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members)) {
      const key = memberKey(this.model.protocol, name, ref);
      const path = prefix === '' ? key : `${prefix}.${key}`;
      const value = this.value(ref.shape, path);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  value(shapeName: string, path: string): unknown {
    const shape = this.model.shapes[shapeName];
    if (!shape || !present(this.params, path, this.keys)) return undefined;
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, path);
      case 'list':
        return this.list(shape, path);
      case 'map':
        return this.map(shape, path);
      default:
        return this.scalar(shape, path, this.params.get(path));
    }
  }

  private list(shape: Extract<Shape, { type: 'list' }>, path: string): unknown[] {
    // An empty list is sent as the bare name with an empty value.
    if (this.params.get(path) === '') return [];
    const base =
      this.model.protocol === 'ec2' || shape.flattened ? path : `${path}.${shape.member.locationName ?? 'member'}`;
    const items: unknown[] = [];
    for (let i = 1; present(this.params, `${base}.${i}`, this.keys); i++) {
      items.push(this.value(shape.member.shape, `${base}.${i}`));
    }
    return items;
  }

  private map(shape: Extract<Shape, { type: 'map' }>, path: string): Record<string, unknown> {
    const base = shape.flattened ? path : `${path}.entry`;
    const out: Record<string, unknown> = {};
    for (let i = 1; present(this.params, `${base}.${i}`, this.keys); i++) {
      const key = this.params.get(`${base}.${i}.${shape.key.locationName ?? 'key'}`);
      if (key === undefined) continue;
      out[key] = this.value(shape.value.shape, `${base}.${i}.${shape.value.locationName ?? 'value'}`);
    }
    return out;
  }

  private scalar(shape: Shape, path: string, raw: string | undefined): unknown {
    if (raw === undefined) return undefined;
    switch (shape.type) {
      case 'string':
        return raw;
      case 'integer':
      case 'long': {
        if (!/^-?\d+$/.test(raw.trim())) throw new ParamTypeError(path, raw, 'an integer');
        return Number(raw);
      }
      case 'float':
      case 'double': {
        const n = Number(raw);
        if (raw.trim() === '' || Number.isNaN(n)) throw new ParamTypeError(path, raw, 'a number');
        return n;
      }
      case 'boolean': {
        const v = raw.toLowerCase();
        if (v !== 'true' && v !== 'false') throw new ParamTypeError(path, raw, 'a boolean');
        return v === 'true';
      }
      case 'timestamp': {
        const d = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
        if (Number.isNaN(d.getTime())) throw new ParamTypeError(path, raw, 'a timestamp');
        return d;
      }
      case 'blob':
        return Buffer.from(raw, 'base64');
      default:
        return undefined;
    }
  }
}

/** Reads an operation's input from its parameters. Unknown parameters are ignored, as AWS does. */
export function decodeParams(
  model: ServiceModel,
  inputShape: string | undefined,
  params: Params,
): Record<string, unknown> {
  if (inputShape === undefined) return {};
  const shape = model.shapes[inputShape];
  if (!shape || shape.type !== 'structure') return {};
  return new Decoder(model, params).structure(shape, '');
}

/** Parses an application/x-www-form-urlencoded body (or query string) into parameters; the last value wins. */
export function parseForm(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(text)) params.set(k, v);
  return params;
}
