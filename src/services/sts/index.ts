/**
 * The STS service: AssumeRole (the trust policy was already checked in the pipeline; this mints the session),
 * GetSessionToken for users and roots, GetCallerIdentity (always allowed), GetAccessKeyInfo, and
 * DecodeAuthorizationMessage for EC2's encoded denials.
 */
import { InvalidAuthorizationMessageException, stsModel, type StsOperations } from '../../protocol/generated/sts.ts';
import { AwsError, commonErrors } from '../../protocol/errors.ts';
import type { IamState } from '../../state/iam-state.ts';
import { nameKey } from '../../model/iam.ts';
import { parseArn } from '../../model/arn.ts';
import { accessKeyId, accountOfAccessKeyId } from '../../model/ids.ts';
import { isoSeconds } from '../../model/time.ts';
import { decodeMessage } from '../../auth/authorization-message.ts';
import { rootAccountOf } from '../../auth/credentials.ts';
import { issueRoleSession, newSecret } from '../../auth/sessions.ts';
import { sealToken, type SessionClaims } from '../../auth/session-token.ts';
import { defineService, type ServiceDefinition } from '../service.ts';

/** GetSessionToken: 15 minutes to 36 hours for users, default 12 hours; at most an hour for roots (STS API reference). */
const SESSION_TOKEN_DEFAULT = 43_200;
const ROOT_SESSION_MAX = 3600;

export function stsService(state: IamState, tokenKey: Buffer): ServiceDefinition {
  return defineService<StsOperations>(stsModel, {
    GetCallerIdentity: (_input, ctx) => ({
      UserId: ctx.principal.userId,
      Account: ctx.principal.account,
      Arn: ctx.principal.arn,
    }),

    AssumeRole: async (input, ctx) => {
      const parsed = parseArn(input.RoleArn);
      const role = parsed
        ? state.get('iam.role', parsed.account, nameKey(parsed.resource.split('/').pop() ?? ''))
        : undefined;
      // The pipeline refused callers the trust policy does not allow, a missing role included.
      if (!parsed || !role || role.arn !== input.RoleArn) {
        throw commonErrors.accessDenied(
          `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
        );
      }
      const issued = issueRoleSession(tokenKey, {
        role,
        account: parsed.account,
        sessionName: input.RoleSessionName,
        caller: ctx.principal,
        now: ctx.now,
        ...(input.DurationSeconds !== undefined && { durationSeconds: input.DurationSeconds }),
        ...(input.Policy !== undefined && { policy: input.Policy }),
        ...(input.PolicyArns && { policyArns: input.PolicyArns.flatMap((p) => (p.arn === undefined ? [] : [p.arn])) }),
        ...(input.Tags && { tags: input.Tags }),
        ...(input.TransitiveTagKeys && { transitiveTagKeys: input.TransitiveTagKeys }),
        ...(input.SourceIdentity !== undefined && { sourceIdentity: input.SourceIdentity }),
      });
      // RoleLastUsed follows real use of the role (IAM API reference, RoleLastUsed).
      await state.write(async (w) => {
        const current = state.get('iam.role', parsed.account, nameKey(role.name));
        if (current) {
          await w.update('iam.role', parsed.account, nameKey(role.name), {
            ...current,
            lastUsed: { date: isoSeconds(ctx.now), region: ctx.region },
          });
        }
      });
      const { claims } = issued;
      return {
        Credentials: {
          AccessKeyId: claims.accessKeyId,
          SecretAccessKey: claims.secretAccessKey,
          SessionToken: issued.token,
          Expiration: new Date(claims.expiresAt),
        },
        AssumedRoleUser: {
          AssumedRoleId: `${role.id}:${input.RoleSessionName}`,
          Arn: `arn:aws:sts::${parsed.account}:assumed-role/${role.name}/${input.RoleSessionName}`,
        },
        ...(issued.packedPolicySize !== undefined && { PackedPolicySize: issued.packedPolicySize }),
        ...(claims.sourceIdentity !== undefined && { SourceIdentity: claims.sourceIdentity }),
      };
    },

    GetSessionToken: (input, ctx) => {
      const p = ctx.principal;
      if (p.type === 'assumed-role' || p.session !== undefined) {
        throw commonErrors.accessDenied('Cannot call GetSessionToken with session credentials');
      }
      // Only S3 accepts anonymous callers; the gateway never hands one to STS.
      if (p.type === 'anonymous') throw commonErrors.accessDenied('Anonymous callers cannot get session tokens');
      const duration = input.DurationSeconds ?? (p.type === 'root' ? ROOT_SESSION_MAX : SESSION_TOKEN_DEFAULT);
      if (p.type === 'root' && duration > ROOT_SESSION_MAX) {
        throw commonErrors.validation(
          'Cannot exceed quota for DurationSeconds: the account root may get sessions of at most 3600 seconds.',
        );
      }
      const issuedAt = ctx.now.getTime();
      const claims: SessionClaims = {
        kind: p.type,
        account: p.account,
        accessKeyId: accessKeyId('ASIA', p.account),
        secretAccessKey: newSecret(),
        issuedAt,
        expiresAt: issuedAt + duration * 1000,
        ...(p.type === 'user' && { userKey: nameKey(p.userName) }),
        mfa: false,
      };
      return {
        Credentials: {
          AccessKeyId: claims.accessKeyId,
          SecretAccessKey: claims.secretAccessKey,
          SessionToken: sealToken(tokenKey, claims),
          Expiration: new Date(claims.expiresAt),
        },
      };
    },

    GetAccessKeyInfo: (input) => {
      const account =
        rootAccountOf(input.AccessKeyId) ??
        state.findAccessKey(input.AccessKeyId)?.account ??
        accountOfAccessKeyId(input.AccessKeyId);
      if (account === undefined) {
        throw new AwsError('InvalidParameterValue', 400, `The access key ID ${input.AccessKeyId} is not valid.`);
      }
      return { Account: account };
    },

    DecodeAuthorizationMessage: (input) => {
      const message = decodeMessage(tokenKey, input.EncodedMessage);
      if (message === undefined) throw new InvalidAuthorizationMessageException('The encoded message is not valid.');
      return { DecodedMessage: message };
    },
  });
}
