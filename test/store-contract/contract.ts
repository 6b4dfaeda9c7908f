/**
 * The behaviour every Store backend must share, written once against the Store interface. Services are tested on
 * the memory backend and shipped on SQLite (later PostgreSQL), which is only sound if the backends cannot be told
 * apart through the interface; each backend's test file runs this suite, and nothing here may know which one it is.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isStoreClosed, isStoreConflict, isStoreNotFound } from '../../src/store/store.ts';
import type { Store, StoreTx } from '../../src/store/store.ts';

const KIND = 'test.widget';
const OTHER_KIND = 'test.gadget';
const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';

/**
 * Registers the contract suite. `make` returns a new, unopened store with no data, independent of every other
 * store it has returned; the suite opens it and closes it after each test.
 */
export function storeContract(name: string, make: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    const made: Store[] = [];

    afterEach(async () => {
      await Promise.all(made.splice(0).map((s) => s.close()));
    });

    const fresh = async (): Promise<Store> => {
      const store = await make();
      made.push(store);
      await store.open();
      return store;
    };

    const insert = (store: Store, account: string, key: string, value: unknown, kind = KIND): Promise<void> =>
      store.transaction((tx) => tx.insert(kind, account, key, value));

    it('open is idempotent, including concurrent calls', async () => {
      const store = await fresh();
      await insert(store, ACCOUNT, 'a', { n: 1 });
      await store.open();
      await Promise.all([store.open(), store.open()]);
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'a'), { n: 1 });
    });

    it('rejects calls before open with a closed error', async () => {
      const store = await make();
      made.push(store);
      await assert.rejects(store.get(KIND, ACCOUNT, 'a'), isStoreClosed);
    });

    it('get of a missing record resolves undefined', async () => {
      const store = await fresh();
      assert.equal(await store.get(KIND, ACCOUNT, 'missing'), undefined);
      assert.equal(await store.transaction((tx) => tx.get(KIND, ACCOUNT, 'missing')), undefined);
    });

    it('insert then get returns an equal copy', async () => {
      const store = await fresh();
      const value = { name: 'Alpha', tags: ['x', 'y'], nested: { n: 1, ok: true, none: null } };
      await insert(store, ACCOUNT, 'alpha', value);
      value.tags.push('changed after insert');

      const got = await store.get<typeof value>(KIND, ACCOUNT, 'alpha');
      assert.deepEqual(got, { name: 'Alpha', tags: ['x', 'y'], nested: { n: 1, ok: true, none: null } });
      assert.ok(got);
      got.tags.push('z');
      got.nested.n = 99;
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'alpha'), {
        name: 'Alpha',
        tags: ['x', 'y'],
        nested: { n: 1, ok: true, none: null },
      });
    });

    it('insert of an existing record rejects with a conflict and keeps the original', async () => {
      const store = await fresh();
      await insert(store, ACCOUNT, 'a', { v: 'original' });
      await assert.rejects(insert(store, ACCOUNT, 'a', { v: 'second' }), isStoreConflict);
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'a'), { v: 'original' });
    });

    it('update replaces an existing record and rejects with not-found for a missing one', async () => {
      const store = await fresh();
      await assert.rejects(
        store.transaction((tx) => tx.update(KIND, ACCOUNT, 'missing', { v: 1 })),
        isStoreNotFound,
      );
      assert.equal(await store.get(KIND, ACCOUNT, 'missing'), undefined);

      await insert(store, ACCOUNT, 'a', { v: 1 });
      await store.transaction((tx) => tx.update(KIND, ACCOUNT, 'a', { v: 2 }));
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'a'), { v: 2 });
    });

    it('put inserts or replaces', async () => {
      const store = await fresh();
      await store.transaction((tx) => tx.put(KIND, ACCOUNT, 'a', { v: 1 }));
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'a'), { v: 1 });
      await store.transaction((tx) => tx.put(KIND, ACCOUNT, 'a', { v: 2 }));
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'a'), { v: 2 });
      assert.equal((await store.list(KIND)).length, 1);
    });

    it('delete resolves true when it removed a record and false when there was none', async () => {
      const store = await fresh();
      await insert(store, ACCOUNT, 'a', { v: 1 });
      assert.equal(await store.transaction((tx) => tx.delete(KIND, ACCOUNT, 'a')), true);
      assert.equal(await store.get(KIND, ACCOUNT, 'a'), undefined);
      assert.equal(await store.transaction((tx) => tx.delete(KIND, ACCOUNT, 'a')), false);
      // A deleted key can be inserted again.
      await insert(store, ACCOUNT, 'a', { v: 2 });
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'a'), { v: 2 });
    });

    it('list returns one kind, ordered by account then key', async () => {
      const store = await fresh();
      await store.transaction(async (tx) => {
        await tx.insert(KIND, OTHER_ACCOUNT, 'a', 4);
        await tx.insert(KIND, ACCOUNT, 'b', 3);
        await tx.insert(KIND, '', 'z', 0);
        await tx.insert(KIND, ACCOUNT, 'a', 2);
        await tx.insert(KIND, ACCOUNT, 'B', 1);
        await tx.insert(OTHER_KIND, ACCOUNT, 'a', 'other kind');
      });
      assert.deepEqual(await store.list(KIND), [
        { kind: KIND, account: '', key: 'z', value: 0 },
        { kind: KIND, account: ACCOUNT, key: 'B', value: 1 },
        { kind: KIND, account: ACCOUNT, key: 'a', value: 2 },
        { kind: KIND, account: ACCOUNT, key: 'b', value: 3 },
        { kind: KIND, account: OTHER_ACCOUNT, key: 'a', value: 4 },
      ]);
      assert.deepEqual(await store.list(OTHER_KIND), [
        { kind: OTHER_KIND, account: ACCOUNT, key: 'a', value: 'other kind' },
      ]);
      assert.deepEqual(await store.list('test.none'), []);
    });

    it('list orders non-ASCII keys by code point, the same in every backend', async () => {
      const store = await fresh();
      // UTF-16 order would put the emoji (a surrogate pair) before U+FF21; code point order puts it last.
      const keys = ['😀', '\uFF21', 'é', '~', 'a', 'Z'];
      await store.transaction(async (tx) => {
        for (const key of keys) await tx.insert(KIND, ACCOUNT, key, key);
      });
      const listed = (await store.list(KIND)).map((r) => r.key);
      assert.deepEqual(listed, ['Z', 'a', '~', 'é', '\uFF21', '😀']);
    });

    it('the same key in two accounts, or two kinds, is two separate records', async () => {
      const store = await fresh();
      await insert(store, ACCOUNT, 'shared', { owner: 1 });
      await insert(store, OTHER_ACCOUNT, 'shared', { owner: 2 });
      await insert(store, ACCOUNT, 'shared', { owner: 3 }, OTHER_KIND);
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'shared'), { owner: 1 });
      assert.deepEqual(await store.get(KIND, OTHER_ACCOUNT, 'shared'), { owner: 2 });
      assert.deepEqual(await store.get(OTHER_KIND, ACCOUNT, 'shared'), { owner: 3 });
      assert.equal(await store.transaction((tx) => tx.delete(KIND, ACCOUNT, 'shared')), true);
      assert.deepEqual(await store.get(KIND, OTHER_ACCOUNT, 'shared'), { owner: 2 });
      assert.deepEqual(await store.get(OTHER_KIND, ACCOUNT, 'shared'), { owner: 3 });
    });

    it('a transaction resolves with the value its function resolves with', async () => {
      const store = await fresh();
      assert.deepEqual(await store.transaction(async () => ({ answer: 42 })), { answer: 42 });
    });

    it('a rejected transaction leaves no change at all', async () => {
      const store = await fresh();
      await store.transaction(async (tx) => {
        await tx.insert(KIND, ACCOUNT, 'kept', { v: 'kept' });
        await tx.insert(KIND, ACCOUNT, 'doomed', { v: 'doomed' });
      });
      const before = await store.list(KIND);

      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insert(KIND, ACCOUNT, 'new', { v: 'new' });
          await tx.update(KIND, ACCOUNT, 'kept', { v: 'changed' });
          await tx.put(KIND, OTHER_ACCOUNT, 'put', { v: 'put' });
          assert.equal(await tx.delete(KIND, ACCOUNT, 'doomed'), true);
          await tx.insert(OTHER_KIND, ACCOUNT, 'x', 1);
          await sleep(1);
          throw new Error('boom');
        }),
        { message: 'boom' },
      );

      assert.deepEqual(await store.list(KIND), before);
      assert.deepEqual(await store.list(OTHER_KIND), []);
      assert.equal(await store.get(KIND, ACCOUNT, 'new'), undefined);
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'doomed'), { v: 'doomed' });
    });

    it('passes the rejection reason through unchanged', async () => {
      const store = await fresh();
      class DomainError extends Error {}
      const reason = new DomainError('EntityAlreadyExists');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.put(KIND, ACCOUNT, 'a', 1);
          throw reason;
        }),
        (err: unknown) => err === reason,
      );
      const notAnError = { code: 'weird' };
      await assert.rejects(
        store.transaction(() => Promise.reject(notAnError)),
        (err: unknown) => err === notAnError,
      );
      assert.equal(await store.get(KIND, ACCOUNT, 'a'), undefined);
    });

    it("a transaction's writes are visible to its own reads", async () => {
      const store = await fresh();
      await insert(store, ACCOUNT, 'old', { v: 'old' });
      await store.transaction(async (tx) => {
        await tx.insert(KIND, ACCOUNT, 'a', { v: 1 });
        assert.deepEqual(await tx.get(KIND, ACCOUNT, 'a'), { v: 1 });
        await tx.update(KIND, ACCOUNT, 'a', { v: 2 });
        assert.deepEqual(await tx.get(KIND, ACCOUNT, 'a'), { v: 2 });
        await tx.delete(KIND, ACCOUNT, 'old');
        assert.equal(await tx.get(KIND, ACCOUNT, 'old'), undefined);
        await assert.rejects(tx.update(KIND, ACCOUNT, 'old', { v: 'x' }), isStoreNotFound);
        await tx.insert(KIND, ACCOUNT, 'old', { v: 'reborn' });
        await assert.rejects(tx.insert(KIND, ACCOUNT, 'a', { v: 3 }), isStoreConflict);
      });
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'a'), { v: 2 });
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'old'), { v: 'reborn' });
    });

    it('serializes concurrent transactions so read-modify-write never loses an update', async () => {
      const store = await fresh();
      await insert(store, ACCOUNT, 'counter', { n: 0 });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.transaction(async (tx) => {
            const current = await tx.get<{ n: number }>(KIND, ACCOUNT, 'counter');
            assert.ok(current);
            await sleep(i % 3);
            await tx.put(KIND, ACCOUNT, 'counter', { n: current.n + 1 });
            return current.n;
          }),
        ),
      );
      assert.deepEqual(await store.get(KIND, ACCOUNT, 'counter'), { n: 20 });
      assert.deepEqual(
        [...results].sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i),
      );
    });

    it('a plain read during a transaction sees only committed state', async () => {
      const store = await fresh();
      await insert(store, ACCOUNT, 'a', { v: 'committed' });
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let wrote: () => void = () => undefined;
      const written = new Promise<void>((resolve) => (wrote = resolve));
      const running = store.transaction(async (tx) => {
        await tx.put(KIND, ACCOUNT, 'a', { v: 'uncommitted' });
        wrote();
        await gate;
        throw new Error('abandon');
      });
      await written;
      const read = store.get(KIND, ACCOUNT, 'a');
      release();
      assert.deepEqual(await read, { v: 'committed' });
      await assert.rejects(running, { message: 'abandon' });
    });

    it('a conflict inside a transaction rolls back the whole transaction', async () => {
      const store = await fresh();
      await insert(store, ACCOUNT, 'taken', { v: 'original' });
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.insert(KIND, ACCOUNT, 'first', { v: 1 });
          await tx.put(KIND, ACCOUNT, 'second', { v: 2 });
          await tx.insert(KIND, ACCOUNT, 'taken', { v: 'mine' });
        }),
        isStoreConflict,
      );
      assert.equal(await store.get(KIND, ACCOUNT, 'first'), undefined);
      assert.equal(await store.get(KIND, ACCOUNT, 'second'), undefined);
      assert.deepEqual(await store.list(KIND), [
        { kind: KIND, account: ACCOUNT, key: 'taken', value: { v: 'original' } },
      ]);
    });

    it('rejects values that are not JSON-serializable with a TypeError and stores nothing', async () => {
      const store = await fresh();
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const bad of [undefined, () => 1, Symbol('s'), 10n, cyclic]) {
        await assert.rejects(insert(store, ACCOUNT, 'bad', bad), TypeError);
        await assert.rejects(
          store.transaction((tx) => tx.put(KIND, ACCOUNT, 'bad', bad)),
          TypeError,
        );
      }
      assert.deepEqual(await store.list(KIND), []);
    });

    it('refuses store calls made inside a transaction instead of deadlocking', async () => {
      const store = await fresh();
      await store.transaction(async (tx) => {
        await assert.rejects(
          store.transaction(async () => undefined),
          /inside a transaction/,
        );
        await assert.rejects(store.get(KIND, ACCOUNT, 'a'), /inside a transaction/);
        await tx.put(KIND, ACCOUNT, 'a', 1);
      });
      assert.equal(await store.get(KIND, ACCOUNT, 'a'), 1);
    });

    it('refuses a tx used after its transaction finished', async () => {
      const store = await fresh();
      let leaked: StoreTx | undefined;
      await store.transaction(async (tx) => {
        leaked = tx;
      });
      assert.ok(leaked);
      await assert.rejects(leaked.put(KIND, ACCOUNT, 'late', 1), /transaction has finished/);
      assert.equal(await store.get(KIND, ACCOUNT, 'late'), undefined);
    });

    it('close waits for running and queued transactions, then refuses every call', async () => {
      const store = await fresh();
      const events: string[] = [];
      const first = store.transaction(async (tx) => {
        await sleep(5);
        await tx.put(KIND, ACCOUNT, 'a', 1);
        events.push('first');
        return 'first';
      });
      const second = store.transaction(async (tx) => {
        await tx.put(KIND, ACCOUNT, 'b', 2);
        events.push('second');
        return 'second';
      });
      const closing = store.close().then(() => {
        events.push('closed');
      });
      await assert.rejects(store.get(KIND, ACCOUNT, 'a'), isStoreClosed);
      assert.deepEqual(await Promise.all([first, second, closing]), ['first', 'second', undefined]);
      assert.deepEqual(events, ['first', 'second', 'closed']);

      await assert.rejects(store.get(KIND, ACCOUNT, 'a'), isStoreClosed);
      await assert.rejects(store.list(KIND), isStoreClosed);
      await assert.rejects(
        store.transaction(async () => undefined),
        isStoreClosed,
      );
      await assert.rejects(store.open(), isStoreClosed);
      await store.close();
    });

    it('round-trips unicode and large values', async () => {
      const store = await fresh();
      const unicode = {
        text: 'héllo wörld — 日本語 — עברית — 😀👩‍👩‍👧 — \u0000 nul — \u2028 sep',
        [`kéy-😀`]: ['ß', '\uFFFD'],
      };
      const large = 'x'.repeat(1024 * 1024 - 3) + '😀é';
      await store.transaction(async (tx) => {
        await tx.insert(KIND, 'äccount-😀', 'ключ-日本', unicode);
        await tx.insert(KIND, ACCOUNT, 'large', { large });
      });
      assert.deepEqual(await store.get(KIND, 'äccount-😀', 'ключ-日本'), unicode);
      const got = await store.get<{ large: string }>(KIND, ACCOUNT, 'large');
      assert.equal(got?.large, large);
      assert.deepEqual(
        (await store.list(KIND)).map((r) => [r.account, r.key]),
        [
          [ACCOUNT, 'large'],
          ['äccount-😀', 'ключ-日本'],
        ],
      );
    });
  });
}
