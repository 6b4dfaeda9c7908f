/**
 * Server secrets kept in the store: the key that seals session tokens (and EC2's encoded authorization
 * messages). Made once, on first start, and kept, so tokens survive restarts and every node shares them.
 */
import type { Store } from '../store/store.ts';
import { randomBytes } from 'node:crypto';

const KIND = 'rolecall.secret';

export async function loadTokenKey(store: Store): Promise<Buffer> {
  return store.transaction(async (tx) => {
    const existing = await tx.get<string>(KIND, '', 'session-token-key');
    if (existing !== undefined) return Buffer.from(existing, 'base64');
    const key = randomBytes(32);
    await tx.insert(KIND, '', 'session-token-key', key.toString('base64'));
    return key;
  });
}
