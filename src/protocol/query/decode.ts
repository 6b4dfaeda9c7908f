/**
 * Decodes the flat parameters of the query and ec2 protocols (`RoleName=x`, `Tags.member.1.Key=k`,
 * `Filter.1.Value.1=v`) into the structured input an operation's model describes. The two protocols differ only
 * in how names and lists are spelled; both are read here from the same shape tables. A value that cannot be
 * read as its modelled type is left out of the input and reported as a problem, with the member path AWS uses
 * (`maxSessionDuration`, `tags.1.member.value`), so it is answered together with the constraint checks.
 */
import type { MemberRef, ProtocolName, ServiceModel, Shape } from '../model.ts';

/** A value that could not be read as its modelled type (e.g. `MaxSessionDuration=abc`). */
export interface TypeProblem {
  /** lower-camel member path, as in validation messages. */
  readonly path: string;
  readonly value: string;
  /** What the value should have been: `an integer`, `a boolean`, … */
  readonly expected: string;
}

export type Params = ReadonlyMap<string, string>;

export interface Decoded {
  readonly input: Record<string, unknown>;
  readonly problems: readonly TypeProblem[];
}

function memberKey(protocol: ProtocolName, name: string, ref: MemberRef): string {
  if (protocol === 'ec2') {
    if (ref.queryName !== undefined) return ref.queryName;
    if (ref.locationName !== undefined) return ref.locationName.charAt(0).toUpperCase() + ref.locationName.slice(1);
    return name;
  }
  return ref.locationName ?? name;
}

const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** True when some parameter is `prefix` itself or lies below it. */
function present(params: Params, prefix: string, keys: readonly string[]): boolean {
  if (params.has(prefix)) return true;
  const below = `${prefix}.`;
  return keys.some((k) => k.startsWith(below));
}

class Decoder {
  private readonly keys: string[];
  readonly problems: TypeProblem[] = [];

  constructor(
    private readonly model: ServiceModel,
    private readonly params: Params,
  ) {
    this.keys = [...params.keys()];
  }

  /** `wire` is the parameter prefix, `member` the member path used in messages. */
  structure(shape: Extract<Shape, { type: 'structure' }>, wire: string, member: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members)) {
      const key = memberKey(this.model.protocol, name, ref);
      const value = this.value(
        ref.shape,
        wire === '' ? key : `${wire}.${key}`,
        member === '' ? camel(name) : `${member}.${camel(name)}`,
      );
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  private value(shapeName: string, wire: string, member: string): unknown {
    const shape = this.model.shapes[shapeName];
    if (!shape || !present(this.params, wire, this.keys)) return undefined;
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, wire, member);
      case 'list':
        return this.list(shape, wire, member);
      case 'map':
        return this.map(shape, wire, member);
      default:
        return this.scalar(shape, member, this.params.get(wire));
    }
  }

  private list(shape: Extract<Shape, { type: 'list' }>, wire: string, member: string): unknown[] {
    // An empty list is sent as the bare name with an empty value.
    if (this.params.get(wire) === '') return [];
    const base =
      this.model.protocol === 'ec2' || shape.flattened ? wire : `${wire}.${shape.member.locationName ?? 'member'}`;
    const items: unknown[] = [];
    for (let i = 1; present(this.params, `${base}.${i}`, this.keys); i++) {
      items.push(this.value(shape.member.shape, `${base}.${i}`, `${member}.${i}.member`));
    }
    return items;
  }

  private map(shape: Extract<Shape, { type: 'map' }>, wire: string, member: string): Record<string, unknown> {
    const base = shape.flattened ? wire : `${wire}.entry`;
    const out: Record<string, unknown> = {};
    for (let i = 1; present(this.params, `${base}.${i}`, this.keys); i++) {
      const key = this.params.get(`${base}.${i}.${shape.key.locationName ?? 'key'}`);
      if (key === undefined) continue;
      out[key] = this.value(
        shape.value.shape,
        `${base}.${i}.${shape.value.locationName ?? 'value'}`,
        `${member}.${key}`,
      );
    }
    return out;
  }

  private scalar(shape: Shape, member: string, raw: string | undefined): unknown {
    if (raw === undefined) return undefined;
    const wrong = (expected: string) => {
      this.problems.push({ path: member, value: raw, expected });
      return undefined;
    };
    switch (shape.type) {
      case 'string':
        return raw;
      case 'integer':
      case 'long':
        return /^-?\d+$/.test(raw.trim()) ? Number(raw) : wrong('an integer');
      case 'float':
      case 'double': {
        const n = Number(raw);
        return raw.trim() === '' || Number.isNaN(n) ? wrong('a number') : n;
      }
      case 'boolean': {
        const v = raw.toLowerCase();
        return v === 'true' || v === 'false' ? v === 'true' : wrong('a boolean');
      }
      case 'timestamp': {
        const d = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
        return Number.isNaN(d.getTime()) ? wrong('a timestamp') : d;
      }
      case 'blob':
        return Buffer.from(raw, 'base64');
      default:
        return undefined;
    }
  }
}

/** Reads an operation's input from its parameters. Unknown parameters are ignored, as AWS does. */
export function decodeParams(model: ServiceModel, inputShape: string | undefined, params: Params): Decoded {
  if (inputShape === undefined) return { input: {}, problems: [] };
  const shape = model.shapes[inputShape];
  if (!shape || shape.type !== 'structure') return { input: {}, problems: [] };
  const decoder = new Decoder(model, params);
  const input = decoder.structure(shape, '', '');
  return { input, problems: decoder.problems };
}

/** Parses an application/x-www-form-urlencoded body (or query string) into parameters; the last value wins. */
export function parseForm(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(text)) params.set(k, v);
  return params;
}
