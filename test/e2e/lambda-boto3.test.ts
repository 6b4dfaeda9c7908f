/**
 * AWS Lambda end to end with boto3 (issue 8): Python functions, created and invoked through boto3, whose own
 * boto3 calls S3 with the execution role's credentials (AWS_ENDPOINT_URL points them at rolecall). A function
 * whose role may read s3://data/* returns the object; with the permission removed the same invocation fails
 * with S3's AccessDenied, as botocore's ClientError. Also: the Python error document (errorMessage, errorType,
 * requestId, stackTrace), LogType Tail with print() output, Event (202) and DryRun (204), the waiter
 * `function_active_v2`, tagging, and Lambda's error codes as botocore parses them.
 *
 * One Python process runs the whole story (a boto3 import costs about half a second); roles and the bucket are
 * set up through SDK v3 first.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noBoto3 } from '../support/clients.ts';
import { awsError, boto3Run, py, useServer, type Boto3Error } from './helpers.ts';
import {
  BASIC_EXECUTION_POLICY,
  codeSha256,
  createDataBucket,
  createRole,
  DATA_OBJECT,
  END_LINE,
  functionArn,
  iamClient,
  linesOf,
  MSG,
  pythonPackage,
  PYTHON_RUNTIME,
  READ_DATA,
  REPORT_LINE,
  REQUEST_ID,
  sessionArn,
  START_LINE,
} from './lambda-support.ts';

interface Invocation {
  readonly StatusCode: number;
  readonly FunctionError: string | null;
  readonly LogResult: string | null;
  readonly ExecutedVersion: string | null;
  readonly RequestId: string;
  readonly Payload: unknown;
}

interface Story {
  readonly created: { FunctionArn: string; CodeSha256: string; Runtime: string; Handler: string; Version: string };
  readonly read: Invocation;
  readonly denied: Invocation;
  readonly fail: Invocation;
  readonly hello: Invocation;
  readonly event: Invocation;
  readonly dry: Invocation;
  readonly noHandler: Invocation;
  readonly noModule: Invocation;
  readonly timeout: Invocation;
  readonly afterTimeout: Invocation;
  readonly missing: { error: Boto3Error };
  readonly missingInvoke: { error: Boto3Error };
  readonly duplicate: { error: Boto3Error };
  readonly noPolicy: { error: Boto3Error };
  readonly tags: Record<string, string>;
}

describe('Lambda with boto3', { skip: noBoto3 }, () => {
  const server = useServer();
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-lambda-boto3-'));
  const pkg = pythonPackage();
  const zipPath = join(dir, 'function.zip');
  const roles = { reader: '', plain: '', logging: '' };

  before(async () => {
    writeFileSync(zipPath, pkg);
    const { endpoint } = server();
    await createDataBucket(endpoint);
    const iam = iamClient(endpoint);
    roles.reader = await createRole(iam, 'py-reader-role', { inline: { read: READ_DATA } });
    roles.plain = await createRole(iam, 'py-plain-role');
    roles.logging = await createRole(iam, 'py-logging-role', { managed: [BASIC_EXECUTION_POLICY] });
    iam.destroy();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs Python functions: S3 through the role and then AccessDenied, errors, tail, Event, DryRun, tags', () => {
    const story = boto3Run<Story>(
      server().endpoint,
      `
lam = client('lambda')
code = open(${py(zipPath)}, 'rb').read()
event = {'bucket': ${py(DATA_OBJECT.bucket)}, 'key': ${py(DATA_OBJECT.key)}}

def create(name, handler, role):
    r = lam.create_function(FunctionName=name, Runtime=${py(PYTHON_RUNTIME)}, Role=role,
                            Handler='lambda_function.' + handler, Code={'ZipFile': code})
    lam.get_waiter('function_active_v2').wait(FunctionName=name, WaiterConfig={'Delay': 1, 'MaxAttempts': 30})
    return r

def invoke(name, payload, **kwargs):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(payload), **kwargs)
    body = r['Payload'].read().decode()
    return {
        'StatusCode': r['StatusCode'],
        'FunctionError': r.get('FunctionError'),
        'LogResult': r.get('LogResult'),
        'ExecutedVersion': r.get('ExecutedVersion'),
        'RequestId': r['ResponseMetadata']['RequestId'],
        'Payload': json.loads(body) if body else None,
    }

result = {}
created = create('py-reader', 'read', ${py(roles.reader)})
result['created'] = {k: created[k] for k in ('FunctionArn', 'CodeSha256', 'Runtime', 'Handler', 'Version')}
result['read'] = invoke('py-reader', event)
iam.delete_role_policy(RoleName='py-reader-role', PolicyName='read')
result['denied'] = invoke('py-reader', event)

create('py-fail', 'fail', ${py(roles.plain)})
result['fail'] = invoke('py-fail', {'message': 'bad value'})

create('py-hello', 'hello', ${py(roles.logging)})
result['hello'] = invoke('py-hello', {}, LogType='Tail')
result['event'] = invoke('py-hello', {}, InvocationType='Event')
result['dry'] = invoke('py-hello', {}, InvocationType='DryRun')

create('py-no-handler', 'nothere', ${py(roles.plain)})
result['noHandler'] = invoke('py-no-handler', {})
r = lam.create_function(FunctionName='py-no-module', Runtime=${py(PYTHON_RUNTIME)}, Role=${py(roles.plain)},
                        Handler='missing.handler', Code={'ZipFile': code})
lam.get_waiter('function_active_v2').wait(FunctionName='py-no-module', WaiterConfig={'Delay': 1, 'MaxAttempts': 30})
result['noModule'] = invoke('py-no-module', {})
r = lam.create_function(FunctionName='py-sleep', Runtime=${py(PYTHON_RUNTIME)}, Role=${py(roles.plain)},
                        Handler='lambda_function.sleep', Code={'ZipFile': code}, Timeout=1)
lam.get_waiter('function_active_v2').wait(FunctionName='py-sleep', WaiterConfig={'Delay': 1, 'MaxAttempts': 30})
result['timeout'] = invoke('py-sleep', {'seconds': 10})
result['afterTimeout'] = invoke('py-sleep', {'seconds': 0})

result['missing'] = attempt(lam.get_function, FunctionName='nope')
result['missingInvoke'] = attempt(lam.invoke, FunctionName='nope', Payload=b'{}')
result['duplicate'] = attempt(lam.create_function, FunctionName='py-hello', Runtime=${py(PYTHON_RUNTIME)},
                              Role=${py(roles.plain)}, Handler='lambda_function.hello', Code={'ZipFile': code})
result['noPolicy'] = attempt(lam.get_policy, FunctionName='py-hello')

arn = result['created']['FunctionArn']
lam.tag_resource(Resource=arn, Tags={'a': '1', 'b': '2'})
lam.untag_resource(Resource=arn, TagKeys=['a'])
result['tags'] = lam.list_tags(Resource=arn)['Tags']
out(result)
`,
    );

    assert.deepEqual(story.created, {
      FunctionArn: functionArn('py-reader'),
      CodeSha256: codeSha256(pkg),
      Runtime: PYTHON_RUNTIME,
      Handler: 'lambda_function.read',
      Version: '$LATEST',
    });

    // The role may read the object.
    assert.deepEqual(
      { ...story.read, RequestId: undefined },
      {
        StatusCode: 200,
        FunctionError: null,
        LogResult: null,
        ExecutedVersion: '$LATEST',
        RequestId: undefined,
        Payload: { body: DATA_OBJECT.body },
      },
    );

    // Without the permission, boto3 inside the function raises S3's AccessDenied; Lambda reports it as Unhandled.
    assert.equal(story.denied.StatusCode, 200);
    assert.equal(story.denied.FunctionError, 'Unhandled');
    const denied = story.denied.Payload as Record<string, unknown>;
    // The exception's class name: botocore's ClientError, or the per-code subclass newer botocore builds.
    assert.ok(['ClientError', 'AccessDenied'].includes(String(denied['errorType'])), String(denied['errorType']));
    assert.equal(
      denied['errorMessage'],
      `An error occurred (AccessDenied) when calling the GetObject operation: ${MSG.s3Denied(
        sessionArn('py-reader-role', 'py-reader'),
        DATA_OBJECT.bucket,
        DATA_OBJECT.key,
      )}`,
    );
    assert.equal(denied['requestId'], story.denied.RequestId);

    // A raised exception: the Python runtime's error document.
    assert.equal(story.fail.FunctionError, 'Unhandled');
    const fail = story.fail.Payload as Record<string, unknown>;
    assert.deepEqual(Object.keys(fail).sort(), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.equal(fail['errorMessage'], 'bad value');
    assert.equal(fail['errorType'], 'ValueError');
    assert.equal(fail['requestId'], story.fail.RequestId);
    assert.match(story.fail.RequestId, REQUEST_ID);
    const stack = fail['stackTrace'] as string[];
    assert.match(
      stack.at(-1) ?? '',
      /^ {2}File ".*lambda_function\.py", line \d+, in fail\n {4}raise ValueError\(event\['message'\]\)\n$/,
    );

    // print() output in the tail, between START and END.
    const id = story.hello.RequestId;
    assert.deepEqual(story.hello.Payload, { name: 'py-hello', requestId: id });
    const tail = linesOf(Buffer.from(story.hello.LogResult ?? '', 'base64').toString('utf8'));
    assert.equal(tail[0], START_LINE(id));
    assert.equal(tail[1], 'hello from python');
    assert.equal(tail[2], END_LINE(id));
    assert.match(tail[3] ?? '', REPORT_LINE(id));
    assert.equal(tail.length, 4);

    // The runtime's own errors for a handler or module that is not there (lambda-facts §5).
    assert.equal(story.noHandler.FunctionError, 'Unhandled');
    const noHandler = story.noHandler.Payload as Record<string, unknown>;
    assert.equal(noHandler['errorType'], 'Runtime.HandlerNotFound');
    assert.equal(noHandler['errorMessage'], "Handler 'nothere' missing on module 'lambda_function'");
    assert.equal(story.noModule.FunctionError, 'Unhandled');
    const noModule = story.noModule.Payload as Record<string, unknown>;
    assert.equal(noModule['errorType'], 'Runtime.ImportModuleError');
    assert.equal(noModule['errorMessage'], "Unable to import module 'missing': No module named 'missing'");

    // A Python function stopped at its timeout; the next invocation gets a fresh process.
    assert.equal(story.timeout.FunctionError, 'Unhandled');
    assert.deepEqual(story.timeout.Payload, {
      errorType: 'Sandbox.Timedout',
      errorMessage: MSG.timedOut(story.timeout.RequestId, 1),
    });
    assert.deepEqual([story.afterTimeout.FunctionError, story.afterTimeout.Payload], [null, 'woke']);

    assert.deepEqual([story.event.StatusCode, story.event.Payload], [202, null]);
    assert.deepEqual([story.dry.StatusCode, story.dry.Payload, story.dry.FunctionError], [204, null, null]);

    assert.deepEqual(story.missing, awsError('ResourceNotFoundException', 404, MSG.notFound('nope')));
    assert.deepEqual(story.missingInvoke, awsError('ResourceNotFoundException', 404, MSG.notFound('nope')));
    assert.deepEqual(story.duplicate, awsError('ResourceConflictException', 409, MSG.alreadyExists('py-hello')));
    assert.deepEqual(story.noPolicy, awsError('ResourceNotFoundException', 404, MSG.noPolicy));
    assert.deepEqual(story.tags, { b: '2' });
  });
});
