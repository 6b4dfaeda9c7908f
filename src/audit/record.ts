/**
 * Builds CloudTrail records (CloudTrail User Guide, "CloudTrail record contents" and "CloudTrail userIdentity
 * element") from what the pipeline captured of a request. The pipeline only captures references (principal,
 * decoded input, output, error, the authorization result); the record is built here, off the request's path,
 * when the trail writes its next batch.
 */
import { randomUUID } from 'node:crypto';
import type { AuthorizationResult, DecidedCheck } from '../auth/authorize.ts';
import type { Principal } from '../auth/principal.ts';
import type { Decision, MatchedStatement } from '../policy/index.ts';
import type { AwsError } from '../protocol/errors.ts';
import type { ServiceModel } from '../protocol/model.ts';
import { redacted } from './redact.ts';
import type { AuditAuthorization, AuditCheck, AuditEvent, AuditUserIdentity, DecidingStatement } from './types.ts';

export const EVENT_VERSION = '1.09';

/** What the pipeline hands over for one request; nothing here is copied on the request's path. */
export interface RequestCapture {
  readonly time: Date;
  readonly requestId: string;
  readonly model: ServiceModel;
  /** Empty when the request failed before its operation was known. */
  readonly operation: string;
  /** Undefined when authentication failed. */
  readonly principal: Principal | undefined;
  /** The access key id the request was signed with, when authentication failed. */
  readonly failedAccessKeyId?: string | undefined;
  /** The account of that key, when rolecall knows it. */
  readonly failedAccount?: string | undefined;
  readonly input: Readonly<Record<string, unknown>> | undefined;
  readonly output: unknown;
  readonly error: AwsError | undefined;
  readonly region: string;
  readonly sourceIp: string;
  readonly userAgent: string | undefined;
  readonly mode: 'on' | 'audit' | 'off';
  /** The request's own authorization: undefined when it never got that far. */
  readonly authorization: AuthorizationResult | undefined;
  /** True when authentication failed (the record says NotEvaluated). */
  readonly authenticationFailed: boolean;
}

/** CloudTrail's eventTime: UTC to the second. */
let lastSecond = NaN;
let lastTime = '';
export function cloudTrailTime(d: Date): string {
  // Requests come many to a second: the text of the last second is reused.
  const second = Math.floor(d.getTime() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastTime = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastTime;
}

/**
 * Read-only calls: the verbs that only read, plus STS's credential calls, which CloudTrail records as read-only
 * (they change no resource).
 */
const READ_ONLY =
  /^(Get|List|Describe|Head|Lookup|Select|Simulate|Validate|Check|Filter|Search|Preview|Test|Batch?Get)/;
const STS_READ_ONLY = new Set([
  'AssumeRole',
  'AssumeRoleWithSAML',
  'AssumeRoleWithWebIdentity',
  'GetSessionToken',
  'GetFederationToken',
  'DecodeAuthorizationMessage',
]);

export function isReadOnly(service: string, operation: string): boolean {
  return READ_ONLY.test(operation) || (service === 'sts' && STS_READ_ONLY.has(operation));
}

/**
 * Data events, as CloudTrail classifies them (CloudTrail User Guide, "Logging data events"): S3 object-level
 * operations, Lambda Invoke, and CloudWatch Logs' event reads and writes. Everything else is a management event.
 */
const S3_BUCKET_MANAGEMENT = /^(Create|Delete|Get|Put|List|Head)Bucket/;
const DATA_OPERATIONS: Readonly<Record<string, (op: string) => boolean>> = {
  s3: (op) => !S3_BUCKET_MANAGEMENT.test(op),
  lambda: (op) => op === 'Invoke' || op === 'InvokeWithResponseStream' || op === 'InvokeAsync',
  logs: (op) => ['PutLogEvents', 'GetLogEvents', 'FilterLogEvents', 'StartLiveTail'].includes(op),
};

export function eventCategory(service: string, operation: string): 'Management' | 'Data' {
  return DATA_OPERATIONS[service]?.(operation) ? 'Data' : 'Management';
}

/** The signing name is not always the service's host name (`access-analyzer` signs, `access-analyzer` hosts). */
export const eventSource = (service: string): string => `${service}.amazonaws.com`;

function creationDate(issuedAt: number): string {
  return cloudTrailTime(new Date(issuedAt));
}

export function userIdentity(
  principal: Principal | undefined,
  failedKey?: string,
  failedAccount?: string,
): AuditUserIdentity {
  if (!principal) {
    return {
      type: 'Unknown',
      ...(failedAccount && { accountId: failedAccount }),
      ...(failedKey && { accessKeyId: failedKey }),
    };
  }
  const session = principal.session;
  const attributes = session && {
    creationDate: creationDate(session.issuedAt),
    mfaAuthenticated: session.mfa === true ? ('true' as const) : ('false' as const),
  };
  switch (principal.type) {
    case 'anonymous':
      // CloudTrail's record of an unsigned S3 request.
      return { type: 'AWSAccount', principalId: '', accountId: 'anonymous' };
    case 'root':
      return {
        type: 'Root',
        principalId: principal.account,
        arn: principal.arn,
        accountId: principal.account,
        accessKeyId: principal.accessKeyId,
        ...(attributes && { sessionContext: { attributes } }),
      };
    case 'user':
      return {
        type: 'IAMUser',
        principalId: principal.userId,
        arn: principal.arn,
        accountId: principal.account,
        accessKeyId: principal.accessKeyId,
        userName: principal.userName,
        ...(attributes && { sessionContext: { attributes } }),
      };
    case 'assumed-role': {
      const session = principal.session;
      const roleArn = session.roleArn ?? '';
      const delivery = session.context?.['ec2:RoleDelivery'];
      return {
        type: 'AssumedRole',
        principalId: principal.userId,
        arn: principal.arn,
        accountId: principal.account,
        accessKeyId: principal.accessKeyId,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: session.roleId ?? '',
            arn: roleArn,
            accountId: principal.account,
            userName: roleArn.slice(roleArn.lastIndexOf('/') + 1),
          },
          attributes: attributes ?? { creationDate: '', mfaAuthenticated: 'false' },
          ...((delivery === '1.0' || delivery === '2.0') && { ec2RoleDelivery: delivery }),
          ...(session.sourceIdentity !== undefined && { sourceIdentity: session.sourceIdentity }),
        },
      };
    }
  }
}

