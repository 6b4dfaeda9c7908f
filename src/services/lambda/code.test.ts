import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { isAwsError } from '../../protocol/errors.ts';
import { CodeStore, readZip } from './code.ts';

const root = mkdtempSync(join(tmpdir(), 'rolecall-code-'));
after(() => rmSync(root, { recursive: true, force: true }));

const zip = (files: Record<string, string>) =>
  zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));

describe('readZip', () => {
  it('returns the files, folders included in their paths', () => {
    const files = readZip(zip({ 'index.js': 'a', 'lib/util.js': 'b' }));
    assert.deepEqual([...files.keys()].sort(), ['index.js', join('lib', 'util.js')]);
  });

  it('refuses what is not a zip, and entries that would land outside the folder', () => {
    for (const bad of [
      strToU8('plain text'),
      new Uint8Array(),
      zip({ '../x.js': 'x' }),
      zip({ 'a/../../x.js': 'x' }),
    ]) {
      assert.throws(
        () => readZip(bad),
        (err: unknown) => isAwsError(err) && err.code === 'InvalidParameterValueException',
      );
    }
  });
});

describe('CodeStore', () => {
  it('keeps a package by its SHA-256, unpacks it once, and sweeps what no function names', async () => {
    const store = await CodeStore.open(root);
    const bytes = zip({ 'index.js': 'exports.handler = 1;' });
    const saved = await store.save(bytes);
    assert.equal(saved.sha256, createHash('sha256').update(bytes).digest('base64'));
    assert.equal(saved.size, bytes.byteLength);
    assert.deepEqual(await store.save(bytes), saved);
    const dir = await store.dir(saved.sha256);
    assert.equal(readFileSync(join(dir, 'index.js'), 'utf8'), 'exports.handler = 1;');

    // A lost folder is unpacked again from the kept zip.
    rmSync(dir, { recursive: true });
    assert.equal(readFileSync(join(await store.dir(saved.sha256), 'index.js'), 'utf8'), 'exports.handler = 1;');

    const other = await store.save(zip({ 'index.js': 'other' }));
    assert.equal(await store.sweep(new Set([saved.sha256])), 1);
    assert.equal(existsSync(store.zipPath(other.sha256)), false);
    assert.equal(readdirSync(join(root, 'code')).length, 1);
    assert.equal(existsSync(store.zipPath(saved.sha256)), true);
  });
});
