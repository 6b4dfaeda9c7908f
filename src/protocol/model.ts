/**
 * The runtime form of an AWS service model, as generated from botocore's service-2.json into
 * src/protocol/generated/. The codecs read these tables to decode requests, check constraints and encode
 * responses, so no operation has hand-written wire code.
 */

export type ProtocolName = 'query' | 'ec2';

export interface MemberRef {
  /** Name of the member's shape in ServiceModel.shapes. */
  readonly shape: string;
  /** The member's wire name (botocore locationName), when it differs from the member name. */
  readonly locationName?: string;
  /** EC2 only: the explicit query-string name. */
  readonly queryName?: string;
}

export type Shape =
  | {
      readonly type: 'structure';
      readonly members: Readonly<Record<string, MemberRef>>;
      readonly required?: readonly string[];
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
  | { readonly type: 'boolean' | 'timestamp' | 'blob' };

export interface OperationModel {
  readonly name: string;
  readonly input?: string;
  readonly output?: string;
  /** Query protocol: the element that wraps the output (e.g. CreateRoleResult). */
  readonly resultWrapper?: string;
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
  /** Where the model came from (botocore version and file). */
  readonly source: string;
  readonly operations: Readonly<Record<string, OperationModel>>;
  readonly shapes: Readonly<Record<string, Shape>>;
  readonly errors: Readonly<Record<string, ErrorModel>>;
}
