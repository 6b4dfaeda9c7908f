/** Handlers for operations a service lists but does not serve yet: each answers NotImplemented. */
import { commonErrors } from '../protocol/errors.ts';
import type { Handler } from './service.ts';

export function notYet<Name extends string>(
  service: string,
  operations: readonly Name[],
): Record<Name, Handler<unknown, never>> {
  const handlers = {} as Record<Name, Handler<unknown, never>>;
  for (const op of operations) {
    handlers[op] = () => {
      throw commonErrors.notImplemented(`rolecall does not implement ${service} ${op} yet`);
    };
  }
  return handlers;
}
