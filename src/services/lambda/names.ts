/**
 * Function names and ARNs, and Lambda's errors about them. A FunctionName may be a name (`my-function`), a
 * partial ARN (`123456789012:function:my-function`) or a full ARN, each optionally with a qualifier
 * (`my-function:$LATEST`); the account and region of an ARN say whose function it is (API reference, Invoke,
 * FunctionName). rolecall keeps only `$LATEST`: no versions or aliases.
 *
 * Error texts, as AWS answers them:
 * - `Function not found: arn:aws:lambda:REGION:ACCOUNT:function:NAME` (404; amazon-archives/aws-training-demo#8,
 *   awslabs/mxnet-lambda#1, aarondfrancis/sidecar#23 — there with the qualifier at the end);
 * - `Function already exist: NAME` (409; hashicorp/terraform#15929, nficano/python-lambda#38);
 * - `The resource you requested does not exist.` for a function without a policy (GetPolicy;
 *   aws/aws-toolkit-vscode#418, prowler-cloud/prowler#1732).
 */
import { AwsError } from '../../protocol/errors.ts';

export const LATEST = '$LATEST';

export interface FunctionAddress {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly qualifier?: string;
}

export const functionArn = (region: string, account: string, name: string): string =>
  `arn:aws:lambda:${region}:${account}:function:${name}`;

const FULL = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_.]+)(?::([^:]+))?$/;
const PARTIAL = /^(\d{12}):function:([a-zA-Z0-9-_.]+)(?::([^:]+))?$/;
const PLAIN = /^([a-zA-Z0-9-_.]+)(?::([^:]+))?$/;

/** Whose function a FunctionName names; undefined when it is none of the accepted forms. */
export function addressOf(functionName: string, account: string, region: string): FunctionAddress | undefined {
  const withQualifier = (a: FunctionAddress, q: string | undefined): FunctionAddress =>
    q === undefined ? a : { ...a, qualifier: q };
  let m = FULL.exec(functionName);
  if (m) return withQualifier({ region: m[1] ?? '', account: m[2] ?? '', name: m[3] ?? '' }, m[4]);
  m = PARTIAL.exec(functionName);
  if (m) return withQualifier({ region, account: m[1] ?? '', name: m[2] ?? '' }, m[3]);
  m = PLAIN.exec(functionName);
  if (m) return withQualifier({ region, account, name: m[1] ?? '' }, m[2]);
  return undefined;
}

/** The ARN a request acts on, for authorization and messages: qualified when the request names a qualifier. */
export function addressArn(a: FunctionAddress): string {
  const arn = functionArn(a.region, a.account, a.name);
  return a.qualifier === undefined ? arn : `${arn}:${a.qualifier}`;
}

export const functionNotFound = (arn: string): AwsError =>
  new AwsError('ResourceNotFoundException', 404, `Function not found: ${arn}`);

export const functionExists = (name: string): AwsError =>
  new AwsError('ResourceConflictException', 409, `Function already exist: ${name}`);

export const resourceNotFound = (): AwsError =>
  new AwsError('ResourceNotFoundException', 404, 'The resource you requested does not exist.');

export const invalidParameter = (message: string): AwsError =>
  new AwsError('InvalidParameterValueException', 400, message);

/**
 * A RevisionId that is not the function's current one (UpdateFunctionCode, UpdateFunctionConfiguration,
 * AddPermission, RemovePermission): PreconditionFailedException, 412 (the model's error; text as AWS words it).
 */
export const revisionMismatch = (): AwsError =>
  new AwsError(
    'PreconditionFailedException',
    412,
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );
