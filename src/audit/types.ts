/**
 * The audit trail's record: CloudTrail's event record format (eventVersion 1.08+, as `aws cloudtrail
 * lookup-events` returns it in `CloudTrailEvent`) plus rolecall's own `authorization` detail. One record per
 * request that reached the gateway (allowed, denied, failed authentication) and per metadata-service credential
 * delivery. Secrets, session tokens and object bodies are never part of a record.
 */
import type { ContextValue, DecisionName, PolicyKind } from '../policy/index.ts';

export interface AuditUserIdentity {
  /** Root, IAMUser, AssumedRole, AWSService, or Unknown (failed authentication, anonymous). */
  readonly type: string;
  readonly principalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId?: string;
  readonly userName?: string;
  readonly invokedBy?: string;
  readonly sessionContext?: {
    readonly sessionIssuer?: {
      readonly type: string;
      readonly principalId: string;
      readonly arn: string;
      readonly accountId: string;
      readonly userName: string;
    };
    readonly attributes: { readonly creationDate: string; readonly mfaAuthenticated: 'true' | 'false' };
    readonly ec2RoleDelivery?: '1.0' | '2.0';
    readonly sourceIdentity?: string;
  };
}

/** One policy statement that decided (or was the nearest to deciding) a check. */
export interface DecidingStatement {
  readonly kind: PolicyKind;
  /** A managed policy's ARN, `role/NAME/inline/POLICY` style for inline policies, or the resource's ARN. */
  readonly policy: string;
  readonly index: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
}

/** One permission the request needed (S3 CopyObject needs two) and what the engine decided for it. */
export interface AuditCheck {
  readonly action: string;
  readonly resource: string;
  readonly decision: DecisionName;
  readonly statements: readonly DecidingStatement[];
  readonly blockedBy?: PolicyKind;
  readonly missingContextKeys?: readonly string[];
  /** The condition keys the request carried, as the engine saw them (for `rolecall explain`). */
  readonly context?: Readonly<Record<string, ContextValue>>;
  /** The resource policy evaluated with it (bucket policy, trust policy), if any. */
  readonly resourcePolicy?: { readonly id: string; readonly document: string };
  readonly resourceAccount?: string;
}

export interface AuditAuthorization {
  /** The enforcement mode when the request ran; `audit` records what would have been denied but was allowed. */
  readonly mode: 'on' | 'audit' | 'off';
  /** NotEvaluated: enforcement off, authentication failed, or the request failed before authorization. */
  readonly decision: DecisionName | 'NotEvaluated';
  readonly checks: readonly AuditCheck[];
}

export interface AuditEvent {
  readonly eventVersion: string;
  readonly userIdentity: AuditUserIdentity;
  readonly eventTime: string;
  /** `s3.amazonaws.com`, `iam.amazonaws.com`, … */
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent?: string;
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements: Readonly<Record<string, unknown>> | null;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** The request id the client saw (x-amzn-RequestId / x-amz-request-id / the error's RequestId). */
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly resources?: readonly { readonly ARN: string; readonly accountId: string; readonly type?: string }[];
  /** AwsApiCall, AwsServiceEvent (metadata-service deliveries). */
  readonly eventType: string;
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly eventCategory: 'Management' | 'Data';
  /** rolecall's addition: how the request was authorized. Absent when it never reached authorization. */
  readonly authorization?: AuditAuthorization;
}

export interface AuditFilter {
  readonly since?: Date;
  readonly until?: Date;
  /** The caller's ARN, or its session issuer's (a role's ARN matches all its sessions). */
  readonly principalArn?: string;
  readonly deniedOnly?: boolean;
  readonly eventName?: string;
  readonly eventSource?: string;
  readonly accessKeyId?: string;
  readonly resourceName?: string;
  readonly readOnly?: boolean;
}

/** The stored trail, newest first. */
export interface AuditTrail {
  record(event: AuditEvent): void;
  byRequestId(requestId: string): AuditEvent | undefined;
  /** Newest first; `after` is an eventID from an earlier page. */
  find(filter: AuditFilter, limit: number, after?: string): readonly AuditEvent[];
  /** Resolves when everything recorded so far is in the store. */
  flush(): Promise<void>;
}
