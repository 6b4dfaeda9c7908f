/**
 * Access keys: long-term credentials (AKIA…, a 40-character secret) of IAM users, or of the account root when
 * its caller names no user. At most two per user. A new key authenticates at once; an inactive or deleted key
 * is refused as InvalidClientTokenId (auth/credentials.ts).
 */
import { randomBytes } from 'node:crypto';
import type { IamOperations } from '../../protocol/generated/iam.ts';
import type { Handlers, OperationContext } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import { nameKey, type AccessKeyRecord } from '../../model/iam.ts';
import { accessKeyId } from '../../model/ids.ts';
import { isoSeconds } from '../../model/time.ts';
import { accessDenied, accessKeyNotFound, quotaExceeded } from './errors.ts';
import { USER, findHolder } from './holders.ts';
import { paginate } from './pagination.ts';
import { callingUserName } from './users.ts';

type KeyOps = Pick<
  IamOperations,
  'CreateAccessKey' | 'ListAccessKeys' | 'UpdateAccessKey' | 'DeleteAccessKey' | 'GetAccessKeyLastUsed'
>;

/** Access keys per user (and per root), IAM quotas. */
export const ACCESS_KEYS_PER_USER = 2;

/** 40 characters of base64, as AWS secret access keys look. */
const newSecret = (): string => randomBytes(30).toString('base64');

export function accessKeyHandlers(state: IamState): Handlers<KeyOps> {
  /** Whose keys a call is about: the named user, the calling user, or (undefined) the account root. */
  const owner = (
    ctx: OperationContext,
    given: string | undefined,
  ): { key: string | undefined; name: string | undefined } => {
    const name = callingUserName(ctx, given);
    if (name === undefined) return { key: undefined, name: undefined };
    const user = findHolder(state, USER, ctx.account, name);
    return { key: nameKey(user.name), name: user.name };
  };
  const keysOf = (account: string, userKey: string | undefined) =>
    state.list('iam.access-key', account).filter((k) => k.userKey === userKey);
  const findKey = (ctx: OperationContext, given: string | undefined, id: string): AccessKeyRecord => {
    const { key } = owner(ctx, given);
    const record = state.get('iam.access-key', ctx.account, id);
    if (!record || record.userKey !== key) throw accessKeyNotFound(id);
    return record;
  };

  return {
    CreateAccessKey: (input, ctx) =>
      state.write(async (w) => {
        const { key, name } = owner(ctx, input.UserName);
        if (keysOf(ctx.account, key).length >= ACCESS_KEYS_PER_USER) {
          throw quotaExceeded('AccessKeysPerUser', ACCESS_KEYS_PER_USER);
        }
        const record: AccessKeyRecord = {
          accessKeyId: accessKeyId('AKIA', ctx.account),
          secretAccessKey: newSecret(),
          ...(key !== undefined && { userKey: key }),
          status: 'Active',
          createDate: isoSeconds(ctx.now),
        };
        await w.insert('iam.access-key', ctx.account, record.accessKeyId, record);
        return {
          AccessKey: {
            UserName: name ?? ctx.account,
            AccessKeyId: record.accessKeyId,
            Status: record.status,
            SecretAccessKey: record.secretAccessKey,
            CreateDate: new Date(record.createDate),
          },
        };
      }),

    ListAccessKeys: (input, ctx) => {
      const { key, name } = owner(ctx, input.UserName);
      const keys = keysOf(ctx.account, key);
      const page = paginate(keys, (k) => k.accessKeyId, input.Marker, input.MaxItems);
      return {
        AccessKeyMetadata: page.items.map((k) => ({
          ...(name !== undefined && { UserName: name }),
          AccessKeyId: k.accessKeyId,
          Status: k.status,
          CreateDate: new Date(k.createDate),
        })),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },

    UpdateAccessKey: (input, ctx) =>
      state.write(async (w) => {
        const record = findKey(ctx, input.UserName, input.AccessKeyId);
        // Expired is in the model's enum but not a status callers may set.
        const status = input.Status === 'Inactive' ? 'Inactive' : 'Active';
        await w.update('iam.access-key', ctx.account, record.accessKeyId, { ...record, status });
      }),

    DeleteAccessKey: (input, ctx) =>
      state.write(async (w) => {
        const record = findKey(ctx, input.UserName, input.AccessKeyId);
        await w.delete('iam.access-key', ctx.account, record.accessKeyId);
      }),

    GetAccessKeyLastUsed: (input, ctx) => {
      const found = state.findAccessKey(input.AccessKeyId);
      if (!found || found.account !== ctx.account) {
        // An unknown key is AccessDenied, not NoSuchEntity, in AWS's own odd wording (recorded AWS responses).
        throw accessDenied(
          `User: ${ctx.principal.arn} is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key ${input.AccessKeyId}`,
        );
      }
      const user =
        found.key.userKey === undefined ? undefined : state.get('iam.user', found.account, found.key.userKey);
      const used = found.key.lastUsed;
      return {
        UserName: user?.name ?? ctx.account,
        // Never used: ServiceName and Region are "N/A" and LastUsedDate is absent (IAM API reference).
        AccessKeyLastUsed: used
          ? { LastUsedDate: new Date(used.date), ServiceName: used.service, Region: used.region }
          : { ServiceName: 'N/A', Region: 'N/A' },
      };
    },
  };
}
