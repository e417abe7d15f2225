/**
 * Hands out loopback addresses for pods, one per pod: 127.1.x.y. The whole
 * of 127/8 is local, and 127.0.0.1 is left to the machine's own services
 * (a system MariaDB may already listen on 127.0.0.1:3306).
 */
export class IpAllocator {
  private readonly used = new Set<string>();

  reserve(ip: string) {
    this.used.add(ip);
  }

  release(ip: string | undefined) {
    if (ip) this.used.delete(ip);
  }

  allocate(): string {
    for (let i = 0; i < 250 * 250; i++) {
      const ip = `127.1.${Math.floor(i / 250)}.${(i % 250) + 2}`;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    throw new Error('no free loopback address left');
  }
}
