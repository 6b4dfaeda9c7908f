// IPv4 and IPv6 addresses and CIDR blocks for IpAddress/NotIpAddress (IAM User Guide, "IP address condition
// operators": standard CIDR format, an address without a prefix is /32).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inBlock, parseCidr, parseIp } from './ip.ts';

describe('parseIp', () => {
  const rows: [text: string, bytes: number[] | undefined][] = [
    ['203.0.113.7', [203, 0, 113, 7]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['256.0.0.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    ['01.2.3.4', [1, 2, 3, 4]],
    ['::1', [...Array<number>(15).fill(0), 1]],
    ['2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 1]],
    ['2001:DB8:0:0:0:0:0:1', [0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 1]],
    ['::ffff:10.0.0.1', [10, 0, 0, 1]],
    ['2001:db8::1::2', undefined],
    ['2001:db8:1:2:3:4:5:6:7', undefined],
    ['12345::', undefined],
    ['not-an-ip', undefined],
    ['', undefined],
  ];
  for (const [text, bytes] of rows) {
    it(JSON.stringify(text), () => {
      const parsed = parseIp(text);
      assert.deepEqual(parsed && [...parsed], bytes);
    });
  }
});

describe('parseCidr and inBlock', () => {
  const rows: [block: string, address: string, inside: boolean][] = [
    ['203.0.113.0/24', '203.0.113.255', true],
    ['203.0.113.0/24', '203.0.114.0', false],
    ['203.0.113.5', '203.0.113.5', true],
    ['203.0.113.5', '203.0.113.6', false],
    ['10.0.0.0/8', '10.200.1.1', true],
    ['10.1.2.3/8', '10.9.9.9', true],
    ['0.0.0.0/0', '198.51.100.1', true],
    ['192.168.0.0/23', '192.168.1.77', true],
    ['192.168.0.0/23', '192.168.2.1', false],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5678:ffff::1', true],
    ['2001:DB8:1234:5678::/64', '2001:db8:1234:5679::1', false],
    ['2001:db8::/32', '203.0.113.1', false],
    ['203.0.113.0/24', '2001:db8::1', false],
    ['::/0', '2001:db8::1', true],
  ];
  for (const [block, address, inside] of rows) {
    it(`${address} ${inside ? 'is' : 'is not'} in ${block}`, () => {
      const parsedBlock = parseCidr(block);
      const parsedAddress = parseIp(address);
      assert.ok(parsedBlock && parsedAddress);
      assert.equal(inBlock(parsedBlock, parsedAddress), inside);
    });
  }

  const invalid = ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', 'x/8'];
  for (const text of invalid) it(`refuses ${text}`, () => assert.equal(parseCidr(text), undefined));
});
