/**
 * TagResource, UntagResource and ListTags on a function ARN. Tags are the function's aws:ResourceTag keys in
 * authorization (authorization.ts). A function holds at most 50 tags (Lambda quotas; AWS's InvalidParameterValue
 * text for more is not recorded here, so the message says what the limit is).
 */
import type { LambdaOperations } from '../../protocol/generated/lambda.ts';
import type { Handlers } from '../service.ts';
import { newRevisionId } from './common.ts';
import type { LambdaDeps } from './deps.ts';
import { findFunction } from './common.ts';
import { update } from './functions.ts';
import { invalidParameter } from './names.ts';

type TagOps = Pick<LambdaOperations, 'TagResource' | 'UntagResource' | 'ListTags'>;

const MAX_TAGS = 50;

/** A tagged resource must be a function's ARN (not a bare name). */
function checkArn(resource: string): void {
  if (!resource.startsWith('arn:')) throw invalidParameter(`${resource} is not a valid Lambda resource ARN.`);
}

export function tagHandlers(deps: LambdaDeps): Handlers<TagOps> {
  return {
    TagResource: async (input, ctx) => {
      checkArn(input.Resource);
      findFunction(deps, input.Resource, ctx);
      await update(deps, ctx, input.Resource, undefined, (f) => {
        const tags = { ...f.tags, ...input.Tags };
        if (Object.keys(tags).length > MAX_TAGS) {
          throw invalidParameter(`A function can have at most ${MAX_TAGS} tags.`);
        }
        return { ...f, tags, revisionId: newRevisionId() };
      });
    },

    UntagResource: async (input, ctx) => {
      checkArn(input.Resource);
      findFunction(deps, input.Resource, ctx);
      await update(deps, ctx, input.Resource, undefined, (f) => {
        const tags = { ...f.tags };
        for (const key of input.TagKeys) delete tags[key];
        return { ...f, tags, revisionId: newRevisionId() };
      });
    },

    ListTags: (input, ctx) => {
      checkArn(input.Resource);
      return { Tags: { ...findFunction(deps, input.Resource, ctx).record.tags } };
    },
  };
}
