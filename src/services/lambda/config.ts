/**
 * Checks of a function's configuration that the model's constraints do not make: which runtimes rolecall can run,
 * the handler, limits AWS enforces beyond the model (Timeout ≤ 900 s, MemorySize ≤ 10,240 MB), and environment
 * variables (reserved keys, 4 KB). Messages are AWS's where it has one:
 * - deprecated runtimes: `The runtime parameter of nodejs12.x is no longer supported for creating or updating AWS
 *   Lambda functions. We recommend you use the new runtime (nodejs22.x) while creating or updating functions.`
 *   (Lambda runtime deprecation policy; the CLI's answer quoted in many deprecation threads);
 * - reserved keys: `Lambda was unable to configure your environment variables because the environment variables
 *   you have provided contains reserved keys that are currently not supported for modification. Reserved keys used
 *   in this request: AWS_REGION` (the reserved names are the Lambda Developer Guide's "Defined runtime environment
 *   variables");
 * - a runtime AWS serves but rolecall cannot run (java, dotnet, ruby, provided, nodejs24.x…): rolecall's own
 *   message, saying so, instead of accepting a function that could never run.
 */
import { invalidParameter } from './names.ts';

/** Node.js runtimes run on the local node, Python ones on the local python3 (issue 8). */
export const RUNNABLE = new Set([
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
]);

const DEPRECATED: Readonly<Record<string, string>> = {
  nodejs: 'nodejs22.x',
  'nodejs4.3': 'nodejs22.x',
  'nodejs4.3-edge': 'nodejs22.x',
  'nodejs6.10': 'nodejs22.x',
  'nodejs8.10': 'nodejs22.x',
  'nodejs10.x': 'nodejs22.x',
  'nodejs12.x': 'nodejs22.x',
  'nodejs14.x': 'nodejs22.x',
  'nodejs16.x': 'nodejs22.x',
  'python2.7': 'python3.13',
  'python3.6': 'python3.13',
  'python3.7': 'python3.13',
  'python3.8': 'python3.13',
  'dotnetcore1.0': 'dotnet8',
  'dotnetcore2.0': 'dotnet8',
  'dotnetcore2.1': 'dotnet8',
  'dotnetcore3.1': 'dotnet8',
  'ruby2.5': 'ruby3.3',
  'ruby2.7': 'ruby3.3',
  'go1.x': 'provided.al2023',
};

export function checkRuntime(runtime: string): void {
  const successor = DEPRECATED[runtime];
  if (successor !== undefined) {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${successor}) while creating or updating functions.`,
    );
  }
  if (!RUNNABLE.has(runtime)) {
    throw invalidParameter(
      `rolecall cannot run the runtime ${runtime}: it runs nodejs18.x, nodejs20.x and nodejs22.x on the local node, and python3.9 to python3.14 on the local python3.`,
    );
  }
}

/**
 * `file.export` for Node.js, `module.function` for Python, possibly under folders (`src/app.handler`): the
 * last dot splits the module path from the function name.
 */
export function checkHandler(handler: string): void {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1 || handler.startsWith('/') || handler.split('/').includes('..')) {
    throw invalidParameter(
      `rolecall cannot find a module and a function in the handler '${handler}': it must be <module path>.<function>, such as index.handler.`,
    );
  }
}

export const MAX_TIMEOUT = 900;
export const MAX_MEMORY = 10_240;

export function checkLimits(timeout: number | undefined, memorySize: number | undefined): void {
  if (timeout !== undefined && timeout > MAX_TIMEOUT) {
    throw invalidParameter(
      `1 validation error detected: Value '${timeout}' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to ${MAX_TIMEOUT}`,
    );
  }
  if (memorySize !== undefined && memorySize > MAX_MEMORY) {
    throw invalidParameter(
      `'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to ${MAX_MEMORY}`,
    );
  }
}

/** Defined runtime environment variables a function may not set (Lambda Developer Guide). */
const RESERVED = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** Environment variables together may hold 4 KB (Lambda quotas). */
const MAX_ENVIRONMENT_BYTES = 4096;

export function checkEnvironment(variables: Readonly<Record<string, string>> | undefined): void {
  if (!variables) return;
  const reserved = Object.keys(variables).filter((k) => RESERVED.has(k));
  if (reserved.length > 0) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured, 'utf8') > MAX_ENVIRONMENT_BYTES) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
}
