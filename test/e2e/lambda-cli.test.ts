/**
 * AWS Lambda end to end with the AWS CLI (issue 8): the commands users type, in the order they type them —
 * create-function from a zip file, `wait function-active-v2`, get-function, invoke (with --log-type Tail),
 * update-function-configuration (then `wait function-updated-v2`) and update-function-code, each followed by an
 * invocation that must see the change, add-permission / get-policy / remove-permission, tag-resource /
 * untag-resource / list-tags, list-functions, delete-function, and the error lines the CLI prints.
 *
 * Every `aws` process costs a Python start (0.5–1 s), so setup goes through SDK v3 and the CLI makes only the
 * calls under test, seventeen in all (about 1 s each here).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noAwsCli } from '../support/clients.ts';
import { cliErrorLine, cliOk, cliRun, cliServiceErrorStatus, useServer } from './helpers.ts';
import {
  BASIC_EXECUTION_POLICY,
  codeSha256,
  createRole,
  functionArn,
  iamClient,
  linesOf,
  MSG,
  NODE_PROBE,
  NODE_RUNTIME,
  REPORT_LINE,
  START_LINE,
  zip,
} from './lambda-support.ts';

/** CLI v2 reads blobs as base64 unless told otherwise; v1 has no such option and sends the text as is. */
function binaryFormatArgs(): string[] {
  const r = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  return /aws-cli\/1\./.test(`${r.stdout}${r.stderr}`) ? [] : ['--cli-binary-format', 'raw-in-base64-out'];
}

interface CliConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  CodeSize: number;
  CodeSha256: string;
  Timeout: number;
  MemorySize: number;
  Version: string;
  State?: string;
  LastUpdateStatus?: string;
  Environment?: { Variables?: Record<string, string> };
}

