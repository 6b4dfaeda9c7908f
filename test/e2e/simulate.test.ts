/**
 * The IAM policy simulator from real clients against a running rolecall: the AWS CLI's simulate-custom-policy,
 * simulate-principal-policy (its own pagination with --page-size) and get-context-keys-for-custom-policy, and
 * boto3's simulate_principal_policy paginator and simulate_custom_policy with ContextEntries. The users and
 * policies are set up over signed Query requests, so each client test makes only the calls it is about.
 * Expectations: docs/research/evaluation-logic.md §10.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { noAwsCli, noBoto3 } from '../support/clients.ts';
import { signedQuery } from '../support/signed.ts';
import {
  boto3Run,
  cliErrorLine,
  cliOk,
  cliRun,
  cliServiceErrorStatus,
  DEFAULT_ACCOUNT,
  py,
  useServer,
} from './helpers.ts';

interface Statement {
  SourcePolicyId: string;
  SourcePolicyType: string;
  StartPosition?: { Line: number; Column: number };
  EndPosition?: { Line: number; Column: number };
}
interface EvaluationResult {
  EvalActionName: string;
  EvalResourceName: string;
  EvalDecision: string;
  MatchedStatements: Statement[];
  MissingContextValues: string[];
  ResourceSpecificResults?: { EvalResourceName: string; EvalResourceDecision: string }[];
}
interface SimulateResponse {
  EvaluationResults: EvaluationResult[];
  IsTruncated: boolean;
  Marker?: string;
}

type Doc = Record<string, unknown>;
const policy = (...statements: Doc[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

const USER = 'sim-alice';
const USER_ARN = `arn:aws:iam::${DEFAULT_ACCOUNT}:user/${USER}`;
const INLINE = policy(
  { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::uploads/*' },
  { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
);
const OFFICE = policy(
  {
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: '*',
    Condition: {
      IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
      StringEquals: { 'aws:RequestedRegion': 'us-east-1' },
    },
  },
  {
    Effect: 'Allow',
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::home/${aws:username}/*',
    Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
  },
);
/** Actions for alice and the decision each must get. */
const ALICE_ACTIONS: readonly (readonly [string, string, string[]])[] = [
  ['s3:GetObject', 'allowed', ['AmazonS3ReadOnlyAccess']],
  ['s3:ListAllMyBuckets', 'allowed', ['AmazonS3ReadOnlyAccess']],
  ['s3:DeleteObject', 'explicitDeny', ['sim-inline']],
  ['ec2:RunInstances', 'implicitDeny', []],
  ['iam:CreateUser', 'implicitDeny', []],
];

