/**
 * The XML bodies of the rest-xml protocol (S3), read and written from the model's shapes: element names from
 * `locationName`, wrapped lists (`<Buckets><Bucket>…`) and flattened ones (repeated `<Contents>`), ISO 8601
 * timestamps with milliseconds (S3: `2009-10-12T17:50:30.000Z`). Parsing uses fast-xml-parser; its result is
 * only ever read through the shapes, so unknown elements are ignored as AWS ignores them.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AwsError } from '../errors.ts';
import { escapeXml } from '../query/encode.ts';
import type { ServiceModel, Shape } from '../model.ts';

type StructureShape = Extract<Shape, { type: 'structure' }>;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  processEntities: true,
});

/** S3's answer to a body that is not XML or does not fit the operation (Amazon S3 API Reference, Error codes). */
export const malformedXml = (): AwsError =>
  new AwsError(
    'MalformedXML',
    400,
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

/** The root element of `text` and its content. Throws MalformedXML for anything that is not one element. */
export function parseXmlDocument(text: string): { name: string; content: unknown } {
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw malformedXml();
  const doc = parser.parse(text) as Record<string, unknown>;
  const entries = Object.entries(doc).filter(([k]) => k !== '#text');
  if (entries.length !== 1) throw malformedXml();
  const [name, content] = entries[0] as [string, unknown];
  return { name, content };
}

const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const text = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && '#text' in v) return String((v as { '#text': unknown })['#text']);
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') throw malformedXml();
  return String(v as string | number | boolean);
};

/** Reads parsed XML content as a value of the named shape. */
export function readXml(model: ServiceModel, shapeName: string, node: unknown): unknown {
  const shape = model.shapes[shapeName];
  if (!shape) return undefined;
  switch (shape.type) {
    case 'structure': {
      if (node === '' || node === undefined) return {};
      if (typeof node !== 'object' || node === null || Array.isArray(node)) throw malformedXml();
      const source = node as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(shape.members)) {
        if (ref.location !== undefined || ref.xmlAttribute) continue;
        const member = model.shapes[ref.shape];
        if (member?.type === 'list' && member.flattened) {
          const tag = member.member.locationName ?? ref.locationName ?? name;
          if (source[tag] === undefined) continue;
          out[name] = asArray(source[tag]).map((item) => readXml(model, member.member.shape, item));
          continue;
        }
        const tag = ref.locationName ?? name;
        if (source[tag] === undefined) continue;
        const one = asArray(source[tag]);
        if (one.length !== 1) throw malformedXml();
        out[name] = readXml(model, ref.shape, one[0]);
      }
      return out;
    }
    case 'list': {
      if (node === '' || node === undefined) return [];
      if (typeof node !== 'object' || node === null) throw malformedXml();
      const tag = shape.member.locationName ?? 'member';
      return asArray((node as Record<string, unknown>)[tag]).map((item) => readXml(model, shape.member.shape, item));
    }
    case 'integer':
    case 'long': {
      const t = text(node).trim();
      if (!/^-?\d+$/.test(t)) throw malformedXml();
      return Number(t);
    }
    case 'float':
    case 'double': {
      const n = Number(text(node).trim());
      if (Number.isNaN(n)) throw malformedXml();
      return n;
    }
    case 'boolean': {
      const t = text(node).trim().toLowerCase();
      if (t !== 'true' && t !== 'false') throw malformedXml();
      return t === 'true';
    }
    case 'timestamp': {
      const d = new Date(text(node).trim());
      if (Number.isNaN(d.getTime())) throw malformedXml();
      return d;
    }
    case 'blob':
      return Buffer.from(text(node), 'base64');
    case 'map':
      return undefined;
    default:
      return text(node);
  }
}

/** Writes a value of the named shape as one element. */
export function writeXmlElement(model: ServiceModel, tag: string, shapeName: string, value: unknown, ns = ''): string {
  const parts: string[] = [];
  element(model, parts, tag, shapeName, value, ns === '' ? '' : ` xmlns="${ns}"`);
  return parts.join('');
}

/** Writes a structure's body members inside a root element. */
export function writeXmlRoot(
  model: ServiceModel,
  tag: string,
  shape: StructureShape,
  value: Record<string, unknown>,
  ns: string,
): string {
  const parts: string[] = [`<${tag}${ns === '' ? '' : ` xmlns="${ns}"`}>`];
  members(model, parts, shape, value);
  parts.push(`</${tag}>`);
  return parts.join('');
}

function members(model: ServiceModel, parts: string[], shape: StructureShape, value: Record<string, unknown>): void {
  for (const [name, ref] of Object.entries(shape.members)) {
    if (ref.location !== undefined || ref.xmlAttribute) continue;
    const v = value[name];
    if (v === undefined || v === null) continue;
    const member = model.shapes[ref.shape];
    if (member?.type === 'list' && member.flattened) {
      const tag = member.member.locationName ?? ref.locationName ?? name;
      for (const item of v as unknown[]) element(model, parts, tag, member.member.shape, item, '');
      continue;
    }
    element(model, parts, ref.locationName ?? name, ref.shape, v, '');
  }
}

function element(model: ServiceModel, parts: string[], tag: string, shapeName: string, v: unknown, attrs: string) {
  const shape = model.shapes[shapeName];
  if (!shape) return;
  switch (shape.type) {
    case 'structure': {
      parts.push(`<${tag}${attrs}>`);
      members(model, parts, shape, v as Record<string, unknown>);
      parts.push(`</${tag}>`);
      return;
    }
    case 'list': {
      parts.push(`<${tag}${attrs}>`);
      const itemTag = shape.member.locationName ?? 'member';
      for (const item of v as unknown[]) element(model, parts, itemTag, shape.member.shape, item, '');
      parts.push(`</${tag}>`);
      return;
    }
    case 'map':
      return;
    case 'timestamp':
      parts.push(`<${tag}${attrs}>${(v as Date).toISOString()}</${tag}>`);
      return;
    case 'blob':
      parts.push(`<${tag}${attrs}>${Buffer.from(v as Uint8Array).toString('base64')}</${tag}>`);
      return;
    default:
      parts.push(`<${tag}${attrs}>${escapeXml(String(v as string | number | boolean))}</${tag}>`);
  }
}