/**
 * A policy's name in a record: a managed policy's ARN, `role/NAME/inline/POLICY` for an inline policy, the role's
 * ARN for its trust policy, the bucket's ARN for a bucket policy (policy ids are `<holder>#<what>`; auth/policies.ts).
 */
export function policyName(policyId: string): string {
  let name = policyNames.get(policyId);
  if (name === undefined) {
    if (policyNames.size >= MAX_CACHED) policyNames.clear();
    name = nameOfPolicy(policyId);
    policyNames.set(policyId, name);
  }
  return name;
}

/** Most requests name the same few policies and resources: their record names are worked out once. */
const MAX_CACHED = 4096;
const policyNames = new Map<string, string>();
const resourceTypes = new Map<string, string | undefined>();
const owners = new Map<string, string | undefined>();

function nameOfPolicy(policyId: string): string {
  const hash = policyId.indexOf('#');
  if (hash < 0) return policyId;
  const holder = policyId.slice(0, hash);
  const what = policyId.slice(hash + 1);
  const m = /^arn:aws[a-z-]*:iam::\d{12}:(role|user|group)\/(?:.*\/)?([^/]+)$/.exec(holder);
  if (m && what !== 'trust') return `${m[1] ?? ''}/${m[2] ?? ''}/inline/${what}`;
  if (/^arn:aws[a-z-]*:sts::/.test(holder) && what === 'session-policy') return 'session-policy';
  return holder;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// Built field by field rather than with conditional spreads: this runs for every check of every request.
function decidingStatement(s: MatchedStatement): DecidingStatement {
  const out: Mutable<DecidingStatement> = {
    kind: s.kind,
    policy: policyName(s.policyId),
    index: s.index,
    effect: s.effect,
  };
  if (s.sid !== undefined) out.sid = s.sid;
  return out;
}

function auditCheck(c: DecidedCheck): AuditCheck {
  const d: Decision = c.decision;
  const out: Mutable<AuditCheck> = {
    action: c.action,
    resource: c.resource,
    decision: d.decision,
    statements: d.statements.map(decidingStatement),
  };
  if (d.blockedBy !== undefined) out.blockedBy = d.blockedBy;
  if (d.missingContextKeys.length > 0) out.missingContextKeys = d.missingContextKeys;
  // The request's condition keys and the resource policy's document explain a denial; for the allowed checks of
  // every request they would be most of what the trail stores (and serializes) for nothing, so they are kept only
  // where the check was not allowed.
  if (d.decision !== 'Allowed') {
    out.context = c.context;
    if (c.resourcePolicy) out.resourcePolicy = c.resourcePolicy;
  }
  if (c.resourceAccount !== undefined) out.resourceAccount = c.resourceAccount;
  return out;
}

export function authorizationOf(c: RequestCapture): AuditAuthorization | undefined {
  if (c.authenticationFailed || c.mode === 'off') {
    return { mode: c.mode, decision: 'NotEvaluated', checks: [] };
  }
  const result = c.authorization;
  if (!result) return undefined;
  const checks = (result.checks ?? []).map(auditCheck);
  if (result.allowed) return { mode: c.mode, decision: 'Allowed', checks };
  return {
    mode: c.mode,
    decision: result.decision.decision,
    checks: checks.length > 0 ? checks : [auditCheck(result)],
  };
}

/** CloudTrail's resource types for the ARNs rolecall's services name. */
function resourceType(arn: string): string | undefined {
  if (resourceTypes.has(arn)) return resourceTypes.get(arn);
  if (resourceTypes.size >= MAX_CACHED) resourceTypes.clear();
  const type = typeOfResource(arn);
  resourceTypes.set(arn, type);
  return type;
}

/** The account an ARN names, if it names one. */
function ownerOf(arn: string): string | undefined {
  let owner = owners.get(arn);
  if (owner === undefined && !owners.has(arn)) {
    if (owners.size >= MAX_CACHED) owners.clear();
    owner = /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1];
    owners.set(arn, owner);
  }
  return owner;
}

