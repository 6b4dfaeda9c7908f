// Checksums against published vectors: the CRC catalogue check values for "123456789" (S3 prints them in the
// values openstack/swift's test_object_checksums.py sends to S3), RFC 3720 B.4 for CRC-32C, and a bit-at-a-time
// reference for the table-driven CRCs on random inputs split at random points.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  algorithmOfHeader,
  CHECKSUM_ALGORITHMS,
  checksumHeader,
  createChecksum,
  crc32c,
  crc64nvme,
  isValidChecksumValue,
} from './checksums.ts';

const CHECK = Buffer.from('123456789');

describe('checksums', () => {
  it('prints the values S3 expects for "123456789"', () => {
    // openstack/swift test/s3api/test_object_checksums.py: EXPECTED for TEST_BODY = b'123456789'.
    const expected = {
      CRC32: 'y/Q5Jg==',
      CRC32C: '4waSgw==',
      CRC64NVME: 'rosUhgp5mIg=',
      SHA1: '98O8HYCOBHMq32eZZczDTKeuNEE=',
      SHA256: 'FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=',
    };
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const checksum = createChecksum(algorithm);
      checksum.update(CHECK.subarray(0, 3));
      checksum.update(CHECK.subarray(3));
      assert.equal(checksum.digest(), expected[algorithm], algorithm);
    }
  });

  it('computes CRC-32C as RFC 3720 B.4 and the catalogue check value', () => {
    assert.equal(crc32c(CHECK), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(32, 0x00)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  it('computes CRC-64/NVME as the catalogue check value and the NVMe zeros vector', () => {
    assert.equal(crc64nvme(CHECK), 0xae8b14860a799888n);
    assert.equal(crc64nvme(Buffer.alloc(32, 0x00)), 0xcf3473434d4ecf3bn);
    assert.equal(crc64nvme(new Uint8Array(0)), 0n);
  });

  it('agrees with a bit-at-a-time reference on random inputs, however they are split', () => {
    const slow32 = (data: Uint8Array) => {
      let c = 0xffffffff;
      for (const byte of data) {
        c ^= byte;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return ~c >>> 0;
    };
    const slow64 = (data: Uint8Array) => {
      let c = 0xffffffffffffffffn;
      for (const byte of data) {
        c ^= BigInt(byte);
        for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ 0x9a6c9329ac4bc9b5n : c >> 1n;
      }
      return c ^ 0xffffffffffffffffn;
    };
    for (let n = 0; n < 200; n++) {
      const data = randomBytes((n * 37) % 301);
      const cut = n % (data.length + 1);
      assert.equal(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut))), slow32(data));
      assert.equal(crc64nvme(data.subarray(cut), crc64nvme(data.subarray(0, cut))), slow64(data));
    }
  });

  it('accepts only canonical base64 of the right size, as S3 does', () => {
    // openstack/swift test_object_checksums.py: INVALID values differ in padding bits only; S3 refuses them.
    assert.equal(isValidChecksumValue('CRC32', 'y/Q5Jg=='), true);
    for (const bad of ['y/Q5Jh==', 'short===', 'shrt', 'toolong=', '^^^^^^==', 'y^/^Q5^J^g==', '', 'y/Q5Jg']) {
      assert.equal(isValidChecksumValue('CRC32', bad), false, bad);
    }
    assert.equal(isValidChecksumValue('CRC32C', '4waSgx=='), false);
    assert.equal(isValidChecksumValue('CRC64NVME', 'rosUhgp5mIg='), true);
    assert.equal(isValidChecksumValue('CRC64NVME', 'rosUhgp5mIh='), false);
    assert.equal(isValidChecksumValue('SHA1', '98O8HYCOBHMq32eZZczDTKeuNEE='), true);
    assert.equal(isValidChecksumValue('SHA256', 'FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU='), true);
    assert.equal(isValidChecksumValue('SHA256', 'y/Q5Jg=='), false);
  });

  it('maps algorithms to their headers and back', () => {
    assert.equal(checksumHeader('CRC64NVME'), 'x-amz-checksum-crc64nvme');
    assert.equal(algorithmOfHeader('X-Amz-Checksum-CRC32C'), 'CRC32C');
    assert.equal(algorithmOfHeader('x-amz-checksum-md5'), undefined);
  });
});
