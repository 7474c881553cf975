/**
 * Source-address allow-list for the push endpoint. Ozon documents no signature for pushes, only the networks they
 * come from (ozon-api.md §4), so the address is the first check and the secret path token the second.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import * as z from 'zod/mini';
import { env } from '#shared/config';
import { ConfigError } from '#shared/errors';

const Cidr = z.string().check(z.trim(), z.regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'not a CIDR like 195.34.21.0/24'));

/** Parses a comma-separated CIDR list; a malformed entry fails loudly instead of silently letting nobody in. */
export function allowList(cidrs: string): BlockList {
  const list = new BlockList();
  for (const raw of cidrs.split(',').filter((s) => s.trim())) {
    const parsed = Cidr.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`WEBHOOK_ALLOWED_CIDRS: "${raw}" is ${parsed.error.issues[0]?.message}`);
    const [network, prefix] = parsed.data.split('/') as [string, string];
    const type = isIPv4(network) ? 'ipv4' : isIPv6(network) ? 'ipv6' : undefined;
    if (!type) throw new ConfigError(`WEBHOOK_ALLOWED_CIDRS: "${raw}" has no valid network address`);
    list.addSubnet(network, Number(prefix), type);
  }
  return list;
}

/** IPv4 callers may show up as IPv4-mapped IPv6 (`::ffff:195.34.21.7`) behind dual-stack sockets. */
export function isAllowed(list: BlockList, sourceIp: string | undefined): boolean {
  if (!sourceIp) return false;
  const ip = sourceIp.replace(/^::ffff:/i, '');
  if (isIPv4(ip)) return list.check(ip, 'ipv4');
  if (isIPv6(ip)) return list.check(ip, 'ipv6');
  return false;
}

let cached: { source: string; list: BlockList } | undefined;
/** The allow-list from `WEBHOOK_ALLOWED_CIDRS` (default: Ozon's networks), rebuilt only when the variable changes. */
export function webhookAllowList(): BlockList {
  const source = env('pushes').WEBHOOK_ALLOWED_CIDRS;
  if (cached?.source !== source) cached = { source, list: allowList(source) };
  return cached.list;
}
