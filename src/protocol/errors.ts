/**
 * Typed AWS errors. A service handler throws one of these; the protocol codec turns it into the wire form
 * (query ErrorResponse, EC2 Response/Errors, …). Modelled errors get a subclass each in src/protocol/generated/;
 * errors AWS returns without modelling them (ValidationError, AccessDenied, InvalidAction, …) are built here.
 */

export type Fault = 'Sender' | 'Receiver';

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: Fault;
  /**
   * Extra elements some protocols put beside Code and Message (S3: BucketName, Key, RequestTime, …), in order.
   */
  readonly details: Readonly<Record<string, string>>;
  /** Response headers that go with the error (S3: x-amz-delete-marker, Allow, …). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: string,
    status: number,
    message: string,
    fault: Fault = status >= 500 ? 'Receiver' : 'Sender',
    details: Readonly<Record<string, string>> = {},
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.fault = fault;
    this.details = details;
    this.headers = headers;
  }
}

export const isAwsError = (err: unknown): err is AwsError => err instanceof AwsError;

/** Errors common to the query-based protocols that no model lists. */
export const commonErrors = {
  validation: (message: string) => new AwsError('ValidationError', 400, message),
  invalidAction: (message: string) => new AwsError('InvalidAction', 400, message),
  missingAction: () => new AwsError('MissingAction', 400, 'Missing Action'),
  accessDenied: (message: string) => new AwsError('AccessDenied', 403, message),
  notImplemented: (message: string) => new AwsError('NotImplemented', 501, message),
  internal: (message = 'We encountered an internal error. Please try again.') =>
    new AwsError('InternalFailure', 500, message, 'Receiver'),
};