describe('Lambda with the AWS CLI', { skip: noAwsCli }, () => {
  const server = useServer();
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-lambda-cli-'));
  const binary = binaryFormatArgs();
  let role = '';
  let outFiles = 0;

  before(async () => {
    const iam = iamClient(server().endpoint);
    role = await createRole(iam, 'cli-role', { managed: [BASIC_EXECUTION_POLICY] });
    iam.destroy();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const ok = <T = CliConfiguration>(args: readonly string[]) => cliOk<T>(server().endpoint, args);
  /** `aws lambda invoke`: what it prints, and the payload it wrote to the out file. */
  const invoke = (name: string, payload: unknown, extra: readonly string[] = []) => {
    const out = join(dir, `out-${++outFiles}.json`);
    const printed = ok<{ StatusCode: number; ExecutedVersion: string; FunctionError?: string; LogResult?: string }>([
      'lambda',
      'invoke',
      '--function-name',
      name,
      ...binary,
      '--payload',
      JSON.stringify(payload),
      ...extra,
      out,
    ]);
    return { printed, payload: JSON.parse(readFileSync(out, 'utf8')) as unknown };
  };

  it('creates, waits for, reads, invokes, updates, shares, tags, lists and deletes a function', () => {
    const v1 = zip({ 'index.js': NODE_PROBE });
    const v2 = zip({ 'index.js': "exports.handler = async () => 'v2';\n" });
    writeFileSync(join(dir, 'v1.zip'), v1);
    writeFileSync(join(dir, 'v2.zip'), v2);
    const name = 'cli-fn';
    const arn = functionArn(name);

    const created = ok([
      'lambda',
      'create-function',
      '--function-name',
      name,
      '--runtime',
      NODE_RUNTIME,
      '--role',
      role,
      '--handler',
      'index.handler',
      '--zip-file',
      `fileb://${join(dir, 'v1.zip')}`,
      '--tags',
      'team=cli',
    ]);
    assert.deepEqual(
      {
        FunctionName: created.FunctionName,
        FunctionArn: created.FunctionArn,
        Runtime: created.Runtime,
        Role: created.Role,
        Handler: created.Handler,
        CodeSize: created.CodeSize,
        CodeSha256: created.CodeSha256,
        Timeout: created.Timeout,
        MemorySize: created.MemorySize,
        Version: created.Version,
      },
      {
        FunctionName: name,
        FunctionArn: arn,
        Runtime: NODE_RUNTIME,
        Role: role,
        Handler: 'index.handler',
        CodeSize: v1.length,
        CodeSha256: codeSha256(v1),
        Timeout: 3,
        MemorySize: 128,
        Version: '$LATEST',
      },
    );

    ok(['lambda', 'wait', 'function-active-v2', '--function-name', name]);
    const got = ok<{ Configuration: CliConfiguration; Code: { RepositoryType: string }; Tags: Record<string, string> }>(
      ['lambda', 'get-function', '--function-name', name],
    );
    assert.equal(got.Configuration.State, 'Active');
    assert.equal(got.Configuration.CodeSha256, codeSha256(v1));
    assert.equal(got.Code.RepositoryType, 'S3');
    assert.deepEqual(got.Tags, { team: 'cli' });

    const first = invoke(name, { x: 1 }, ['--log-type', 'Tail']);
    assert.equal(first.printed.StatusCode, 200);
    assert.equal(first.printed.ExecutedVersion, '$LATEST');
    assert.equal(first.printed.FunctionError, undefined);
    assert.deepEqual(first.payload, { echo: { x: 1 }, greeting: null });
    const tail = Buffer.from(first.printed.LogResult ?? '', 'base64').toString('utf8');
    const lines = linesOf(tail);
    const requestId = /^START RequestId: (\S+) /.exec(lines[0] ?? '')?.[1] ?? '<none>';
    assert.equal(lines[0], START_LINE(requestId));
    assert.match(lines.at(-1) ?? '', REPORT_LINE(requestId));

    // A configuration change reaches the next invocation (the warm process is retired).
    const configured = ok([
      'lambda',
      'update-function-configuration',
      '--function-name',
      name,
      '--environment',
      'Variables={GREETING=hi}',
      '--timeout',
      '5',
    ]);
    assert.deepEqual(configured.Environment, { Variables: { GREETING: 'hi' } });
    assert.equal(configured.Timeout, 5);
    ok(['lambda', 'wait', 'function-updated-v2', '--function-name', name]);
    assert.deepEqual(invoke(name, { x: 2 }).payload, { echo: { x: 2 }, greeting: 'hi' });

    // So does new code.
    const updated = ok([
      'lambda',
      'update-function-code',
      '--function-name',
      name,
      '--zip-file',
      `fileb://${join(dir, 'v2.zip')}`,
    ]);
    assert.equal(updated.CodeSha256, codeSha256(v2));
    assert.equal(updated.CodeSize, v2.length);
    assert.equal(invoke(name, {}).payload, 'v2');

    // The resource policy.
    const added = ok<{ Statement: string }>([
      'lambda',
      'add-permission',
      '--function-name',
      name,
      '--statement-id',
      's3-invoke',
      '--action',
      'lambda:InvokeFunction',
      '--principal',
      's3.amazonaws.com',
      '--source-arn',
      'arn:aws:s3:::data',
    ]);
    const statement = {
      Sid: 's3-invoke',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: arn,
      Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::data' } },
    };
    assert.deepEqual(JSON.parse(added.Statement), statement);
    const policy = ok<{ Policy: string; RevisionId: string }>(['lambda', 'get-policy', '--function-name', name]);
    assert.deepEqual(JSON.parse(policy.Policy), { Version: '2012-10-17', Id: 'default', Statement: [statement] });
    assert.deepEqual(ok(['lambda', 'remove-permission', '--function-name', name, '--statement-id', 's3-invoke']), {});

    // Tags.
    assert.deepEqual(ok(['lambda', 'tag-resource', '--resource', arn, '--tags', 'env=test,owner=me']), {});
    assert.deepEqual(ok(['lambda', 'untag-resource', '--resource', arn, '--tag-keys', 'team', 'owner']), {});
    assert.deepEqual(ok(['lambda', 'list-tags', '--resource', arn]), { Tags: { env: 'test' } });

    const listed = ok<{ Functions: CliConfiguration[] }>(['lambda', 'list-functions']);
    const mine = listed.Functions.find((f) => f.FunctionName === name);
    assert.ok(mine, 'list-functions does not show the function');
    assert.deepEqual(
      { CodeSha256: mine.CodeSha256, Timeout: mine.Timeout, Environment: mine.Environment },
      { CodeSha256: codeSha256(v2), Timeout: 5, Environment: { Variables: { GREETING: 'hi' } } },
    );

    // DeleteFunction's output binds StatusCode to the HTTP status (model), which is 204 (lambda-facts §1); the error
    // line the CLI prints afterwards.
    assert.deepEqual(ok(['lambda', 'delete-function', '--function-name', name]), { StatusCode: 204 });
    const gone = cliRun(server().endpoint, ['lambda', 'get-function', '--function-name', name]);
    assert.equal(gone.status, cliServiceErrorStatus());
    assert.equal(gone.stderr, cliErrorLine('ResourceNotFoundException', 'GetFunction', MSG.notFound(name)));
  });
});
