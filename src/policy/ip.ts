/**
 * IPv4 and IPv6 addresses and CIDR blocks for the IpAddress and NotIpAddress condition operators. An IPv4
 * address written as IPv4-mapped IPv6 (`::ffff:10.0.0.1`, how Node reports IPv4 peers on dual-stack sockets)
 * is compared as IPv4. Pure parsing, no node:net.
 */

export interface IpBlock {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] ?? '';
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseV6(text: string): Uint8Array | undefined {
  let head = text;
  let tailV4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tailV4 = parseV4(text.slice(lastColon + 1));
    if (!tailV4) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const double = head.split('::');
  if (double.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(double[0] ?? '');
  const right = double.length === 2 ? groups(double[1] ?? '') : [];
  const missing = 8 - left.length - right.length;
  if ((double.length === 1 && missing !== 0) || missing < 0 || (double.length === 2 && missing < 1)) return undefined;
  const all = [...left, ...Array<string>(double.length === 2 ? missing : 0).fill('0'), ...right];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = all[i] ?? '';
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 255;
  }
  if (tailV4) out.set(tailV4, 12);
  return out;
}

/** An address as bytes: 4 for IPv4 (also for IPv4-mapped IPv6), 16 for IPv6. */
export function parseIp(text: string): Uint8Array | undefined {
  const v4 = parseV4(text);
  if (v4) return v4;
  const v6 = parseV6(text);
  if (!v6) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 255 && v6[11] === 255;
  return mapped ? v6.slice(12) : v6;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (a full-length block). */
export function parseCidr(text: string): IpBlock | undefined {
  const slash = text.indexOf('/');
  const bytes = parseIp(slash >= 0 ? text.slice(0, slash) : text);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash < 0) return { bytes, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { bytes, prefix: Number(prefixText) };
}

export function inBlock(block: IpBlock, address: Uint8Array): boolean {
  if (block.bytes.length !== address.length) return false;
  let bits = block.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 255 : (255 << (8 - bits)) & 255;
    if (((block.bytes[i] ?? 0) & mask) !== ((address[i] ?? 0) & mask)) return false;
  }
  return true;
}
