/**
 * Which probe hosts point back at the machine the probe runs on (Switchyard's Lambda, or wherever
 * `switchyard serve` runs) rather than at a service: loopback, link-local, instance metadata and
 * the unspecified address. Hosts are read the way the probe will read them, so every spelling of
 * one address (2130706433, 0x7f.1, ::ffff:127.0.0.1…) gets the same answer.
 */
import { BlockList, isIP } from 'node:net';

/** What kind of local address a host names; the most specific kind first. */
const LOCAL_ADDRESS_KINDS: ReadonlyArray<{ kind: string; addresses: BlockList }> = [
  {
    // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
    kind: 'the instance metadata service',
    addresses: blockList((list) => {
      list.addAddress('169.254.169.254', 'ipv4');
      list.addAddress('fd00:ec2::254', 'ipv6');
    }),
  },
  {
    // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html
    kind: 'the EKS Pod Identity Agent',
    addresses: blockList((list) => {
      list.addAddress('169.254.170.23', 'ipv4');
      list.addAddress('fd00:ec2::23', 'ipv6');
    }),
  },
  {
    kind: 'a loopback address',
    addresses: blockList((list) => {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
    }),
  },
  {
    kind: 'a link-local address',
    addresses: blockList((list) => {
      list.addSubnet('169.254.0.0', 16, 'ipv4');
      list.addSubnet('fe80::', 10, 'ipv6');
    }),
  },
  {
    // Connecting to 0.0.0.0 or :: reaches the local host.
    kind: 'the unspecified address',
    addresses: blockList((list) => {
      list.addSubnet('0.0.0.0', 8, 'ipv4');
      list.addAddress('::', 'ipv6');
    }),
  },
];

function blockList(fill: (list: BlockList) => void): BlockList {
  const list = new BlockList();
  fill(list);
  return list;
}

/**
 * What local address `host` names (e.g. "a loopback address"), or undefined for any other host.
 * `host` is a URL's hostname (IPv6 in brackets) or a bare host name or address.
 */
export function localAddressKind(host: string): string | undefined {
  const { address, name } = readHost(host);
  if (address === undefined) {
    // RFC 6761: localhost and every name under it are loopback.
    const bare = name.replace(/\.$/, '');
    return bare === 'localhost' || bare.endsWith('.localhost') ? 'a loopback address' : undefined;
  }
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  // BlockList also matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against IPv4 subnets.
  return LOCAL_ADDRESS_KINDS.find(({ addresses }) => addresses.check(address, family))?.kind;
}

/**
 * The IP address `host` spells, or the name it is, as a probe reads it. WHATWG URL parsing is
 * what fetch applies: it reads decimal, hex, octal and shortened IPv4 as the system resolver
 * does, and lowercases and IDNA-maps names.
 */
function readHost(host: string): { address?: string; name: string } {
  const bare = host.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIP(bare) !== 0) return { address: bare, name: bare };
  let hostname: string;
  try {
    hostname = new URL(`http://${bare}/`).hostname;
  } catch {
    return { name: bare.toLowerCase() };
  }
  return isIP(hostname) === 0 ? { name: hostname } : { address: hostname, name: hostname };
}
