/** The STS service. GetCallerIdentity is always allowed, whatever policies say (STS API reference). */
import { stsModel, type StsOperations } from '../../protocol/generated/sts.ts';
import { defineService, type ServiceDefinition } from '../service.ts';

export function stsService(): ServiceDefinition {
  return defineService<StsOperations>(stsModel, {
    GetCallerIdentity: (_input, ctx) => ({
      UserId: ctx.principal.userId,
      Account: ctx.principal.account,
      Arn: ctx.principal.arn,
    }),
  });
}
