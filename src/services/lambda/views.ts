/**
 * A function as Lambda's API shows it (FunctionConfiguration). The fields and defaults are AWS's (API reference,
 * FunctionConfiguration; CreateFunction's defaults: Timeout 3, MemorySize 128, PackageType Zip, Architectures
 * x86_64, EphemeralStorage 512 MB, TracingConfig PassThrough, LoggingConfig Text to `/aws/lambda/<name>`).
 * LastModified is ISO 8601 with milliseconds and a `+0000` offset (`2019-11-14T01:28:46.148+0000`).
 *
 * State: AWS answers CreateFunction with State `Pending` (StateReasonCode `Creating`) and UpdateFunctionCode /
 * UpdateFunctionConfiguration with LastUpdateStatus `InProgress`, and settles a moment later. rolecall has
 * nothing to wait for, so the reply to the change shows the transition and every later read the settled state
 * (`Active`, `Successful`): clients that wait (`aws lambda wait function-active-v2`) return at once.
 */
import type { FunctionConfiguration } from '../../protocol/generated/lambda.ts';
import { LATEST } from './names.ts';
import type { FunctionRecord } from './state.ts';

export type Transition = 'creating' | 'updating' | undefined;

export const logGroupOf = (name: string): string => `/aws/lambda/${name}`;

export function lastModified(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function configurationOf(f: FunctionRecord, transition?: Transition): FunctionConfiguration {
  return {
    FunctionName: f.name,
    FunctionArn: f.arn,
    Runtime: f.runtime as FunctionConfiguration['Runtime'],
    Role: f.role,
    Handler: f.handler,
    CodeSize: f.codeSize,
    Description: f.description,
    Timeout: f.timeout,
    MemorySize: f.memorySize,
    LastModified: lastModified(f.lastModified),
    CodeSha256: f.codeSha256,
    Version: LATEST,
    ...(f.environment && { Environment: { Variables: { ...f.environment } } }),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: f.revisionId,
    ...(transition === 'creating'
      ? { State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating' }
      : { State: 'Active' }),
    ...(transition === 'updating'
      ? { LastUpdateStatus: 'InProgress' }
      : transition === 'creating'
        ? {}
        : { LastUpdateStatus: 'Successful' }),
    PackageType: 'Zip',
    // The generated type reads `"x86_64" | "arm64"[]` (a codegen precedence slip): the wire value is a list.
    Architectures: ['x86_64'] as unknown as FunctionConfiguration['Architectures'],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: logGroupOf(f.name) },
  };
}
