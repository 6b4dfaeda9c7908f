/**
 * The REST protocols (rest-xml for S3; rest-json is the same binding with JSON bodies): members travel in the
 * URI, the query string, headers or the body, as each member's `location` says; one member may be the whole
 * body (`payload`), streamed when the model marks it so. A service supplies what its protocol leaves open
 * (S3: bucket names in the Host header, XML root element names, its error layout) through RestOptions.
 */
import { AwsError } from '../errors.ts';
import type { Codec, DecodedInput, HeaderMap, WireRequest, WireResponse } from '../codec.ts';
import type { MemberRef, ServiceModel, Shape } from '../model.ts';
import type { ValidationProblem } from '../query/validate.ts';
import type { SigV4Failure } from '../sigv4/failure.ts';
import { matchBinding, parseQuery, type Match } from './bindings.ts';
import { parseXmlDocument, readXml, writeXmlElement, writeXmlRoot } from './xml.ts';

type StructureShape = Extract<Shape, { type: 'structure' }>;

/** How bodies are written: XML (rest-xml) or JSON (rest-json). */
export interface BodyFormat {
  /** A structure read from the body: a payload member's, or (without one) the input's body members. */
  read(model: ServiceModel, shapeName: string, body: Buffer): Record<string, unknown>;
  /** A structure written as the whole body; `tag` names the XML root element. */
  write(model: ServiceModel, shapeName: string, value: unknown, tag: string, ns: string): string;
  readonly contentType: string;
}

