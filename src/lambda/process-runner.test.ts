// The process runner against real child processes of the local node and python3: return values, errors and
// their documents, import errors, timeouts and crashes, warm reuse, the function's environment, the log lines,
// the cap on processes, and that retire() and close() leave no process behind. Python cases skip when python3
// is missing. Code folders are written to a temporary folder per test file.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createProcessRunner, isUnsupportedRuntime } from './process-runner.ts';
import type { FunctionRunner, FunctionSpec, InvocationResult, RoleCredentials } from './types.ts';

const root = mkdtempSync(join(tmpdir(), 'rolecall-lambda-runner-'));
after(() => rmSync(root, { recursive: true, force: true }));

const hasPython = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const python = hasPython ? {} : { skip: 'python3 is not installed' };
const hasSetpriv =
  process.platform === 'linux' &&
  (() => {
    try {
      execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

let folders = 0;
/** A code folder holding the given files. */
function code(files: Record<string, string>): string {
  const dir = join(root, `fn${++folders}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const NODE_CODE = {
  'index.js': `
console.log('loading');
exports.handler = async (event, context) => {
  console.log('event', JSON.stringify(event));
  return { pid: process.pid, echo: event, cwd: process.cwd(), argv: process.argv.length,
    context: { awsRequestId: context.awsRequestId, functionName: context.functionName,
      functionVersion: context.functionVersion, invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB, logGroupName: context.logGroupName,
      logStreamName: context.logStreamName, remaining: context.getRemainingTimeInMillis() } };
};
exports.env = async () => process.env;
exports.fail = async () => { const e = new TypeError('bad input'); throw e; };
exports.callback = (event, context, callback) => { setTimeout(() => callback(null, { via: 'callback' }), 1); };
exports.callbackError = (event, context, callback) => { callback(new RangeError('too far')); };
exports.hang = () => { console.log('pid ' + process.pid); return new Promise(() => {}); };
exports.crash = () => { console.log('pid ' + process.pid); process.exit(7); };
exports.spinWithPidFile = () => { require('fs').writeFileSync(process.env.PID_FILE, String(process.pid)); for (;;) {} };
exports.slow = async () => { await new Promise((r) => setTimeout(r, 300)); return process.pid; };
exports.loud = async () => {
  process.stdout.write('y'.repeat(300 * 1024));
  const line = 'x'.repeat(1023) + '\\n';
  for (let i = 0; i < 17 * 1024; i++) process.stdout.write(line);
  return 'done';
};
exports.notAFunction = 42;
exports.nested = { deeper: { handler: async () => 'nested' } };
`,
  'esm.mjs': `export const handler = async (event) => ({ esm: true, event });`,
  'common.cjs': `module.exports.handler = async () => 'cjs';`,
  'src/app/main.js': `exports.run = async () => 'in a folder';`,
};

const PYTHON_CODE = {
  'app.py': `
import os
print("loading")
def handler(event, context):
    print("event", event)
    return {"pid": os.getpid(), "echo": event, "cwd": os.getcwd(), "context": {
        "aws_request_id": context.aws_request_id, "function_name": context.function_name,
        "function_version": context.function_version, "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb, "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name, "remaining": context.get_remaining_time_in_millis()}}
def env(event, context):
    return dict(os.environ)
def fail(event, context):
    raise ValueError("bad value")
def unserializable(event, context):
    return {"s": {1, 2}}
`,
  'pkg/mod.py': `def handler(event, context):\n    return "in a package"\n`,
  'broken.py': `import not_a_module_anywhere\n`,
};

const credentials = (expiresInMs = 3_600_000): RoleCredentials => ({
  accessKeyId: 'ASIAFUNCTIONROLEKEY1',
  secretAccessKey: 'function-secret',
  sessionToken: 'function-token',
  expiration: new Date(Date.now() + expiresInMs),
});

let functions = 0;
function spec(codeDir: string, runtime: string, handler: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  const functionName = overrides.functionName ?? `fn-${++functions}`;
  return {
    functionName,
    functionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    version: '$LATEST',
    runtime,
    handler,
    codeDir,
    codeSha256: 'sha-1',
    revisionId: 'rev-1',
    timeoutSeconds: 30,
    memorySizeMb: 256,
    environment: {},
    region: 'eu-west-1',
    logGroupName: `/aws/lambda/${functionName}`,
    endpointUrl: 'http://127.0.0.1:45999',
    ...overrides,
  };
}

let requests = 0;
const requestId = () => `00000000-0000-4000-8000-${String(++requests).padStart(12, '0')}`;

function invoke(
  runner: FunctionRunner,
  s: FunctionSpec,
  event: unknown = {},
  creds: () => Promise<RoleCredentials> = async () => credentials(),
): Promise<InvocationResult> {
  return runner.invoke({
    spec: s,
    credentials: creds,
    payload: Buffer.from(JSON.stringify(event)),
    requestId: requestId(),
  });
}

const json = (r: InvocationResult) => JSON.parse(r.payload.toString('utf8')) as Record<string, unknown>;
const messages = (r: InvocationResult) => r.logLines.map((l) => l.message);
/** Running, not merely a zombie waiting for an init process that may not reap it (containers). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};
const pidFromLog = (r: InvocationResult) => Number(/pid (\d+)/.exec(messages(r).join(''))?.[1]);

const log = pino({ level: 'silent' });

describe('process runner: Node.js', () => {
  let runner: FunctionRunner;
  let dir: string;
  before(() => {
    runner = createProcessRunner({ log, maxProcesses: 4 });
    dir = code(NODE_CODE);
  });
  after(() => runner.close());

  it('returns the handler’s value, cold first and then warm in the same process', async () => {
    const s = spec(dir, 'nodejs20.x', 'index.handler');
    const first = await invoke(runner, s, { n: 1 });
    const second = await invoke(runner, s, { n: 2 });
    assert.equal(first.functionError, undefined);
    assert.equal(first.coldStart, true);
    assert.equal(second.coldStart, false);
    assert.deepEqual(json(first)['echo'], { n: 1 });
    assert.deepEqual(json(second)['echo'], { n: 2 });
    assert.equal(json(first)['pid'], json(second)['pid']);
    assert.equal(json(first)['cwd'], dir);
    assert.equal(json(first)['argv'], 2, 'the function sees no extra arguments');
    assert.equal(first.logStreamName, second.logStreamName);
    assert.match(first.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
  });

  it('gives the handler AWS’s context object', async () => {
    const s = spec(dir, 'nodejs22.x', 'index.handler');
    const r = await invoke(runner, s);
    const context = json(r)['context'] as Record<string, unknown>;
    assert.match(String(context['awsRequestId']), /^00000000-0000-4000-8000-/);
    assert.equal(context['functionName'], s.functionName);
    assert.equal(context['functionVersion'], '$LATEST');
    assert.equal(context['invokedFunctionArn'], s.functionArn);
    assert.equal(context['memoryLimitInMB'], '256');
    assert.equal(context['logGroupName'], s.logGroupName);
    assert.equal(context['logStreamName'], r.logStreamName);
    assert.ok(Number(context['remaining']) > 0 && Number(context['remaining']) <= 30_000);
  });

  it('writes START, the function’s lines, END and REPORT, with Init Duration on a cold start only', async () => {
    const s = spec(dir, 'nodejs20.x', 'index.handler');
    const cold = await invoke(runner, s, { k: 'v' });
    const warm = await invoke(runner, s, { k: 'w' });
    const lines = messages(cold);
    assert.match(lines[0] ?? '', /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\tundefined\tINFO\tloading\n$/, 'init output comes first');
    const id = /^START RequestId: (\S+) Version: \$LATEST\n$/.exec(lines[1] ?? '')?.[1];
    assert.ok(id !== undefined, lines[1]);
    assert.match(lines[2] ?? '', new RegExp(`^\\d{4}-[\\d-]+T[\\d:.]+Z\\t${id}\\tINFO\\tevent {"k":"v"}\\n$`));
    assert.equal(lines[3], `END RequestId: ${id}\n`);
    assert.match(
      lines[4] ?? '',
      new RegExp(
        `^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\t` +
          `Max Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t\\n$`,
      ),
    );
    assert.equal(lines.length, 5);
    const warmLines = messages(warm);
    assert.match(warmLines[0] ?? '', /^START RequestId: /);
    assert.match(warmLines.at(-1) ?? '', /^REPORT RequestId: .*Max Memory Used: \d+ MB\t\n$/);
    assert.doesNotMatch(warmLines.at(-1) ?? '', /Init Duration/);
    for (const line of [...cold.logLines, ...warm.logLines]) assert.equal(typeof line.timestamp, 'number');
  });

  it('answers a thrown error as Unhandled with {errorType, errorMessage, trace}, and logs it', async () => {
    const r = await invoke(runner, spec(dir, 'nodejs20.x', 'index.fail'));
    assert.equal(r.functionError, 'Unhandled');
    const doc = json(r);
    assert.deepEqual(Object.keys(doc), ['errorType', 'errorMessage', 'trace']);
    assert.equal(doc['errorType'], 'TypeError');
    assert.equal(doc['errorMessage'], 'bad input');
    assert.equal((doc['trace'] as string[])[0], 'TypeError: bad input');
    assert.ok(
      messages(r).some((m) => /\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"bad input"/.test(m)),
    );
  });

  it('supports callback-style handlers, and errors passed to the callback', async () => {
    assert.deepEqual(json(await invoke(runner, spec(dir, 'nodejs18.x', 'index.callback'))), { via: 'callback' });
    const r = await invoke(runner, spec(dir, 'nodejs18.x', 'index.callbackError'));
    assert.equal(r.functionError, 'Unhandled');
    assert.equal(json(r)['errorType'], 'RangeError');
    assert.equal(json(r)['errorMessage'], 'too far');
  });

  it('loads .mjs, .cjs, ES modules by package.json, handlers in folders and nested exports', async () => {
    assert.deepEqual(json(await invoke(runner, spec(dir, 'nodejs20.x', 'esm.handler'), { a: 1 })), {
      esm: true,
      event: { a: 1 },
    });
    assert.equal(json(await invoke(runner, spec(dir, 'nodejs20.x', 'common.handler'))), 'cjs');
    assert.equal(json(await invoke(runner, spec(dir, 'nodejs20.x', 'src/app/main.run'))), 'in a folder');
    assert.equal(json(await invoke(runner, spec(dir, 'nodejs20.x', 'index.nested.deeper.handler'))), 'nested');
    const esmPackage = code({
      'package.json': '{"type":"module"}',
      'index.js': `export const handler = async () => ({ esm: typeof require === 'undefined' });`,
    });
    assert.deepEqual(json(await invoke(runner, spec(esmPackage, 'nodejs22.x', 'index.handler'))), { esm: true });
  });

  it('reports a missing module or handler as AWS does', async () => {
    const missing = await invoke(runner, spec(dir, 'nodejs20.x', 'nothere.handler'));
    assert.equal(missing.functionError, 'Unhandled');
    assert.equal(json(missing)['errorType'], 'Runtime.ImportModuleError');
    assert.match(String(json(missing)['errorMessage']), /^Error: Cannot find module 'nothere'/);
    assert.match(messages(missing).at(-1) ?? '', /Status: error\tError Type: Runtime.ImportModuleError\t\n$/);
    const notExported = await invoke(runner, spec(dir, 'nodejs20.x', 'index.missing'));
    assert.equal(json(notExported)['errorType'], 'Runtime.HandlerNotFound');
    assert.equal(json(notExported)['errorMessage'], 'index.missing is undefined or not exported');
    const notAFunction = await invoke(runner, spec(dir, 'nodejs20.x', 'index.notAFunction'));
    assert.equal(json(notAFunction)['errorMessage'], 'index.notAFunction is not a function');
    const malformed = await invoke(runner, spec(dir, 'nodejs20.x', 'index'));
    assert.equal(json(malformed)['errorType'], 'Runtime.MalformedHandlerName');
  });

  it('kills the process on timeout and reports Task timed out', async () => {
    const s = spec(dir, 'nodejs20.x', 'index.hang', { timeoutSeconds: 1 });
    const r = await invoke(runner, s);
    assert.equal(r.functionError, 'Unhandled');
    assert.match(
      r.payload.toString(),
      /^\{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: \S+ Error: Task timed out after 1.00 seconds"\}$/,
    );
    assert.ok(messages(r).some((m) => /^\d{4}-[\d-]+T[\d:.]+Z \S+ Task timed out after 1.00 seconds\n$/.test(m)));
    assert.match(messages(r).at(-1) ?? '', /\tStatus: timeout\t\n$/);
    const pid = pidFromLog(r);
    assert.ok(pid > 0);
    assert.equal(alive(pid), false, 'the timed-out process is gone');
    const again = await invoke(runner, spec(dir, 'nodejs20.x', 'index.handler', { functionName: s.functionName }));
    assert.equal(again.coldStart, true);
  });

  it('reports a process that exits during the invocation as Runtime.ExitError', async () => {
    const r = await invoke(runner, spec(dir, 'nodejs20.x', 'index.crash'));
    assert.equal(r.functionError, 'Unhandled');
    const doc = json(r);
    assert.equal(doc['errorType'], 'Runtime.ExitError');
    assert.match(String(doc['errorMessage']), /^RequestId: \S+ Error: Runtime exited with error: exit status 7$/);
    assert.equal(alive(pidFromLog(r)), false);
  });

  it('builds the environment from scratch: reserved variables win, nothing of rolecall’s leaks', async () => {
    process.env['AWS_SECRET_ACCESS_KEY'] = 'rolecall-own-secret';
    process.env['ROLECALL_TEST_SETTING'] = 'internal';
    try {
      const s = spec(dir, 'nodejs20.x', 'index.env', {
        environment: { MY_SETTING: 'mine', AWS_REGION: 'us-west-2', AWS_LAMBDA_FUNCTION_NAME: 'spoofed' },
      });
      const r = await invoke(runner, s);
      const env = json(r) as Record<string, string>;
      assert.equal(env['MY_SETTING'], 'mine');
      assert.equal(env['AWS_REGION'], 'eu-west-1');
      assert.equal(env['AWS_DEFAULT_REGION'], 'eu-west-1');
      assert.equal(env['AWS_LAMBDA_FUNCTION_NAME'], s.functionName);
      assert.equal(env['AWS_LAMBDA_FUNCTION_VERSION'], '$LATEST');
      assert.equal(env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'], '256');
      assert.equal(env['AWS_LAMBDA_LOG_GROUP_NAME'], s.logGroupName);
      assert.equal(env['AWS_LAMBDA_LOG_STREAM_NAME'], r.logStreamName);
      assert.equal(env['AWS_EXECUTION_ENV'], 'AWS_Lambda_nodejs20.x');
      assert.equal(env['AWS_ACCESS_KEY_ID'], 'ASIAFUNCTIONROLEKEY1');
      assert.equal(env['AWS_SECRET_ACCESS_KEY'], 'function-secret');
      assert.equal(env['AWS_SESSION_TOKEN'], 'function-token');
      assert.equal(env['AWS_ENDPOINT_URL'], 'http://127.0.0.1:45999');
      assert.equal(env['LAMBDA_TASK_ROOT'], dir);
      assert.equal(env['_HANDLER'], 'index.env');
      assert.equal(env['TZ'], ':UTC');
      assert.equal(env['PATH'], process.env['PATH']);
      assert.equal(env['ROLECALL_TEST_SETTING'], undefined);
      assert.equal(env['NODE_OPTIONS'], undefined);
      const unexpected = Object.keys(env).filter(
        (k) => (k.startsWith('AWS_') || k.startsWith('ROLECALL_')) && !EXPECTED_AWS.has(k),
      );
      assert.deepEqual(unexpected, []);
    } finally {
      delete process.env['AWS_SECRET_ACCESS_KEY'];
      delete process.env['ROLECALL_TEST_SETTING'];
    }
  });

  it('starts a new process when the code or configuration changed, and stops the old one', async () => {
    const s = spec(dir, 'nodejs20.x', 'index.handler');
    const first = await invoke(runner, s);
    const changed = await invoke(runner, { ...s, codeSha256: 'sha-2' });
    assert.equal(changed.coldStart, true);
    assert.notEqual(json(changed)['pid'], json(first)['pid']);
    assert.equal(alive(Number(json(first)['pid'])), false);
    const reconfigured = await invoke(runner, { ...s, codeSha256: 'sha-2', revisionId: 'rev-2' });
    assert.equal(reconfigured.coldStart, true);
  });

  it('starts a new process, with new credentials, when the credentials are about to expire', async () => {
    const s = spec(dir, 'nodejs20.x', 'index.handler');
    let asked = 0;
    const short = async () => {
      asked++;
      return credentials(10 * 60_000);
    };
    const first = await invoke(runner, s, {}, short);
    const second = await invoke(runner, s, {}, short);
    assert.equal(asked, 2);
    assert.equal(second.coldStart, true);
    assert.notEqual(json(first)['pid'], json(second)['pid']);
  });

  it('reuses a process only if its credentials outlast the invocation’s timeout by the refresh margin', async () => {
    let asked = 0;
    const twentyMinutes = async () => {
      asked++;
      return credentials(20 * 60_000);
    };
    const quick = spec(dir, 'nodejs20.x', 'index.handler', { timeoutSeconds: 30 });
    await invoke(runner, quick, {}, twentyMinutes);
    assert.equal((await invoke(runner, quick, {}, twentyMinutes)).coldStart, false);
    const long = spec(dir, 'nodejs20.x', 'index.handler', { timeoutSeconds: 600 });
    await invoke(runner, long, {}, twentyMinutes);
    assert.equal((await invoke(runner, long, {}, twentyMinutes)).coldStart, true, '20 min < 15 min + 10 min');
    assert.equal(asked, 3);
  });

  it('bounds what it keeps of the function’s output', async () => {
    const r = await invoke(runner, spec(dir, 'nodejs20.x', 'index.loud'));
    assert.equal(json(r) as unknown, 'done');
    const lines = messages(r);
    assert.ok(
      lines.every((m) => m.length <= 256 * 1024),
      'no line longer than a CloudWatch Logs event',
    );
    const start = lines.findIndex((m) => m.startsWith('START '));
    assert.match(lines[start + 1] ?? '', /^y+\n$/, 'a long line without newline is cut');
    assert.ok(lines.some((m) => /^rolecall: \d+ more log lines were dropped \(over 16 MiB of output\)\n$/.test(m)));
    assert.match(lines.at(-1) ?? '', /^REPORT /);
  });

  it('rejects a python runtime when python3 is missing', async () => {
    const noPython = createProcessRunner({ log, pythonCommand: join(root, 'no-such-python3') });
    try {
      await assert.rejects(invoke(noPython, spec(dir, 'python3.12', 'app.handler')), (err: unknown) => {
        assert.ok(isUnsupportedRuntime(err));
        assert.match(err.message, /python3\.12 needs python3/);
        return true;
      });
    } finally {
      await noPython.close();
    }
  });

  it('rejects a runtime it cannot run', async () => {
    await assert.rejects(invoke(runner, spec(dir, 'java21', 'example.Handler')), (err: unknown) =>
      isUnsupportedRuntime(err),
    );
  });
});

/** The AWS_* variables a function gets, and nothing else. */
const EXPECTED_AWS = new Set([
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_EXECUTION_ENV',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
]);

describe('process runner: Python', python, () => {
  let runner: FunctionRunner;
  let dir: string;
  before(() => {
    runner = createProcessRunner({ log, maxProcesses: 4 });
    dir = code(PYTHON_CODE);
  });
  after(() => runner.close());

  it('returns the handler’s value, warm in the same process, with AWS’s context object', async () => {
    const s = spec(dir, 'python3.12', 'app.handler');
    const first = await invoke(runner, s, { n: 1 });
    const second = await invoke(runner, s, { n: 2 });
    assert.equal(first.functionError, undefined);
    assert.equal(first.coldStart, true);
    assert.equal(second.coldStart, false);
    assert.equal(json(first)['pid'], json(second)['pid']);
    assert.deepEqual(json(second)['echo'], { n: 2 });
    assert.equal(json(first)['cwd'], dir);
    const context = json(first)['context'] as Record<string, unknown>;
    assert.equal(context['function_name'], s.functionName);
    assert.equal(context['function_version'], '$LATEST');
    assert.equal(context['invoked_function_arn'], s.functionArn);
    assert.equal(context['memory_limit_in_mb'], '256');
    assert.equal(context['log_group_name'], s.logGroupName);
    assert.equal(context['log_stream_name'], first.logStreamName);
    assert.ok(Number(context['remaining']) > 0);
    const lines = messages(first);
    assert.equal(lines[0], 'loading\n');
    assert.match(lines[1] ?? '', /^START RequestId: \S+ Version: \$LATEST\n$/);
    assert.equal(lines[2], "event {'n': 1}\n");
    assert.match(lines[3] ?? '', /^END RequestId: /);
    assert.match(lines[4] ?? '', /^REPORT RequestId: .*\tInit Duration: \d+\.\d\d ms\t\n$/);
  });

  it('answers a raised exception with {errorMessage, errorType, requestId, stackTrace}, and logs it', async () => {
    const r = await invoke(runner, spec(dir, 'python3.11', 'app.fail'));
    assert.equal(r.functionError, 'Unhandled');
    const doc = json(r);
    assert.deepEqual(Object.keys(doc), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.equal(doc['errorMessage'], 'bad value');
    assert.equal(doc['errorType'], 'ValueError');
    assert.match(String(doc['requestId']), /^00000000-0000-4000-8000-/);
    const trace = doc['stackTrace'] as string[];
    assert.equal(trace.length, 1, 'the bootstrap’s own frames are left out');
    assert.match(trace[0] ?? '', /app\.py", line \d+, in fail\n {4}raise ValueError/);
    assert.ok(
      messages(r).some((m) =>
        m.startsWith('[ERROR] ValueError: bad value\rTraceback (most recent call last):\r\u00a0\u00a0File'),
      ),
    );
  });

  it('reports import errors, missing handlers and unserializable results as AWS does', async () => {
    const missing = await invoke(runner, spec(dir, 'python3.12', 'nothere.handler'));
    assert.equal(missing.functionError, 'Unhandled');
    assert.deepEqual(json(missing), {
      errorMessage: "Unable to import module 'nothere': No module named 'nothere'",
      errorType: 'Runtime.ImportModuleError',
      requestId: '',
      stackTrace: [],
    });
    const broken = await invoke(runner, spec(dir, 'python3.12', 'broken.handler'));
    assert.equal(json(broken)['errorType'], 'Runtime.ImportModuleError');
    const noHandler = await invoke(runner, spec(dir, 'python3.12', 'app.nothing'));
    assert.equal(json(noHandler)['errorType'], 'Runtime.HandlerNotFound');
    assert.equal(json(noHandler)['errorMessage'], "Handler 'nothing' missing on module 'app'");
    const marshal = await invoke(runner, spec(dir, 'python3.12', 'app.unserializable'));
    assert.equal(json(marshal)['errorType'], 'Runtime.MarshalError');
    assert.match(String(json(marshal)['errorMessage']), /^Unable to marshal response: /);
    assert.equal(json(await invoke(runner, spec(dir, 'python3.12', 'pkg/mod.handler'))), 'in a package');
  });

  it('builds the environment from scratch for python too', async () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAROLECALLOWNKEY';
    try {
      const s = spec(dir, 'python3.12', 'app.env', { environment: { MY_SETTING: 'py' } });
      const env = json(await invoke(runner, s)) as Record<string, string>;
      assert.equal(env['AWS_ACCESS_KEY_ID'], 'ASIAFUNCTIONROLEKEY1');
      assert.equal(env['AWS_EXECUTION_ENV'], 'AWS_Lambda_python3.12');
      assert.equal(env['MY_SETTING'], 'py');
      assert.equal(env['LAMBDA_TASK_ROOT'], dir);
      assert.equal(env['_HANDLER'], 'app.env');
    } finally {
      delete process.env['AWS_ACCESS_KEY_ID'];
    }
  });
});

describe('process runner: the pool', () => {
  it('keeps to the process cap: waiting invocations take the place of idle processes of other functions', async () => {
    const runner = createProcessRunner({ log, maxProcesses: 2 });
    const dir = code(NODE_CODE);
    try {
      const same = spec(dir, 'nodejs20.x', 'index.slow');
      const results = await Promise.all([1, 2, 3, 4, 5].map(() => invoke(runner, same)));
      const pids = new Set(results.map((r) => json(r) as unknown as number));
      assert.ok(pids.size <= 2, `at most 2 processes, got ${pids.size}`);
      assert.equal(results.filter((r) => r.coldStart).length, pids.size);
      // Two other functions: each needs a place, so the idle processes of `same` are stopped for them.
      const [a, b] = await Promise.all([
        invoke(runner, spec(dir, 'nodejs20.x', 'index.slow')),
        invoke(runner, spec(dir, 'nodejs20.x', 'index.slow')),
      ]);
      assert.equal(a?.coldStart, true);
      assert.equal(b?.coldStart, true);
      for (const pid of pids) assert.equal(alive(pid), false, 'evicted');
    } finally {
      await runner.close();
    }
  });

  it('retire() stops a function’s processes; close() stops all and refuses new invocations', async () => {
    const runner = createProcessRunner({ log });
    const dir = code(NODE_CODE);
    const one = spec(dir, 'nodejs20.x', 'index.handler');
    const two = spec(dir, 'nodejs20.x', 'index.handler');
    const pidOne = Number(json(await invoke(runner, one))['pid']);
    const pidTwo = Number(json(await invoke(runner, two))['pid']);
    assert.ok(alive(pidOne) && alive(pidTwo));
    await runner.retire(one.functionArn);
    assert.equal(alive(pidOne), false);
    assert.equal(alive(pidTwo), true);
    assert.equal((await invoke(runner, one)).coldStart, true);
    await runner.close();
    assert.equal(alive(pidTwo), false);
    await assert.rejects(invoke(runner, one), /closed/);
  });

  it('close() during a start: the invocation is refused and no process starts', async () => {
    const runner = createProcessRunner({ log });
    const dir = code(NODE_CODE);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pending = invoke(runner, spec(dir, 'nodejs20.x', 'index.handler'), {}, async () => {
      await gate;
      return credentials();
    });
    const closed = runner.close();
    release();
    await closed;
    await assert.rejects(pending, /closed/);
  });

  it('passes on a failure to get the role’s credentials, and starts nothing', async () => {
    const runner = createProcessRunner({ log });
    const dir = code(NODE_CODE);
    try {
      const denied = Object.assign(new Error('Lambda cannot assume the role'), { code: 'AccessDenied' });
      await assert.rejects(
        invoke(runner, spec(dir, 'nodejs20.x', 'index.handler'), {}, async () => {
          throw denied;
        }),
        (err) => err === denied,
      );
      const ok = await invoke(runner, spec(dir, 'nodejs20.x', 'index.handler'));
      assert.equal(ok.coldStart, true);
    } finally {
      await runner.close();
    }
  });

  it('stops idle processes after the idle time', async () => {
    const runner = createProcessRunner({ log, idleMs: 1 });
    const dir = code(NODE_CODE);
    try {
      const pid = Number(json(await invoke(runner, spec(dir, 'nodejs20.x', 'index.handler')))['pid']);
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(alive(pid), false);
    } finally {
      await runner.close();
    }
  });
});

describe('process runner: rolecall dying', () => {
  /**
   * A rolecall stand-in: one idle warm process per runtime, and (when `spin`) a Node handler spinning in a loop
   * that never yields, which cannot see its channel close; it prints all their pids, then waits to be killed.
   */
  function driver(dir: string, runtimes: string[], spin: boolean): string {
    const runner = pathToFileURL(join(import.meta.dirname, 'process-runner.ts')).href;
    const file = join(root, `driver${++folders}.mts`);
    const pidFile = join(root, `spinning${folders}.pid`);
    writeFileSync(
      file,
      `import { readFileSync, existsSync } from 'node:fs';
import { createProcessRunner } from ${JSON.stringify(runner)};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const runner = createProcessRunner({ log: quiet as never });
const credentials = async () => ({ accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't',
  expiration: new Date(Date.now() + 3_600_000) });
const spec = (runtime, handler) => ({ functionName: 'f', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:' + handler + runtime,
  version: '$LATEST', runtime, handler, codeDir: ${JSON.stringify(dir)}, codeSha256: 'x', revisionId: 'r',
  timeoutSeconds: 300, memorySizeMb: 128, environment: { PID_FILE: ${JSON.stringify(pidFile)} }, region: 'us-east-1',
  logGroupName: '/aws/lambda/f', endpointUrl: 'http://127.0.0.1:1' });
const pids = [];
for (const runtime of ${JSON.stringify(runtimes)}) {
  const handler = runtime.startsWith('python') ? 'app.handler' : 'index.handler';
  const r = await runner.invoke({ spec: spec(runtime, handler), credentials, payload: Buffer.from('{}'), requestId: 'r-' + runtime });
  pids.push(JSON.parse(r.payload.toString()).pid);
}
if (${spin}) {
  void runner.invoke({ spec: spec('nodejs20.x', 'index.spinWithPidFile'), credentials, payload: Buffer.from('{}'), requestId: 'spin' });
  while (!existsSync(${JSON.stringify(pidFile)})) await new Promise((r) => setTimeout(r, 20));
  pids.push(Number(readFileSync(${JSON.stringify(pidFile)}, 'utf8')));
}
console.log(JSON.stringify(pids));
setInterval(() => {}, 1000);
`,
    );
    return file;
  }

  async function killedParentLeavesNothing(spin: boolean): Promise<void> {
    const dir = code({ ...NODE_CODE, ...(hasPython ? PYTHON_CODE : {}) });
    const runtimes = hasPython ? ['nodejs20.x', 'python3.12'] : ['nodejs20.x'];
    const parent = spawn(process.execPath, ['--import', 'tsx', driver(dir, runtimes, spin)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.setEncoding('utf8');
    const pids = await new Promise<number[]>((resolve, reject) => {
      parent.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(JSON.parse(out) as number[]);
      });
      parent.on('exit', (code) => reject(new Error(`the driver exited (${code}) before printing: ${out}`)));
    });
    assert.equal(pids.length, runtimes.length + (spin ? 1 : 0));
    for (const pid of pids) assert.ok(alive(pid));
    parent.kill('SIGKILL');
    // Idle processes see their channel close; a spinning one is killed by the kernel (setpriv --pdeathsig).
    for (let i = 0; i < 600 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(pids.filter(alive), []);
  }

  it('leaves no idle function process behind when rolecall is killed', () => killedParentLeavesNothing(false));

  it(
    'leaves no busy function process behind either, even one that never yields (Linux, with setpriv)',
    hasSetpriv ? {} : { skip: 'needs Linux and util-linux setpriv' },
    () => killedParentLeavesNothing(true),
  );
});
