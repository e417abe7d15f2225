import { createHash } from 'node:crypto';

/** The `127.<n>` that the pod addresses of the sandbox in `stateDir` start with. */
export function podAddressPrefix(stateDir: string) {
  const hash = createHash('sha256').update(stateDir).digest();
  return `127.${10 + (hash[0] % 200)}`;
}

/**
 * Hands out loopback addresses for pods, one per pod: 127.<n>.x.y, where n
 * (10 to 209) comes from the sandbox's state folder so that two sandboxes on
 * one machine never share an address. The whole of 127/8 is local, and
 * 127.0.0.1 is left to the machine's own services (a system MariaDB may
 * already listen on 127.0.0.1:3306).
 */
export class IpAllocator {
  private readonly used = new Set<string>();
  private readonly prefix: string;

  constructor(stateDir: string) {
    this.prefix = podAddressPrefix(stateDir);
  }

  /** Whether an address belongs to this allocator's range. */
  owns(ip: string | undefined) {
    return !!ip && ip.startsWith(`${this.prefix}.`);
  }

  reserve(ip: string) {
    this.used.add(ip);
  }

  release(ip: string | undefined) {
    if (ip) this.used.delete(ip);
  }

  allocate(): string {
    for (let i = 0; i < 250 * 250; i++) {
      const ip = `${this.prefix}.${Math.floor(i / 250)}.${(i % 250) + 2}`;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    throw new Error('no free loopback address left');
  }
}

/**
 * An address of the sandbox's pod range that no pod ever gets, so nothing
 * listens there and a connection to it is refused at once.
 */
export function refusedAddress(stateDir: string) {
  return `${podAddressPrefix(stateDir)}.250.1`;
}
