/**
 * What the gateway needs from a wire protocol (query, ec2, json, rest-xml, rest-json): name the operation a
 * request asks for, decode its input from the model's shape tables, and encode results and errors as AWS sends
 * them. Services never see any of this (shared/STYLE.md convention 4).
 */
import type { AwsError } from './errors.ts';
import type { ServiceModel } from './model.ts';
import type { ValidationProblem } from './query/validate.ts';
import type { SigV4Failure } from './sigv4/failure.ts';

export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/** A request as the codec sees it. `body` is the whole body, except for streaming operations (see `streams`). */
export interface WireRequest {
  readonly method: string;
  /** The raw path, without the query string. */
  readonly path: string;
  /** The raw query string, without '?'. */
  readonly query: string;
  readonly headers: HeaderMap;
  readonly body: Buffer;
}

export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** An async iterable is streamed (S3 object bodies); strings and buffers are sent whole. */
  readonly body: string | Uint8Array | AsyncIterable<Uint8Array>;
}

export interface DecodedInput {
  readonly input: Record<string, unknown>;
  readonly problems: readonly ValidationProblem[];
}

export interface Codec {
  /**
   * The operation the request names, read from the method, path, query and headers (never the body, except for
   * the query protocols, whose body holds the parameters and is always read first). Throws the protocol's
   * error for a request that names no operation the model serves.
   */
  operation(model: ServiceModel, req: WireRequest): string;
  /** True when the operation takes the request body as a stream (S3 PutObject, UploadPart). */
  streams(model: ServiceModel, operation: string): boolean;
  /** Decodes the input; `stream` is the (already authenticated and decoded) body of a streaming operation. */
  decode(model: ServiceModel, operation: string, req: WireRequest, stream?: AsyncIterable<Uint8Array>): DecodedInput;
  /** The protocol's error for constraint violations; `custom` is a service's own wording, when it has one. */
  validationError(model: ServiceModel, problems: readonly ValidationProblem[], custom: string | undefined): AwsError;
  authenticationError(model: ServiceModel, failure: SigV4Failure): AwsError;
  encodeResult(model: ServiceModel, operation: string, output: unknown, requestId: string): WireResponse;
  encodeError(model: ServiceModel, error: AwsError, requestId: string): WireResponse;
}