describe('the simulator APIs from real clients', { skip: noAwsCli && noBoto3 }, () => {
  const server = useServer();

  before(async () => {
    const iam = async (params: Record<string, string>) => {
      const reply = await signedQuery(server().endpoint, 'iam', params);
      assert.equal(reply.status, 200, reply.body);
    };
    await iam({ Action: 'CreateUser', UserName: USER });
    await iam({ Action: 'PutUserPolicy', UserName: USER, PolicyName: 'sim-inline', PolicyDocument: INLINE });
    await iam({
      Action: 'AttachUserPolicy',
      UserName: USER,
      PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess',
    });
  });

  describe('the AWS CLI', { skip: noAwsCli }, () => {
    const ok = <T>(args: readonly string[]) => cliOk<T>(server().endpoint, args);
    // A policy goes on the command line as it is: the CLI (v1) reads `file://…` for a list of strings as the
    // list of the file's characters.

    it('aws iam simulate-custom-policy: decisions, matched statements with positions, context entries', () => {
      const r = ok<SimulateResponse>([
        'iam',
        'simulate-custom-policy',
        '--policy-input-list',
        OFFICE,
        '--action-names',
        's3:GetObject',
        's3:DeleteObject',
        '--context-entries',
        JSON.stringify([
          { ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['203.0.113.10'], ContextKeyType: 'ip' },
          { ContextKeyName: 'aws:RequestedRegion', ContextKeyValues: ['us-east-1'], ContextKeyType: 'string' },
        ]),
      ]);
      const start = OFFICE.indexOf('[{') + 2;
      const end = OFFICE.indexOf('}},{') + 3;
      assert.deepEqual(r, {
        EvaluationResults: [
          {
            EvalActionName: 's3:GetObject',
            EvalResourceName: '*',
            EvalDecision: 'allowed',
            MatchedStatements: [
              {
                SourcePolicyId: 'PolicyInputList.1',
                SourcePolicyType: 'IAM Policy',
                StartPosition: { Line: 1, Column: start },
                EndPosition: { Line: 1, Column: end },
              },
            ],
            MissingContextValues: [],
          },
          {
            EvalActionName: 's3:DeleteObject',
            EvalResourceName: '*',
            EvalDecision: 'implicitDeny',
            MatchedStatements: [],
            MissingContextValues: [],
          },
        ],
      });
    });

    it('aws iam simulate-custom-policy: several resources, one result with the most restrictive decision', () => {
      const r = ok<SimulateResponse>([
        'iam',
        'simulate-custom-policy',
        '--policy-input-list',
        INLINE,
        '--action-names',
        's3:PutObject',
        '--resource-arns',
        'arn:aws:s3:::uploads/a.txt',
        'arn:aws:s3:::elsewhere/b.txt',
      ]);
      assert.equal(r.EvaluationResults.length, 1);
      const [result] = r.EvaluationResults as [EvaluationResult];
      assert.equal(result.EvalDecision, 'implicitDeny');
      assert.deepEqual(
        result.ResourceSpecificResults?.map((x) => [x.EvalResourceName, x.EvalResourceDecision]),
        [
          ['arn:aws:s3:::uploads/a.txt', 'allowed'],
          ['arn:aws:s3:::elsewhere/b.txt', 'implicitDeny'],
        ],
      );
    });

    it('aws iam simulate-principal-policy: a user with an AWS managed policy, pages of one joined by the CLI', () => {
      const r = ok<SimulateResponse>([
        'iam',
        'simulate-principal-policy',
        '--policy-source-arn',
        USER_ARN,
        '--action-names',
        ...ALICE_ACTIONS.map(([action]) => action),
        '--page-size',
        '1',
      ]);
      assert.deepEqual(
        r.EvaluationResults.map((e) => [
          e.EvalActionName,
          e.EvalDecision,
          e.MatchedStatements.map((m) => m.SourcePolicyId),
        ]),
        ALICE_ACTIONS,
      );
      for (const e of r.EvaluationResults)
        for (const m of e.MatchedStatements) assert.equal(m.SourcePolicyType, 'IAM Policy');
      assert.equal(r.IsTruncated, undefined, 'the CLI joins the pages and drops the paging fields');
    });

    it('aws iam simulate-principal-policy for an unknown user: NoSuchEntity', () => {
      const r = cliRun(server().endpoint, [
        'iam',
        'simulate-principal-policy',
        '--policy-source-arn',
        `arn:aws:iam::${DEFAULT_ACCOUNT}:user/nobody`,
        '--action-names',
        's3:GetObject',
      ]);
      assert.equal(r.status, cliServiceErrorStatus());
      assert.equal(
        r.stderr,
        cliErrorLine('NoSuchEntity', 'SimulatePrincipalPolicy', 'The user with name nobody cannot be found.'),
      );
    });

    it('aws iam get-context-keys-for-custom-policy: condition keys and policy variables, each once', () => {
      const r = ok<{ ContextKeyNames: string[] }>([
        'iam',
        'get-context-keys-for-custom-policy',
        '--policy-input-list',
        OFFICE,
      ]);
      assert.deepEqual([...r.ContextKeyNames].sort(), [
        'aws:CurrentTime',
        'aws:RequestedRegion',
        'aws:SourceIp',
        'aws:username',
      ]);
    });
  });

  describe('boto3', { skip: noBoto3 }, () => {
    const run = <T>(script: string) => boto3Run<T>(server().endpoint, script);

    it("simulate_principal_policy through botocore's paginator, one result a page", () => {
      const r = run<{
        pages: { actions: string[]; truncated: boolean; marker: boolean }[];
        results: EvaluationResult[];
      }>(`
paginator = iam.get_paginator('simulate_principal_policy')
pages = list(paginator.paginate(PolicySourceArn=${py(USER_ARN)}, ActionNames=${py(ALICE_ACTIONS.map(([a]) => a))},
                                PaginationConfig={'PageSize': 2}))
out({
    'pages': [{'actions': [e['EvalActionName'] for e in p['EvaluationResults']], 'truncated': p['IsTruncated'],
               'marker': 'Marker' in p} for p in pages],
    'results': [e for p in pages for e in p['EvaluationResults']],
})
`);
      assert.deepEqual(r.pages, [
        { actions: ['s3:GetObject', 's3:ListAllMyBuckets'], truncated: true, marker: true },
        { actions: ['s3:DeleteObject', 'ec2:RunInstances'], truncated: true, marker: true },
        { actions: ['iam:CreateUser'], truncated: false, marker: false },
      ]);
      assert.deepEqual(
        r.results.map((e) => [e.EvalActionName, e.EvalDecision, e.MatchedStatements.map((m) => m.SourcePolicyId)]),
        ALICE_ACTIONS,
      );
    });

    it('simulate_custom_policy with ContextEntries of several types, and the missing ones reported', () => {
      const r = run<Record<string, { decision: string; missing: string[] }>>(`
policy = ${py(OFFICE)}
def decide(entries, resources=None):
    kwargs = {'PolicyInputList': [policy], 'ActionNames': ['s3:GetObject', 's3:PutObject'], 'ContextEntries': entries}
    if resources:
        kwargs['ResourceArns'] = resources
    results = iam.simulate_custom_policy(**kwargs)['EvaluationResults']
    return [{'decision': e['EvalDecision'],
             'missing': e['MissingContextValues'] or [m for x in e.get('ResourceSpecificResults', [])
                                                        for m in x['MissingContextValues']]} for e in results]
ip = {'ContextKeyName': 'aws:SourceIp', 'ContextKeyValues': ['203.0.113.7'], 'ContextKeyType': 'ip'}
region = {'ContextKeyName': 'aws:RequestedRegion', 'ContextKeyValues': ['us-east-1'], 'ContextKeyType': 'string'}
early = {'ContextKeyName': 'aws:CurrentTime', 'ContextKeyValues': ['2025-01-01T00:00:00Z'], 'ContextKeyType': 'date'}
late = {'ContextKeyName': 'aws:CurrentTime', 'ContextKeyValues': ['2031-01-01T00:00:00Z'], 'ContextKeyType': 'date'}
user = {'ContextKeyName': 'aws:username', 'ContextKeyValues': ['alice'], 'ContextKeyType': 'string'}
home = ['arn:aws:s3:::home/alice/notes.txt']
get_ok, _ = decide([ip, region])
get_wrong_ip, _ = decide([dict(ip, ContextKeyValues=['192.0.2.1']), region])
get_missing, _ = decide([region])
_, put_early = decide([early, user], home)
_, put_late = decide([late, user], home)
_, put_missing = decide([user], home)
out({'get_ok': get_ok, 'get_wrong_ip': get_wrong_ip, 'get_missing': get_missing,
     'put_early': put_early, 'put_late': put_late, 'put_missing': put_missing})
`);
      assert.deepEqual(r, {
        get_ok: { decision: 'allowed', missing: [] },
        get_wrong_ip: { decision: 'implicitDeny', missing: [] },
        get_missing: { decision: 'implicitDeny', missing: ['aws:SourceIp'] },
        put_early: { decision: 'allowed', missing: [] },
        put_late: { decision: 'implicitDeny', missing: [] },
        put_missing: { decision: 'implicitDeny', missing: ['aws:CurrentTime'] },
      });
    });
  });
});
