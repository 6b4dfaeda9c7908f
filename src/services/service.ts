/**
 * What a service is to the gateway: its generated model and one handler per operation. A handler receives the
 * typed input and the request's context and returns the typed output or throws an AwsError; it never sees
 * HTTP or XML (shared/STYLE.md convention 4).
 */
import type { AuthorizationPlan } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { Codec, HeaderMap } from '../protocol/codec.ts';
import type { AwsError } from '../protocol/errors.ts';
import type { ServiceModel } from '../protocol/model.ts';
import type { ValidationProblem } from '../protocol/query/validate.ts';

export interface OperationContext {
  readonly requestId: string;
  readonly service: string;
  readonly operation: string;
  readonly principal: Principal;
  /** The account the request acts in: the caller's. */
  readonly account: string;
  /** The region from the request's credential scope. */
  readonly region: string;
  readonly now: Date;
  /** The request's headers, for the few operations whose behaviour depends on more than their input. */
  readonly headers: HeaderMap;
  readonly sourceIp: string;
  /**
   * Whether the caller may also do these (S3: a missing key is NoSuchKey only to callers who may list the
   * bucket; DeleteObjects decides each key). Follows the enforcement mode, like the request's own check.
   */
  readonly allows: (plan: AuthorizationPlan) => boolean;
}

export type Handler<I, O> = (input: I, ctx: OperationContext) => Promise<O> | O;

export type Handlers<Ops> = {
  [K in keyof Ops]: Ops[K] extends { input: infer I; output: infer O } ? Handler<I, O> : never;
};

export interface ServiceDefinition {
  readonly model: ServiceModel;
  /** Untyped view used by the gateway after decoding; each service builds it from its typed Handlers. */
  readonly handlers: Readonly<Record<string, Handler<never, unknown>>>;
  /**
   * A service's own answer to some constraint violations: a message in the protocol's validation error, or an
   * error of its own; undefined keeps the generic message.
   */
  readonly describeInvalid?: (problems: readonly ValidationProblem[]) => string | AwsError | undefined;
  /** The wire protocol, when the model's protocol alone does not say (rest-xml: S3's dialect). */
  readonly codec?: Codec;
  /**
   * What a request must be allowed to do, for services whose resources carry their own policies (S3 bucket
   * policies): the checks and the resource policy. Without it the action and resources come from the catalogue.
   */
  readonly authorization?: (
    operation: string,
    input: Readonly<Record<string, unknown>>,
    principal: Principal,
    region: string,
  ) => AuthorizationPlan | undefined;
}

/** Pairs a model with handlers typed by the generated operation table. */
export function defineService<Ops>(
  model: ServiceModel,
  handlers: Handlers<Ops>,
  describeInvalid?: ServiceDefinition['describeInvalid'],
  extra: Pick<ServiceDefinition, 'codec' | 'authorization'> = {},
): ServiceDefinition {
  return {
    model,
    handlers: handlers as unknown as Record<string, Handler<never, unknown>>,
    ...(describeInvalid && { describeInvalid }),
    ...extra,
  };
}
