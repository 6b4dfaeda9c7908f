/**
 * EC2 reports bad parameters its own way rather than with ValidationError: a missing one is MissingParameter
 * (`The request must contain the parameter ImageId`), a wrong value InvalidParameterValue (`Value (x) for
 * parameter y is invalid.`; docs/research/wire-facts.md §3).
 */
import { AwsError } from '../errors.ts';
import type { ValidationProblem } from './validate.ts';

const wireName = (path: string): string => {
  const last =
    path
      .split('.')
      .filter((p) => !/^\d+$/.test(p) && p !== 'member')
      .pop() ?? path;
  return last.charAt(0).toUpperCase() + last.slice(1);
};

export function ec2ValidationError(problems: readonly ValidationProblem[]): AwsError {
  const first = problems[0];
  if (!first) return new AwsError('InvalidParameterValue', 400, 'Invalid parameter.');
  if (first.constraint === 'Member must not be null') {
    return new AwsError('MissingParameter', 400, `The request must contain the parameter ${wireName(first.path)}`);
  }
  const value = first.shown === undefined ? '' : first.shown.replace(/^'|'$/g, '');
  return new AwsError(
    'InvalidParameterValue',
    400,
    `Value (${value}) for parameter ${first.path} is invalid. ${first.constraint}`,
  );
}
