/**
 * The `rolecall serve` command itself: settings it refuses (exit 2, saying what is allowed), the banner, the
 * ready file, the health endpoint, and shutdown on SIGTERM or SIGINT that still answers a request in flight.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { BIN, removeDir, ROOT, startRolecall, tempDir, type RolecallProcess } from '../support/server.ts';
import { DEFAULT_ACCOUNT, PACKAGE_VERSION, useServer } from './helpers.ts';

/** The environment without any ROLECALL_* setting of the machine running the tests, plus `extra`. */
function cleanEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('ROLECALL_')) env[k] = v;
  return { ...env, ...extra };
}

/** Runs `rolecall ARGS…` to completion; a server that starts by mistake is killed after 15 s (status null). */
function rolecall(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 15_000,
    killSignal: 'SIGKILL',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Waits until `check` holds, or fails after `ms`. */
async function waitFor(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(20);
  }
}

interface HttpAnswer {
  readonly status: number | undefined;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const readAnswer = (res: IncomingMessage): Promise<HttpAnswer> =>
  new Promise((done, fail) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => done({ status: res.statusCode, headers: res.headers, body }));
    res.on('error', fail);
  });

/**
 * GET on a fresh connection (no keep-alive pool): the answer; 'refused' once nothing listens; 'reset' when a
 * connection the kernel accepted is dropped unanswered because the server is closing.
 */
function get(url: string): Promise<HttpAnswer | 'refused' | 'reset'> {
  return new Promise((done, fail) => {
    const req = request(url, { agent: false }, (res) => readAnswer(res).then(done, fail));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done('refused');
      else if (err.code === 'ECONNRESET') done('reset');
      else fail(err);
    });
    req.end();
  });
}