function typeOfResource(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:([a-z0-9-]+):[^:]*:[^:]*:(.*)$/.exec(arn);
  if (!m) return undefined;
  const [, service = '', rest = ''] = m;
  if (service === 's3') return rest.includes('/') ? 'AWS::S3::Object' : 'AWS::S3::Bucket';
  const kind = rest.split(/[/:]/)[0] ?? '';
  const types: Readonly<Record<string, string>> = {
    'iam:role': 'AWS::IAM::Role',
    'iam:user': 'AWS::IAM::User',
    'iam:group': 'AWS::IAM::Group',
    'iam:policy': 'AWS::IAM::Policy',
    'iam:instance-profile': 'AWS::IAM::InstanceProfile',
    'ec2:instance': 'AWS::EC2::Instance',
    'logs:log-group': 'AWS::Logs::LogGroup',
    'lambda:function': 'AWS::Lambda::Function',
  };
  return types[`${service}:${kind}`];
}

function resourcesOf(
  checks: readonly DecidedCheck[] | undefined,
  account: string,
): AuditEvent['resources'] | undefined {
  if (!checks || checks.length === 0) return undefined;
  const out: { ARN: string; accountId: string; type?: string }[] = [];
  // Almost every request has a check or two: a scan of what is already out is cheaper than a set made per request.
  const seen = checks.length > 8 ? new Set<string>() : undefined;
  for (const c of checks) {
    if (c.resource === '*') continue;
    if (seen ? seen.has(c.resource) : out.some((r) => r.ARN === c.resource)) continue;
    seen?.add(c.resource);
    const type = resourceType(c.resource);
    const owner = ownerOf(c.resource) ?? c.resourceAccount ?? account;
    out.push(type ? { ARN: c.resource, accountId: owner, type } : { ARN: c.resource, accountId: owner });
  }
  return out.length > 0 ? out : undefined;
}

/** An instance's role credentials as EC2 obtained them for its metadata service. */
export interface CredentialDelivery {
  readonly time: Date;
  readonly account: string;
  readonly region: string;
  readonly instanceId: string;
  readonly roleArn: string;
  /** Undefined when the role's trust policy does not let EC2 assume it. */
  readonly accessKeyId?: string;
  readonly expiresAt?: Date;
  readonly durationSeconds: number;
  readonly trust: Decision;
  readonly trustPolicy: { readonly id: string; readonly document: string };
}

/**
 * EC2 obtaining an instance's role credentials: CloudTrail records it as an sts AssumeRole call made by the
 * service (userIdentity type AWSService, invokedBy ec2.amazonaws.com; source IP and user agent the service's
 * name), with the instance id as the session name. rolecall records it each time it issues new credentials for
 * the metadata service, and a denial when the role does not trust EC2.
 */