export const xmlBodies: BodyFormat = {
  read: (model, shapeName, body) =>
    readXml(model, shapeName, parseXmlDocument(body.toString('utf8')).content) as Record<string, unknown>,
  write: (model, shapeName, value, tag, ns) => {
    const shape = model.shapes[shapeName];
    const xml =
      shape?.type === 'structure'
        ? writeXmlRoot(model, tag, shape, value as Record<string, unknown>, ns)
        : writeXmlElement(model, tag, shapeName, value, ns);
    return `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  },
  contentType: 'application/xml',
};

export interface RestOptions {
  readonly bodies: BodyFormat;
  /** The path segments the URI templates are matched against (S3 adds the bucket named by the Host). */
  segments(req: WireRequest): string[];
  /** Called with the chosen operation; throws for requests the service refuses before decoding. */
  check?(operation: string, req: WireRequest, query: ReadonlyMap<string, readonly string[]>): void;
  /** The error for a request that matches no operation. */
  noOperation(req: WireRequest): AwsError;
  /** The root element of an output body without a payload member. */
  rootElement(operation: string): string;
  readonly xmlNamespace: string;
  /** Headers every response carries (S3: x-amz-request-id, x-amz-id-2). */
  responseHeaders(requestId: string): Record<string, string>;
  encodeError(error: AwsError, requestId: string): WireResponse;
  authenticationError(failure: SigV4Failure): AwsError;
  validationError(problems: readonly ValidationProblem[]): AwsError;
  /** A status other than the operation's own (S3 GetObject: 206 for a range). */
  status?(operation: string, output: Record<string, unknown>): number | undefined;
  /** A body written differently from the shapes (S3 GetBucketLocation's bare LocationConstraint). */
  specialBody?(operation: string, output: Record<string, unknown>): string | undefined;
}

const matches = new WeakMap<WireRequest, Match>();
const queries = new WeakMap<WireRequest, Map<string, string[]>>();

function queryOf(req: WireRequest): Map<string, string[]> {
  let q = queries.get(req);
  if (!q) {
    q = parseQuery(req.query);
    queries.set(req, q);
  }
  return q;
}

const headerValue = (headers: HeaderMap, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
};

const camel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** A string from the URI, query or a header as the member's type; a problem when it is not one. */
function scalar(
  model: ServiceModel,
  ref: MemberRef,
  raw: string,
  path: string,
  problems: ValidationProblem[],
  inHeader: boolean,
): unknown {
  const shape = model.shapes[ref.shape];
  const bad = (expected: string) => {
    problems.push({ path, shown: `'${raw}'`, constraint: `Member must be ${expected}` });
    return undefined;
  };
  switch (shape?.type) {
    case 'integer':
    case 'long':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : bad('an integer');
    case 'float':
    case 'double':
      return Number.isNaN(Number(raw)) || raw.trim() === '' ? bad('a number') : Number(raw);
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : bad('a boolean');
    case 'timestamp': {
      const d = new Date(/^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : raw);
      return Number.isNaN(d.getTime()) ? bad('a timestamp') : d;
    }
    case 'list':
      return inHeader ? raw.split(',').map((s) => s.trim()) : [raw];
    case 'string':
      if (ref.jsonvalue && inHeader) return Buffer.from(raw, 'base64').toString('utf8');
      return raw;
    default:
      return raw;
  }
}

function decodeRest(
  options: RestOptions,
  model: ServiceModel,
  operation: string,
  req: WireRequest,
  stream: AsyncIterable<Uint8Array> | undefined,
): DecodedInput {
  const op = model.operations[operation];
  const shape = op?.input === undefined ? undefined : model.shapes[op.input];
  if (shape?.type !== 'structure') return { input: {}, problems: [] };
  // The request may be a copy of the one operation() saw (with its body read since): match it again then.
  const match = matches.get(req) ?? matchBinding(model, req.method, options.segments(req), queryOf(req), req.headers);
  const labels = match?.labels ?? {};
  const query = queryOf(req);
  const problems: ValidationProblem[] = [];
  const input: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members)) {
    const wire = ref.locationName ?? name;
    const path = camel(name);
    switch (ref.location) {
      case 'uri': {
        const v = labels[wire];
        if (v !== undefined) input[name] = v;
        break;
      }
      case 'querystring': {
        const values = query.get(wire);
        if (values === undefined) break;
        const memberShape = model.shapes[ref.shape];
        input[name] =
          memberShape?.type === 'list'
            ? values
            : scalar(model, ref, values[values.length - 1] ?? '', path, problems, false);
        break;
      }
      case 'header': {
        const raw = headerValue(req.headers, wire);
        if (raw === undefined) break;
        const v = scalar(model, ref, raw, path, problems, true);
        if (v !== undefined) input[name] = v;
        break;
      }
      case 'headers': {
        const prefix = wire.toLowerCase();
        const map: Record<string, string> = {};
        for (const [h, v] of Object.entries(req.headers)) {
          if (h.startsWith(prefix) && v !== undefined) map[h.slice(prefix.length)] = Array.isArray(v) ? v.join(',') : v;
        }
        if (Object.keys(map).length > 0) input[name] = map;
        break;
      }
      default:
        break;
    }
  }
  const payload = shape.payload;
  const payloadRef = payload === undefined ? undefined : shape.members[payload];
  if (payload !== undefined && payloadRef) {
    const payloadShape = model.shapes[payloadRef.shape];
    if (payloadRef.streaming || (payloadShape?.type === 'blob' && payloadShape.streaming)) {
      input[payload] = stream ?? req.body;
    } else if (payloadShape?.type === 'structure') {
      if (req.body.length > 0) input[payload] = options.bodies.read(model, payloadRef.shape, req.body);
    } else if (payloadShape?.type === 'string') {
      if (req.body.length > 0) input[payload] = req.body.toString('utf8');
    } else if (req.body.length > 0) {
      input[payload] = req.body;
    }
  }
  // Without a payload member, the body holds the members that have no other location (rest-json's usual form).
  if (payload === undefined && req.body.length > 0 && op?.input !== undefined) {
    Object.assign(input, options.bodies.read(model, op.input, req.body));
  }
  return { input, problems };
}

function headerText(model: ServiceModel, ref: MemberRef, value: unknown): string {
  const shape = model.shapes[ref.shape];
  if (value instanceof Date) {
    const format = ref.timestampFormat ?? (shape?.type === 'timestamp' ? shape.timestampFormat : undefined);
    if (format === 'iso8601') return value.toISOString();
    if (format === 'unixTimestamp') return String(Math.floor(value.getTime() / 1000));
    return value.toUTCString(); // rfc822, botocore's default for headers
  }
  if (Array.isArray(value)) return value.join(',');
  if (ref.jsonvalue) return Buffer.from(JSON.stringify(value)).toString('base64');
  return String(value as string | number | boolean);
}

function encodeRest(
  options: RestOptions,
  model: ServiceModel,
  operation: string,
  output: unknown,
  requestId: string,
): WireResponse {
  const op = model.operations[operation];
  const headers: Record<string, string> = options.responseHeaders(requestId);
  let status = op?.http?.responseCode ?? 200;
  const shape = op?.output === undefined ? undefined : model.shapes[op.output];
  const value = (output ?? {}) as Record<string, unknown>;
  if (shape?.type !== 'structure') return { status, headers, body: '' };
  let bodyMembers = false;
  for (const [name, ref] of Object.entries(shape.members)) {
    const v = value[name];
    if (ref.location === undefined) {
      if (v !== undefined && name !== shape.payload) bodyMembers = true;
      continue;
    }
    if (v === undefined || v === null) continue;
    if (ref.location === 'header') headers[(ref.locationName ?? name).toLowerCase()] = headerText(model, ref, v);
    else if (ref.location === 'headers') {
      const prefix = (ref.locationName ?? name).toLowerCase();
      for (const [k, mv] of Object.entries(v as Record<string, string>)) headers[`${prefix}${k}`] = mv;
    } else if (ref.location === 'statusCode') status = v as number;
  }
  status = options.status?.(operation, value) ?? status;
  const special = options.specialBody?.(operation, value);
  if (special !== undefined)
    return { status, headers: { ...headers, 'content-type': 'application/xml' }, body: special };
  if (shape.payload !== undefined) {
    const ref = shape.members[shape.payload];
    const v = value[shape.payload];
    if (!ref || v === undefined || v === null) return { status, headers, body: '' };
    const payloadShape = model.shapes[ref.shape];
    if (payloadShape?.type === 'structure') {
      const tag = ref.locationName ?? payloadShape.locationName ?? ref.shape;
      const body = options.bodies.write(model, ref.shape, v, tag, ref.xmlNamespace ?? options.xmlNamespace);
      return { status, headers: { ...headers, 'content-type': options.bodies.contentType }, body };
    }
    if (typeof v === 'string' || v instanceof Uint8Array) return { status, headers, body: v };
    return { status, headers, body: v as AsyncIterable<Uint8Array> };
  }
  if (!bodyMembers) return { status, headers, body: '' };
  const body = options.bodies.write(
    model,
    op?.output ?? '',
    value,
    options.rootElement(operation),
    options.xmlNamespace,
  );
  return { status, headers: { ...headers, 'content-type': options.bodies.contentType }, body };
}

/** A REST codec (rest-xml or rest-json, by `options.bodies`) with a service's own choices filled in. */
export function createRestCodec(options: RestOptions): Codec {
  return {
    operation(model, req) {
      const query = queryOf(req);
      let segments: string[];
      try {
        segments = options.segments(req);
        const match = matchBinding(model, req.method, segments, query, req.headers);
        if (!match) throw options.noOperation(req);
        matches.set(req, match);
        options.check?.(match.binding.operation, req, query);
        return match.binding.operation;
      } catch (err) {
        if (err instanceof URIError) throw new AwsError('InvalidURI', 400, "Couldn't parse the specified URI.");
        throw err;
      }
    },
    streams(model, operation) {
      const op = model.operations[operation];
      const shape = op?.input === undefined ? undefined : model.shapes[op.input];
      if (shape?.type !== 'structure' || shape.payload === undefined) return false;
      return (shape as StructureShape).members[shape.payload]?.streaming === true;
    },
    decode: (model, operation, req, stream) => decodeRest(options, model, operation, req, stream),
    validationError: (_model, problems) => options.validationError(problems),
    authenticationError: (_model, failure) => options.authenticationError(failure),
    encodeResult: (model, operation, output, requestId) => encodeRest(options, model, operation, output, requestId),
    encodeError: (_model, error, requestId) => options.encodeError(error, requestId),
  };
}
