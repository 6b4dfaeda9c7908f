/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it runs without a build step, and
   loads the function's CommonJS modules with require() as AWS's runtime does. */
/**
 * rolecall's Node.js bootstrap (nodejs18.x, nodejs20.x, nodejs22.x, run on the local node). One process serves one
 * function, one invocation at a time. It talks to rolecall over fd 3 (newline-delimited JSON), so that stdout and
 * stderr stay the function's own and become its log lines. See docs/LAMBDA-RUNTIME.md for the protocol.
 *
 * AWS facts mirrored here, from aws/aws-lambda-nodejs-runtime-interface-client (src/UserFunction.js, src/Errors.js,
 * src/LogPatch.js): the handler string `dir/module.export.path`; module lookup order (extensionless and `.js` via
 * require unless the nearest package.json says "type": "module", then `.js` as ES module, `.mjs`, `.cjs`); errors
 * `Runtime.ImportModuleError`, `Runtime.HandlerNotFound` ("<handler> is undefined or not exported" / "is not a
 * function"), `Runtime.MalformedHandlerName`, `Runtime.UserCodeSyntaxError`; the error document {errorType,
 * errorMessage, trace}; console lines `<ISO time>\t<request id>\t<LEVEL>\t<message>` with newlines as '\r'.
 *
 * Written with CommonJS and no dependencies: it runs unchanged from the source tree and from a built package.
 */
'use strict';

const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const url = require('node:url');
const util = require('node:util');

const marker = process.argv[2] ?? '';
// The function's code sees only `node <bootstrap>`, as on AWS where argv holds the runtime's own entry point.
process.argv.splice(2);

const env = Object.freeze({ ...process.env });
let currentRequestId;

class RuntimeError extends Error {}
const runtimeError = (name) => {
  const cls = class extends RuntimeError {};
  cls.prototype.name = `Runtime.${name}`;
  return cls;
};
const ImportModuleError = runtimeError('ImportModuleError');
const HandlerNotFound = runtimeError('HandlerNotFound');
const MalformedHandlerName = runtimeError('MalformedHandlerName');
const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
const UnhandledPromiseRejection = runtimeError('UnhandledPromiseRejection');

// ---- the channel to rolecall ----------------------------------------------------------------------------------

const channel = new net.Socket({ fd: 3, readable: true, writable: true });
// rolecall went away (it closed the pipe, or died): a function process never outlives it.
channel.on('end', () => process.exit(0));
channel.on('error', () => process.exit(0));

