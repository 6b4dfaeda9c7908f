/**
 * Instance profile associations: one active association per instance, `iip-assoc-…` ids, AWS's errors
 * (shared/AWS-FACTS.md): a second Associate is IncorrectState, Replace on a superseded association is
 * IncorrectState, an unknown id InvalidAssociationID.NotFound. Associations answer `associating` /
 * `disassociating` and describe as `associated` afterwards; a removed association is no longer listed.
 */
import type { Ec2Operations, IamInstanceProfileAssociation } from '../../protocol/generated/ec2.ts';
import type { Handlers, OperationContext } from '../service.ts';
import type { IamState } from '../../state/iam-state.ts';
import { stateAt, type InstanceRecord } from '../../model/ec2.ts';
import { applyFilters } from './filters.ts';
import { associationNotFound, incorrectState, instanceNotFound } from './errors.ts';
import { hexId, pageOf, SETTLE_MS } from './instances.ts';
import { findProfile } from './profiles.ts';
import { associationView } from './views.ts';

type AssociationOps = Pick<
  Ec2Operations,
  | 'AssociateIamInstanceProfile'
  | 'DescribeIamInstanceProfileAssociations'
  | 'ReplaceIamInstanceProfileAssociation'
  | 'DisassociateIamInstanceProfile'
>;

export function associationHandlers(state: IamState): Handlers<AssociationOps> {
  const instancesOf = (ctx: OperationContext) =>
    state.list('ec2.instance', ctx.account).filter((i) => i.region === ctx.region);

  /** The instance whose active association has this id; IncorrectState when the id was superseded. */
  const byAssociation = (ctx: OperationContext, id: string): InstanceRecord => {
    const instances = instancesOf(ctx);
    const active = instances.find((i) => i.association?.associationId === id);
    if (active) return active;
    if (instances.some((i) => i.pastAssociationIds.includes(id))) {
      throw incorrectState(`The association ${id} is not the active association`);
    }
    throw associationNotFound(id);
  };

  const associated = (i: InstanceRecord, shownAs: IamInstanceProfileAssociation['State']) => {
    const view = associationView(i, shownAs);
    if (!view) throw new Error('the instance has no association');
    return view;
  };

  return {
    AssociateIamInstanceProfile: (input, ctx) =>
      state.write(async (w) => {
        const instance = state.get('ec2.instance', ctx.account, input.InstanceId);
        if (!instance || instance.region !== ctx.region) throw instanceNotFound([input.InstanceId]);
        if (instance.association) {
          throw incorrectState(`There is an existing association for instance ${instance.instanceId}`);
        }
        const profile = findProfile(state, ctx.account, input.IamInstanceProfile);
        const updated: InstanceRecord = {
          ...instance,
          association: {
            associationId: hexId('iip-assoc-'),
            profileArn: profile.arn,
            profileId: profile.id,
            timestamp: ctx.now.toISOString(),
          },
        };
        await w.update('ec2.instance', ctx.account, instance.instanceId, updated);
        return { IamInstanceProfileAssociation: associated(updated, 'associating') };
      }),

    DescribeIamInstanceProfileAssociations: (input, ctx) => {
      // A new association is `associating` for a moment, then `associated`; a terminated instance's is gone.
      const settled = (i: InstanceRecord) =>
        ctx.now.getTime() - Date.parse(i.association?.timestamp ?? '') >= SETTLE_MS ? 'associated' : 'associating';
      let rows = instancesOf(ctx)
        .filter((i) => stateAt(i, ctx.now) !== 'terminated')
        .flatMap((i) => (i.association ? [associated(i, settled(i))] : []));
      if (input.AssociationIds && input.AssociationIds.length > 0) {
        for (const id of input.AssociationIds)
          if (!rows.some((r) => r.AssociationId === id)) throw associationNotFound(id);
        rows = rows.filter((r) => input.AssociationIds?.includes(r.AssociationId ?? ''));
      }
      const filtered = applyFilters(rows, input.Filters, {
        'instance-id': (r) => [r.InstanceId ?? ''],
        state: (r) => [r.State ?? ''],
      });
      const page = pageOf(filtered, input.NextToken, input.MaxResults);
      return { IamInstanceProfileAssociations: page.items, ...(page.next !== undefined && { NextToken: page.next }) };
    },

    ReplaceIamInstanceProfileAssociation: (input, ctx) =>
      state.write(async (w) => {
        const instance = byAssociation(ctx, input.AssociationId);
        const profile = findProfile(state, ctx.account, input.IamInstanceProfile);
        const old = instance.association?.associationId ?? '';
        const updated: InstanceRecord = {
          ...instance,
          association: {
            associationId: hexId('iip-assoc-'),
            profileArn: profile.arn,
            profileId: profile.id,
            timestamp: ctx.now.toISOString(),
          },
          pastAssociationIds: [...instance.pastAssociationIds, old],
        };
        await w.update('ec2.instance', ctx.account, instance.instanceId, updated);
        return { IamInstanceProfileAssociation: associated(updated, 'associating') };
      }),

    DisassociateIamInstanceProfile: (input, ctx) =>
      state.write(async (w) => {
        const instance = byAssociation(ctx, input.AssociationId);
        const view = associated(instance, 'disassociating');
        const { association: _gone, ...rest } = instance;
        await w.update('ec2.instance', ctx.account, instance.instanceId, {
          ...rest,
          pastAssociationIds: [...instance.pastAssociationIds, input.AssociationId],
        });
        return { IamInstanceProfileAssociation: view };
      }),
  };
}
