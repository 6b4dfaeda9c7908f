/**
 * Encodes operation outputs and errors as the XML of the query protocol (IAM, STS) and the ec2 protocol, from
 * the model's shape tables: element names, list wrappers, namespaces and timestamp forms as AWS sends them.
 */
import type { AwsError } from '../errors.ts';
import type { ServiceModel, Shape } from '../model.ts';

const NEEDS_ESCAPE = /[&<>"'\r]/;

export function escapeXml(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return '&#13;';
    }
  });
}

/** IAM writes whole seconds (`2026-01-01T00:00:00Z`); STS and EC2 keep milliseconds. */
function timestamp(model: ServiceModel, date: Date): string {
  const iso = date.toISOString();
  return model.service === 'iam' ? iso.replace(/\.\d{3}Z$/, 'Z') : iso;
}

const memberLists = new WeakMap<object, [string, { shape: string; locationName?: string }][]>();

/** A structure's members as a list, computed once per shape rather than on every response. */
function membersOf(shape: Extract<Shape, { type: 'structure' }>) {
  let list = memberLists.get(shape);
  if (!list) {
    list = Object.entries(shape.members);
    memberLists.set(shape, list);
  }
  return list;
}

class XmlWriter {
  readonly parts: string[] = [];

  constructor(private readonly model: ServiceModel) {}

  members(shape: Extract<Shape, { type: 'structure' }>, value: Record<string, unknown>): void {
    for (const [name, ref] of membersOf(shape)) {
      const member = value[name];
      if (member === undefined || member === null) continue;
      const memberShape = this.model.shapes[ref.shape];
      if (!memberShape) continue;
      const tag = ref.locationName ?? name;
      if (memberShape.type === 'list' && memberShape.flattened) {
        const itemTag = memberShape.member.locationName ?? tag;
        for (const item of member as unknown[]) this.element(itemTag, memberShape.member.shape, item);
      } else {
        this.element(tag, ref.shape, member);
      }
    }
  }

  element(tag: string, shapeName: string, value: unknown): void {
    const shape = this.model.shapes[shapeName];
    if (!shape) return;
    switch (shape.type) {
      case 'structure': {
        const open = this.parts.push(`<${tag}>`);
        this.members(shape, value as Record<string, unknown>);
        // An empty structure is written as one empty element, as AWS writes `<RoleLastUsed/>`.
        if (this.parts.length === open) this.parts[open - 1] = `<${tag}/>`;
        else this.parts.push(`</${tag}>`);
        return;
      }
      case 'list': {
        const items = value as unknown[];
        if (items.length === 0) {
          this.parts.push(`<${tag}/>`);
          return;
        }
        this.parts.push(`<${tag}>`);
        const itemTag = shape.member.locationName ?? 'member';
        for (const item of items) this.element(itemTag, shape.member.shape, item);
        this.parts.push(`</${tag}>`);
        return;
      }
      case 'map': {
        this.parts.push(`<${tag}>`);
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          this.parts.push('<entry>');
          this.element(shape.key.locationName ?? 'key', shape.key.shape, k);
          this.element(shape.value.locationName ?? 'value', shape.value.shape, v);
          this.parts.push('</entry>');
        }
        this.parts.push(`</${tag}>`);
        return;
      }
      case 'timestamp':
        this.parts.push(`<${tag}>${timestamp(this.model, value as Date)}</${tag}>`);
        return;
      case 'blob':
        this.parts.push(`<${tag}>${Buffer.from(value as Uint8Array).toString('base64')}</${tag}>`);
        return;
      default:
        this.parts.push(`<${tag}>${escapeXml(String(value))}</${tag}>`);
    }
  }
}

function namespace(model: ServiceModel): string {
  return model.xmlNamespace.endsWith('/') ? model.xmlNamespace : `${model.xmlNamespace}/`;
}

/** The body of a successful response. */
export function encodeResult(model: ServiceModel, operation: string, output: unknown, requestId: string): string {
  const op = model.operations[operation];
  const writer = new XmlWriter(model);
  const shape = op?.output === undefined ? undefined : model.shapes[op.output];
  const body = () => {
    if (shape?.type === 'structure' && output) writer.members(shape, output as Record<string, unknown>);
  };
  const ns = namespace(model);
  if (model.protocol === 'ec2') {
    writer.parts.push(`<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${ns}">`);
    writer.parts.push(`<requestId>${requestId}</requestId>`);
    // EC2 operations without output data answer `<return>true</return>` (EC2 API reference, e.g. CreateTags).
    if (shape === undefined) writer.parts.push('<return>true</return>');
    body();
    writer.parts.push(`</${operation}Response>`);
    return writer.parts.join('');
  }
  writer.parts.push(`<${operation}Response xmlns="${ns}">`);
  if (shape !== undefined) {
    const wrapper = op?.resultWrapper ?? `${operation}Result`;
    writer.parts.push(`<${wrapper}>`);
    body();
    writer.parts.push(`</${wrapper}>`);
  }
  writer.parts.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`);
  return writer.parts.join('');
}

/** The body of an error response in the model's protocol. */
export function encodeError(model: ServiceModel | undefined, error: AwsError, requestId: string): string {
  const code = escapeXml(error.code);
  const message = escapeXml(error.message);
  if (model?.protocol === 'ec2') {
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors>` +
      `<RequestID>${requestId}</RequestID></Response>`
    );
  }
  const ns = model ? ` xmlns="${namespace(model)}"` : '';
  return (
    `<ErrorResponse${ns}><Error><Type>${error.fault}</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