export function buildDeliveryEvent(d: CredentialDelivery): AuditEvent {
  const allowed = d.trust.decision === 'Allowed';
  const check: DecidedCheck = {
    action: 'sts:AssumeRole',
    resource: d.roleArn,
    decision: d.trust,
    context: {},
    resourcePolicy: d.trustPolicy,
    resourceAccount: d.account,
  };
  return {
    eventVersion: EVENT_VERSION,
    userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' },
    eventTime: cloudTrailTime(d.time),
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    awsRegion: d.region,
    sourceIPAddress: 'ec2.amazonaws.com',
    userAgent: 'ec2.amazonaws.com',
    requestParameters: { roleArn: d.roleArn, roleSessionName: d.instanceId, durationSeconds: d.durationSeconds },
    responseElements:
      allowed && d.accessKeyId !== undefined
        ? {
            credentials: { accessKeyId: d.accessKeyId, expiration: d.expiresAt?.toISOString() },
            assumedRoleUser: {
              arn:
                d.roleArn.replace(/:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/, ':sts::$1:assumed-role/$2') +
                `/${d.instanceId}`,
            },
          }
        : null,
    ...(!allowed && {
      errorCode: 'AccessDenied',
      errorMessage: `ec2.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: ${d.roleArn}`,
    }),
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: true,
    resources: [{ ARN: d.roleArn, accountId: d.account, type: 'AWS::IAM::Role' }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: d.account,
    eventCategory: 'Management',
    authorization: { mode: 'on', decision: d.trust.decision, checks: [auditCheck(check)] },
  };
}

/** What the trail filters on, kept beside each serialized record so that finding events parses only the hits. */
export interface EventIndex {
  readonly eventID: string;
  readonly requestID: string;
  readonly account: string;
  readonly eventName: string;
  readonly eventSource: string;
  readonly readOnly: boolean;
  readonly accessKeyId: string | undefined;
  readonly userName: string | undefined;
  readonly arn: string | undefined;
  readonly issuerArn: string | undefined;
  readonly denied: boolean;
  readonly resources: AuditEvent['resources'];
}

const DENIAL_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

/** The user name LookupEvents reports: the IAM user's, `root`, or a role session's name. */
export function userNameOf(id: AuditUserIdentity): string | undefined {
  if (id.type === 'Root') return 'root';
  if (id.type === 'IAMUser') return id.userName;
  if (id.type === 'AssumedRole') return id.arn?.slice(id.arn.lastIndexOf('/') + 1);
  return undefined;
}

export function indexOf(e: AuditEvent): EventIndex {
  const decision = e.authorization?.decision;
  return {
    eventID: e.eventID,
    requestID: e.requestID,
    account: e.recipientAccountId,
    eventName: e.eventName,
    eventSource: e.eventSource,
    readOnly: e.readOnly,
    accessKeyId: e.userIdentity.accessKeyId,
    userName: userNameOf(e.userIdentity),
    arn: e.userIdentity.arn,
    issuerArn: e.userIdentity.sessionContext?.sessionIssuer?.arn,
    denied:
      decision === 'ExplicitlyDenied' ||
      decision === 'ImplicitlyDenied' ||
      (e.errorCode !== undefined && DENIAL_CODES.has(e.errorCode)),
    resources: e.resources,
  };
}

/** A userIdentity's JSON, shared by every request of the same credentials (most requests repeat one). */
const identities = new Map<string, string>();
const MAX_IDENTITIES = 4096;

function identityJsonOf(c: RequestCapture): string {
  const p = c.principal;
  // A key id names one set of credentials; the ARN changes if a user is renamed.
  const key = p ? p.accessKeyId + '\n' + p.arn : undefined;
  const cached = key === undefined ? undefined : identities.get(key);
  if (cached !== undefined) return cached;
  const made = JSON.stringify(userIdentity(p, c.failedAccessKeyId, c.failedAccount));
  if (key !== undefined) {
    if (identities.size >= MAX_IDENTITIES) identities.clear();
    identities.set(key, made);
  }
  return made;
}

const json = JSON.stringify;

/**
 * An allowed request's authorization element as JSON.stringify would write authorizationOf's: every check of
 * almost every request is allowed, and is written straight from the engine's decision rather than first copied
 * into an AuditCheck. Anything else goes through authorizationOf, which keeps what explains a denial.
 */
function allowedAuthorizationJson(mode: string, checks: readonly DecidedCheck[]): string {
  let out = `{"mode":"${mode}","decision":"Allowed","checks":[`;
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i] as DecidedCheck;
    if (i > 0) out += ',';
    out += c.decision.decision === 'Allowed' ? allowedCheckJson(c) : json(auditCheck(c));
  }
  return out + ']}';
}