/** A signed STS GetCallerIdentity request for the root of the default account, as SDK v3 would sign it. */
async function signedGetCallerIdentity(endpoint: string) {
  const url = new URL(endpoint);
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';
  const signer = new SignatureV4({
    service: 'sts',
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  return { url, body, headers: { ...signed.headers, 'content-length': String(Buffer.byteLength(body)) } };
}

describe('rolecall serve refuses settings it does not know or cannot use', () => {
  it('an unknown flag: exit 2, naming the flag', () => {
    const r = rolecall(['serve', '--bogus', 'x']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--bogus/);
  });

  for (const { args, value, allowed } of [
    { args: ['--enforce', 'maybe'], value: 'maybe', allowed: ['on', 'audit', 'off'] },
    { args: ['--store', 'mysql'], value: 'mysql', allowed: ['sqlite', 'memory'] },
    { args: ['--port', '99999'], value: '99999', allowed: ['0', '65535'] },
  ]) {
    it(`${args.join(' ')}: exit 2, naming the value and what is allowed`, () => {
      const dataDir = tempDir();
      try {
        const r = rolecall(['serve', '--data-dir', dataDir, ...args]);
        assert.equal(r.status, 2, r.stderr);
        assert.equal(r.stdout, '');
        assert.ok(r.stderr.includes(args[0] ?? ''), r.stderr);
        assert.ok(r.stderr.includes(`'${value}'`), r.stderr);
        for (const word of allowed) assert.match(r.stderr, new RegExp(`\\b${word}\\b`), `${word} in ${r.stderr}`);
      } finally {
        removeDir(dataDir);
      }
    });
  }

  it('an unknown ROLECALL_ variable: exit 2, naming it', () => {
    const dataDir = tempDir();
    try {
      const r = rolecall(['serve', '--port', '0', '--data-dir', dataDir], { ROLECALL_FOO: '1' });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /ROLECALL_FOO/);
    } finally {
      removeDir(dataDir);
    }
  });

  it('prints its version and its help', () => {
    assert.deepEqual(rolecall(['--version']), { status: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
    // As a user of the package runs it; --no: never fetch anything from the registry. The first npx of the
    // project installs it from its folder into npx's cache, and that runs its `prepare` script (`npm run build`)
    // in the project: dist/ rewritten under the tests running beside this one, which then imported half-written
    // modules. The scripts are skipped here: dist/ is built before the tests run.
    const help = spawnSync('npx', ['--no', 'rolecall', 'serve', '--help'], {
      cwd: ROOT,
      env: cleanEnv({ npm_config_ignore_scripts: 'true' }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: rolecall serve/);
    for (const flag of ['--host', '--port', '--data-dir', '--store', '--enforce', '--ready-file', '--log-level']) {
      assert.ok(help.stdout.includes(flag), `${flag} in help`);
    }
  });
});

describe('a running rolecall serve', () => {
  const server = useServer();

  it('answers GET /_rolecall/health with its status and version', async () => {
    const answer = await get(`${server().endpoint}/_rolecall/health`);
    assert.ok(typeof answer === 'object', JSON.stringify(answer));
    assert.equal(answer.status, 200);
    assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(answer.body, JSON.stringify({ status: 'ok', version: PACKAGE_VERSION }));
  });

  it('writes the ready file with its endpoint, on the port it really listens on', async () => {
    const { endpoint, dataDir } = server();
    const files = readdirSync(dataDir).filter((f) => f.startsWith('ready-'));
    assert.equal(files.length, 1, files.join(', '));
    assert.deepEqual(JSON.parse(readFileSync(join(dataDir, files[0] ?? ''), 'utf8')), { endpoint });
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    assert.equal(typeof (await get(`${endpoint}/_rolecall/health`)), 'object');
  });
});

describe('the banner of rolecall serve', () => {
  const modes = {
    on: /\bON\b.*\bden(y|ied)\b/i,
    audit: /\bAUDIT\b.*\brecord/i,
    off: /\bOFF\b.*\bnot enforced\b/i,
  } as const;

  for (const [mode, words] of Object.entries(modes)) {
    it(`--enforce ${mode}: endpoint with its port, account, credentials, data dir and the mode in words`, async () => {
      const server = await startRolecall({ args: ['--enforce', mode] });
      try {
        await waitFor('the banner', () => /enforcement/i.test(server.output()));
        const banner = server.output();
        const port = new URL(server.endpoint).port;
        assert.notEqual(port, '0');
        assert.ok(banner.includes(server.endpoint), banner);
        assert.ok(banner.includes(DEFAULT_ACCOUNT), banner);
        assert.match(banner, /access key "test", secret "test"/);
        assert.ok(banner.includes(resolve(server.dataDir)), banner);
        const line = banner.split('\n').find((l) => /enforcement/i.test(l)) ?? '';
        assert.match(line, words);
        assert.match(banner, /audit +ON: every request is recorded/);
      } finally {
        assert.equal(await server.stop(), 0);
        removeDir(server.dataDir);
      }
    });
  }
});

describe('shutting down rolecall serve', () => {
  /** Resolves with the exit code and signal of a server, listening before it is told to stop. */
  const exitOf = (server: RolecallProcess) => once(server.child, 'exit') as Promise<[number | null, string | null]>;

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} stops it with exit code 0 and closes the port`, async () => {
      const server = await startRolecall();
      try {
        const exited = exitOf(server);
        server.child.kill(signal);
        assert.deepEqual(await exited, [0, null], server.output());
        assert.equal(await get(`${server.endpoint}/_rolecall/health`), 'refused');
      } finally {
        await server.stop();
        removeDir(server.dataDir);
      }
    });
  }

  it('answers a request that is still arriving when SIGTERM comes, then exits 0', async () => {
    const server = await startRolecall();
    try {
      const { url, body, headers } = await signedGetCallerIdentity(server.endpoint);
      const req = request({
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers,
        agent: false,
      });
      // Settles with the answer or the connection's error, so a dropped request fails the test where it is read.
      const answered = new Promise<HttpAnswer | Error>((done) => {
        req.on('response', (res) => readAnswer(res).then(done, done));
        req.on('error', done);
      });
      const half = Math.floor(body.length / 2);
      req.flushHeaders();
      req.write(body.slice(0, half));
      await delay(300); // the server has the headers and half the body

      const exited = exitOf(server);
      server.child.kill('SIGTERM');
      // Shutdown has begun once new connections are refused; the request in flight is still open.
      const deadline = Date.now() + 10_000;
      while ((await get(`${server.endpoint}/_rolecall/health`)) !== 'refused') {
        assert.ok(Date.now() < deadline, 'rolecall kept accepting connections after SIGTERM');
        await delay(20);
      }
      assert.equal(server.child.exitCode, null, 'rolecall exited with a request in flight');

      req.end(body.slice(half));
      const answer = await answered;
      if (answer instanceof Error) assert.fail(`the request in flight was dropped: ${answer.message}`);
      assert.equal(answer.status, 200, answer.body);
      assert.match(answer.body, new RegExp(`<Account>${DEFAULT_ACCOUNT}</Account>`));
      assert.match(answer.body, /<\/GetCallerIdentityResponse>\s*$/);
      assert.deepEqual(await exited, [0, null], server.output());
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });
});
