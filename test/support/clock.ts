/**
 * Moving rolecall's clock from tests: `POST /_rolecall/clock {"advanceSeconds": n}`, SigV4-signed (any service
 * name in the scope; rolecall accepts only an account root's signature).
 */
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface ClockCreds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const ROOT: ClockCreds = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Sends the request and returns the status: 200, or 403 for credentials that are not an account root's. */
export async function postClock(endpoint: string, seconds: number, creds: ClockCreds = ROOT): Promise<number> {
  const url = new URL('/_rolecall/clock', endpoint);
  const body = JSON.stringify({ advanceSeconds: seconds });
  const signer = new SignatureV4({ service: 'rolecall', region: 'us-east-1', credentials: creds, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'content-type': 'application/json' },
    body,
  });
  const headers: Record<string, string> = { ...signed.headers };
  delete headers['host'];
  const res = await fetch(url, { method: 'POST', headers, body });
  await res.text();
  return res.status;
}

/** Moves the clock forward as the default account's root; fails the test when rolecall refuses. */
export async function advanceClock(endpoint: string, seconds: number): Promise<void> {
  assert.equal(await postClock(endpoint, seconds), 200);
}