function allowedCheckJson(c: DecidedCheck): string {
  const d = c.decision;
  let out = `{"action":${json(c.action)},"resource":${json(c.resource)},"decision":"Allowed","statements":[`;
  for (let i = 0; i < d.statements.length; i++) {
    const s = d.statements[i] as MatchedStatement;
    out += `${i === 0 ? '' : ','}{"kind":${json(s.kind)},"policy":${json(policyName(s.policyId))},"index":${json(s.index)},"effect":${json(s.effect)}`;
    out += s.sid === undefined ? '}' : `,"sid":${json(s.sid)}}`;
  }
  out += ']';
  if (d.blockedBy !== undefined) out += `,"blockedBy":${json(d.blockedBy)}`;
  if (d.missingContextKeys.length > 0) out += `,"missingContextKeys":${json(d.missingContextKeys)}`;
  if (c.resourceAccount !== undefined) out += `,"resourceAccount":${json(c.resourceAccount)}`;
  return out + '}';
}

/**
 * The record of a request, as one JSON line: written directly rather than built as an object and then serialized,
 * because this runs once per request and is most of what auditing costs.
 */
export function requestEventLine(c: RequestCapture, eventID: string = randomUUID()): string {
  const service = c.model.service;
  const op = c.operation;
  const operation = op === '' ? undefined : c.model.operations[op];
  const readOnly = isReadOnly(service, op);
  const category = eventCategory(service, op);
  const auth = c.authorization;
  const account = c.principal
    ? c.principal.account || (auth?.checks?.[0]?.resourceAccount ?? '')
    : (c.failedAccount ?? '');
  const allowed = !c.authenticationFailed && c.mode !== 'off' && auth?.allowed === true;
  const authorization = allowed ? undefined : authorizationOf(c);
  const resources = resourcesOf(auth?.checks ?? (auth && !auth.allowed ? [auth] : undefined), account);
  const responds = c.error === undefined && (!READ_ONLY.test(op) || STS_READ_ONLY.has(op));
  const identityJson = identityJsonOf(c);
  const source = eventSource(service);
  const params = operation && c.input ? redacted(c.model, operation.input, c.input) : null;
  const response = responds && operation ? redacted(c.model, operation.output, c.output) : null;
  // Joined from an array rather than concatenated: the line comes out flat, and flattening a long chain of
  // concatenations later (to write it into the trail's buffer) costs more than writing it.
  const parts = [
    `{"eventVersion":"${EVENT_VERSION}","userIdentity":`,
    identityJson,
    `,"eventTime":"${cloudTrailTime(c.time)}","eventSource":`,
    json(source),
    ',"eventName":',
    json(op),
    ',"awsRegion":',
    json(c.region),
    ',"sourceIPAddress":',
    json(c.sourceIp),
  ];
  if (c.userAgent !== undefined) parts.push(',"userAgent":', json(c.userAgent));
  parts.push(
    ',"requestParameters":',
    params === null ? 'null' : json(params),
    ',"responseElements":',
    response === null ? 'null' : json(response),
  );
  if (c.error) parts.push(',"errorCode":', json(c.error.code), ',"errorMessage":', json(c.error.message));
  parts.push(',"requestID":', json(c.requestId), `,"eventID":"${eventID}","readOnly":${readOnly}`);
  if (resources) parts.push(',"resources":', json(resources));
  parts.push(
    `,"eventType":"AwsApiCall","managementEvent":${category === 'Management'},"recipientAccountId":`,
    json(account),
    `,"eventCategory":"${category}"`,
  );
  if (allowed) parts.push(',"authorization":', allowedAuthorizationJson(c.mode, auth?.checks ?? []));
  else if (authorization) parts.push(',"authorization":', json(authorization));
  parts.push('}');
  return parts.join('');
}

/** A request's record as an object (what a search returns after parsing the line). */
export function buildRequestEvent(c: RequestCapture, eventID?: string): AuditEvent {
  return JSON.parse(requestEventLine(c, eventID)) as AuditEvent;
}