/** Ends a phase: the marker on stdout and stderr (whatever the function printed before it is complete), then the message. */
function send(message) {
  process.stdout.write(`${marker}\n`);
  process.stderr.write(`${marker}\n`);
  channel.write(`${JSON.stringify({ ...message, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

let received = '';
channel.setEncoding('utf8');
channel.on('data', (chunk) => {
  received += chunk;
  let newline;
  while ((newline = received.indexOf('\n')) >= 0) {
    const line = received.slice(0, newline);
    received = received.slice(newline + 1);
    if (line.length > 0) void onMessage(JSON.parse(line));
  }
});

// ---- console, as the AWS runtime patches it -------------------------------------------------------------------

function writeLog(level, args) {
  const text = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(...args)}`;
  process.stdout.write(`${text.replace(/\n/g, '\r')}\n`);
}
for (const [method, level] of [
  ['trace', 'TRACE'],
  ['debug', 'DEBUG'],
  ['info', 'INFO'],
  ['log', 'INFO'],
  ['warn', 'WARN'],
  ['error', 'ERROR'],
  ['fatal', 'FATAL'],
]) {
  console[method] = (...args) => writeLog(level, args);
}

// ---- errors ---------------------------------------------------------------------------------------------------

const isErrorLike = (e) =>
  util.types.isNativeError(e) ||
  (e !== null &&
    typeof e === 'object' &&
    typeof e.name === 'string' &&
    typeof e.message === 'string' &&
    typeof e.stack === 'string');

/** The invocation's error document, as AWS's Node.js runtime posts it. */
function errorDocument(error) {
  try {
    if (isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: String(error.stack).split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

/** The error as the runtime logs it: a tab, then JSON with the error's own enumerable properties. */
function formatForLog(error) {
  try {
    return `\t${JSON.stringify(error, (_key, value) => {
      if (!(value instanceof Error)) return value;
      const out = { errorType: value.name, errorMessage: value.message, code: value.code, ...value };
      if (typeof value.stack === 'string') out.stack = value.stack.split('\n');
      return out;
    })}`;
  } catch {
    return `\t${JSON.stringify(errorDocument(error))}`;
  }
}

// ---- loading the handler --------------------------------------------------------------------------------------

/** Whether the nearest package.json above `folder` (stopping at node_modules) declares "type": "module". */
function inModulePackage(folder) {
  for (let dir = folder; ; dir = path.dirname(dir)) {
    if (dir.endsWith(`${path.sep}node_modules`)) return false;
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

async function loadModule(taskRoot, moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const exists = (file) => fs.existsSync(file);
  if (exists(base) && fs.statSync(base).isFile()) return require(base);
  const esm = inModulePackage(path.dirname(base));
  if (!esm && exists(`${base}.js`)) return require(`${base}.js`);
  if (esm && exists(`${base}.js`)) return import(url.pathToFileURL(`${base}.js`).href);
  if (exists(`${base}.mjs`)) return import(url.pathToFileURL(`${base}.mjs`).href);
  if (exists(`${base}.cjs`)) return require(`${base}.cjs`);
  // Last, as the AWS runtime does: a package name or folder, resolved from the task root and the handler's folder.
  return require(require.resolve(moduleName, { paths: [taskRoot, path.resolve(taskRoot, moduleRoot)] }));
}

async function loadHandler(taskRoot, handlerString) {
  if (handlerString.includes('..')) {
    throw new MalformedHandlerName(
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const fileAndPath = path.basename(handlerString);
  const moduleRoot = handlerString.slice(0, handlerString.length - fileAndPath.length);
  const dot = fileAndPath.indexOf('.');
  if (dot < 0) throw new MalformedHandlerName('Bad handler');
  const moduleName = fileAndPath.slice(0, dot);
  const exportPath = fileAndPath.slice(dot + 1);
  let loaded;
  try {
    loaded = await loadModule(taskRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e !== null && typeof e === 'object' && e.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(e);
    throw e;
  }
  const handler = exportPath.split('.').reduce((value, key) => value && value[key], loaded);
  if (!handler) throw new HandlerNotFound(`${handlerString} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${handlerString} is not a function`);
  return handler;
}

// ---- invocations ----------------------------------------------------------------------------------------------

let handler;
let invoking = false;

function contextFor(message, callback) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(message.deadlineMs - Date.now(), 0),
    // The legacy completion methods, still present on AWS's context object.
    done: (err, value) => callback(err, value),
    succeed: (value) => callback(null, value),
    fail: (err) => callback(err ?? 'handled'),
  };
}

/** Async handlers settle their promise; callback-style handlers call back. Whichever comes first wins. */
function runHandler(event, message) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, value) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(value);
    };
    const context = contextFor(message, callback);
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (e) {
      callback(e ?? new Error(String(e)));
      return;
    }
    if (returned !== null && typeof returned === 'object' && typeof returned.then === 'function') {
      returned.then(
        (value) => callback(null, value),
        (e) => callback(e ?? new Error(String(e))),
      );
    } else if (handler.length < 3) {
      // Neither a promise nor a callback parameter: AWS answers null once the handler has run.
      callback(null, null);
    }
  });
}

async function invoke(message) {
  invoking = true;
  currentRequestId = message.requestId;
  let outcome;
  try {
    const event = JSON.parse(message.event);
    const value = await runHandler(event, message);
    const text = JSON.stringify(value);
    outcome = { type: 'result', payload: text === undefined ? 'null' : text };
  } catch (error) {
    console.error('Invoke Error', formatForLog(error));
    outcome = { type: 'error', payload: JSON.stringify(errorDocument(error)) };
  }
  invoking = false;
  send(outcome);
}

async function onMessage(message) {
  if (message.type === 'invoke') await invoke(message);
}

/** An error outside the handler's promise: AWS reports it for the running invocation, then the process ends. */
function fatal(label, error) {
  console.error(label, formatForLog(error));
  if (invoking) send({ type: 'error', payload: JSON.stringify(errorDocument(error)) });
  else send({ type: 'fatal', payload: JSON.stringify(errorDocument(error)) });
  channel.end(() => process.exit(129));
}
process.on('uncaughtException', (error) => fatal('Uncaught Exception', error));
process.on('unhandledRejection', (reason) => {
  const error = new UnhandledPromiseRejection(
    isErrorLike(reason) ? `${reason.name}: ${reason.message}` : String(reason),
  );
  fatal('Unhandled Promise Rejection', error);
});

(async () => {
  try {
    handler = await loadHandler(env.LAMBDA_TASK_ROOT ?? process.cwd(), env._HANDLER ?? '');
  } catch (error) {
    console.error('Uncaught Exception', formatForLog(error));
    send({ type: 'initError', payload: JSON.stringify(errorDocument(error)) });
    return;
  }
  send({ type: 'ready' });
})();
