/**
 * The runtime form of an AWS service model, as generated from botocore's service-2.json into
 * src/protocol/generated/. The codecs read these tables to decode requests, check constraints and encode
 * responses, so no operation has hand-written wire code.
 */

export type ProtocolName = 'query' | 'ec2' | 'json' | 'rest-xml' | 'rest-json';

/** Where a REST protocol carries a member (botocore `location`); absent means the body. */
export type MemberLocation = 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';

/**
 * A streaming payload (S3 object bodies): the decoded request body on input, the bytes to send on output. A
 * Buffer or string is sent as is; an async iterable is piped without being held whole in memory.
 */
export type StreamingBody = AsyncIterable<Uint8Array> | Uint8Array | string;

export interface MemberRef {
  /** Name of the member's shape in ServiceModel.shapes. */
  readonly shape: string;
  /** The member's wire name (botocore locationName), when it differs from the member name. */
  readonly locationName?: string;
  /** EC2 only: the explicit query-string name. */
  readonly queryName?: string;
  /** REST protocols: where the member travels. */
  readonly location?: MemberLocation;
  readonly streaming?: boolean;
  readonly xmlAttribute?: boolean;
  readonly xmlNamespace?: string;
  readonly timestampFormat?: string;
  /** A string member that carries a JSON document (REST headers send it base64-encoded). */
  readonly jsonvalue?: boolean;
}

export type Shape =
  | {
      readonly type: 'structure';
      readonly members: Readonly<Record<string, MemberRef>>;
      readonly required?: readonly string[];
      /** REST protocols: the member that is the whole body. */
      readonly payload?: string;
      /** rest-xml: the element name of the structure when it is a payload. */
      readonly locationName?: string;
    }
  | {
      readonly type: 'list';
      readonly member: MemberRef;
      readonly flattened?: boolean;
      readonly min?: number;
      readonly max?: number;
    }
  | {
      readonly type: 'map';
      readonly key: MemberRef;
      readonly value: MemberRef;
      readonly flattened?: boolean;
      readonly min?: number;
      readonly max?: number;
    }
  | {
      readonly type: 'string';
      readonly min?: number;
      readonly max?: number;
      /** The model's pattern, anchored and compiled once when the model loads. */
      readonly pattern?: string;
      readonly enum?: readonly string[];
    }
  | { readonly type: 'integer' | 'long' | 'float' | 'double'; readonly min?: number; readonly max?: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'timestamp'; readonly timestampFormat?: string }
  | { readonly type: 'blob'; readonly streaming?: boolean };

export interface OperationModel {
  readonly name: string;
  readonly input?: string;
  readonly output?: string;
  /** Query protocol: the element that wraps the output (e.g. CreateRoleResult). */
  readonly resultWrapper?: string;
  /** REST protocols: the HTTP binding. */
  readonly http?: { readonly method: string; readonly requestUri: string; readonly responseCode?: number };
  /** rest-xml: the element name of the input body (e.g. CreateBucketConfiguration). */
  readonly inputLocationName?: string;
  readonly errors: readonly string[];
}

export interface ErrorModel {
  readonly code: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';
}

export interface ServiceModel {
  readonly service: string;
  readonly protocol: ProtocolName;
  readonly apiVersion: string;
  readonly xmlNamespace: string;
  /** JSON protocol: X-Amz-Target is `<targetPrefix>.<Operation>`. */
  readonly targetPrefix?: string;
  readonly jsonVersion?: string;
  /** Where the model came from (botocore version and file). */
  readonly source: string;
  readonly operations: Readonly<Record<string, OperationModel>>;
  readonly shapes: Readonly<Record<string, Shape>>;
  readonly errors: Readonly<Record<string, ErrorModel>>;
}
