/**
 * The contract between the Lambda API (src/services/lambda/) and the execution layer (src/lambda/): the API
 * keeps functions and decides who may invoke them; the execution layer runs one invocation in a warm or new
 * child process of the function's runtime and reports what AWS reports.
 */

/** Temporary credentials of the execution role, as issued by `issueRoleSession`. */
export interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** What the execution layer needs to know about a function to run it. */
export interface FunctionSpec {
  readonly functionName: string;
  readonly functionArn: string;
  /** `$LATEST`. */
  readonly version: string;
  /** nodejs18.x, nodejs20.x, nodejs22.x (the local node), python3.x (the local python3). */
  readonly runtime: string;
  /** `file.export` (Node.js) or `module.function` (Python), possibly under folders: `src/app.handler`. */
  readonly handler: string;
  /** A folder holding the unpacked deployment package; never written by the execution layer. */
  readonly codeDir: string;
  /** Changes whenever the code does: warm processes of another CodeSha256 are retired. */
  readonly codeSha256: string;
  /** Changes whenever the configuration does (environment, timeout, memory, role): likewise retired. */
  readonly revisionId: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly region: string;
  readonly logGroupName: string;
  /** rolecall's own endpoint, given to the function as AWS_ENDPOINT_URL. */
  readonly endpointUrl: string;
}

export interface InvocationResult {
  /** The handler's return value as JSON, or the error document {errorMessage, errorType, stackTrace}. */
  readonly payload: Buffer;
  /** Set when the function failed: `Unhandled` (thrown error, timeout, crash). */
  readonly functionError?: 'Unhandled';
  /** The log stream the invocation wrote to, and its lines (START, the function's output, END, REPORT). */
  readonly logStreamName: string;
  readonly logLines: readonly { readonly timestamp: number; readonly message: string }[];
  readonly durationMs: number;
  /** Whether a new process was started for this invocation (a cold start). */
  readonly coldStart: boolean;
}

export interface InvokeRequest {
  readonly spec: FunctionSpec;
  /** Asked for whenever a new process starts, or the running one's credentials are about to expire. */
  readonly credentials: () => Promise<RoleCredentials>;
  readonly payload: Buffer;
  /** AWS's request id of the invocation, printed in START/END/REPORT and given to the handler's context. */
  readonly requestId: string;
}

/** Runs invocations; one at a time per process, warm processes reused, a cap on processes in all. */
export interface FunctionRunner {
  invoke(request: InvokeRequest): Promise<InvocationResult>;
  /** Stops the function's processes (deleted or changed). */
  retire(functionArn: string): Promise<void>;
  close(): Promise<void>;
}
