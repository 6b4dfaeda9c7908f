/**
 * IAM words two constraint violations its own way instead of the generic "failed to satisfy constraint": a
 * name that breaks the name pattern and a malformed path (docs/research/wire-facts.md §2 and §5, from real
 * responses: `The specified value for roleName is invalid. It must contain only alphanumeric characters and/or
 * the following: +=,.@_-`).
 */
import { validationMessage, type ValidationProblem } from '../../protocol/query/validate.ts';

const NAME_PATTERN = '[\\w+=,.@-]+';
const PATH_PATTERN = '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)';

/** Members whose offending value IAM does not echo (recorded: `Value at 'versionId' failed to satisfy …`). */
const UNECHOED = new Set(['versionId']);

export function describeIamInvalid(problems: readonly ValidationProblem[]): string | undefined {
  if (problems.some((p) => UNECHOED.has(p.path) && p.shown !== undefined)) {
    return validationMessage(problems.map((p) => (UNECHOED.has(p.path) ? { ...p, shown: undefined } : p)));
  }
  for (const problem of problems) {
    if (problem.path.includes('.')) continue;
    if (problem.pattern === NAME_PATTERN) {
      return `The specified value for ${problem.path} is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-`;
    }
    if (problem.pattern === PATH_PATTERN) {
      return `The specified value for ${problem.path} is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`;
    }
  }
  return undefined;
}
