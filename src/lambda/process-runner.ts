/**
 * PLACEHOLDER for the execution layer (branch lambda-runtime builds the real one, with the same export): every
 * invocation is refused, so the Lambda API can be wired and tested before functions can run. The integrator
 * replaces this file with the real runner.
 */
import type { Logger } from 'pino';
import { AwsError } from '../protocol/errors.ts';
import type { FunctionRunner } from './types.ts';

export function createProcessRunner(options: { log: Logger; maxProcesses?: number }): FunctionRunner {
  void options;
  return {
    invoke: () => Promise.reject(new AwsError('ServiceException', 500, 'no runner')),
    retire: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
