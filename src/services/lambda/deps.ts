/** What the Lambda service is built from; server.ts assembles it (see index.ts). */
import type { Logger } from 'pino';
import type { AuthorizationPlan } from '../../auth/authorize.ts';
import type { Principal } from '../../auth/principal.ts';
import type { SessionClaims } from '../../auth/session-token.ts';
import type { FunctionRunner } from '../../lambda/types.ts';
import type { Clock } from '../../model/clock.ts';
import type { IamState } from '../../state/iam-state.ts';
import type { S3State } from '../../state/s3-state.ts';
import type { BlobStore } from '../../store/blobs/blob-store.ts';
import type { LogsState } from '../logs/state.ts';
import type { CodeStore } from './code.ts';
import type { CodeLocations } from './code-location.ts';
import type { ExecutionCredentials } from './roles.ts';
import type { LambdaState } from './state.ts';

export interface LambdaDeps {
  readonly state: LambdaState;
  readonly code: CodeStore;
  /** Signs GetFunction's Code.Location URLs. */
  readonly codeLocations: CodeLocations;
  readonly iam: IamState;
  /** Where S3Bucket/S3Key packages are read from. */
  readonly s3: S3State;
  readonly blobs: BlobStore;
  /** Where function output goes (`/aws/lambda/<name>`), when the execution role may write it. */
  readonly logs: LogsState;
  readonly clock: Clock;
  readonly credentials: ExecutionCredentials;
  readonly runner: FunctionRunner;
  /** rolecall's own endpoint, known once the server listens: the functions' AWS_ENDPOINT_URL. */
  readonly endpointUrl: () => string;
  /**
   * Whether a principal other than the caller (the execution role's session) may do what the plan names: the
   * pipeline's authorizer and enforcement mode, for rolecall's own requests on a function's behalf.
   */
  readonly authorizeAs: (principal: Principal, plan: AuthorizationPlan, region: string) => boolean;
  /** The principal a session's claims describe (auth/credentials.ts sessionPrincipal). */
  readonly sessionPrincipal: (claims: SessionClaims) => Principal | undefined;
  readonly log: Logger;
  /** Event invocations still running; the server waits for them on shutdown. */
  readonly background: Set<Promise<unknown>>;
}
