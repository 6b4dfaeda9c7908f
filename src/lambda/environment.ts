/**
 * The environment of a function's process, built from nothing: rolecall's own variables (its AWS_* credentials,
 * ROLECALL_* settings, NODE_OPTIONS…) never reach the function. A few host variables the runtimes need, then the
 * function's own variables, then the variables Lambda reserves, which win over the function's as on AWS (where
 * CreateFunction refuses them). AWS_ENDPOINT_URL is not reserved on AWS, but here it wins too: the function's
 * credentials are rolecall's, and only rolecall can check them.
 *
 * Reserved variables: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionSpec, RoleCredentials } from './types.ts';
import { PACKAGE_ROOT, RUNTIMES_DIR, type RuntimeLanguage } from './runtimes.ts';

/** Host variables a runtime may need to start and find its libraries; nothing else of rolecall's is passed on. */
const HOST_VARIABLES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'SYSTEMROOT'] as const;

/**
 * AWS's Node.js runtimes come with the SDK for JavaScript v3 (NODE_PATH includes /var/runtime/node_modules). Here
 * require() of `@aws-sdk/*` resolves from rolecall's own node_modules when it has the client installed.
 */
const NODE_MODULES = join(PACKAGE_ROOT, 'node_modules');

export interface ProcessIdentity {
  readonly logStreamName: string;
  readonly credentials: RoleCredentials;
}

export function functionEnvironment(
  spec: FunctionSpec,
  language: RuntimeLanguage,
  identity: ProcessIdentity,
  host: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of HOST_VARIABLES) {
    const value = host[name];
    if (value !== undefined) env[name] = value;
  }
  if (language === 'node' && existsSync(NODE_MODULES)) env['NODE_PATH'] = NODE_MODULES;
  // TZ, like PATH, LANG and NODE_PATH, is not reserved on AWS: a function may set its own.
  env['TZ'] = ':UTC';
  Object.assign(env, spec.environment);
  const { credentials } = identity;
  Object.assign(env, {
    _HANDLER: spec.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: identity.logStreamName,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    // The SDKs (JS v3, botocore, the CLI) send every call to rolecall, the function's own cloud.
    AWS_ENDPOINT_URL: spec.endpointUrl,
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: join(RUNTIMES_DIR, language),
  });
  return env;
}
