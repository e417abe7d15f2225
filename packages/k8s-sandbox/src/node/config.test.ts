import fs from 'node:fs';
import {
  CONTROL_PLANE_PORTS,
  cniConflist,
  kubeletConfig,
  nodeAddresses,
  slotOf,
  SLOTS,
} from './config';

function inBenchmarkRange(ip: string) {
  const [a, b] = ip.split('.').map(Number);
  return a === 198 && (b === 18 || b === 19);
}

describe('nodeAddresses', () => {
  it('keeps every address of every slot inside 198.18.0.0/15, apart from the other slots', () => {
    const seen = new Set<string>();
    for (let slot = 0; slot < SLOTS; slot++) {
      const a = nodeAddresses(slot);
      for (const ip of [a.hostIp, a.nodeIp, a.bridgeIp, a.dnsIp]) {
        expect(inBenchmarkRange(ip)).toBe(true);
        expect(seen.has(ip)).toBe(false);
        seen.add(ip);
      }
      expect(a.netns).toBe(`k8s-sandbox-${slot}`);
      // Interface names fit the kernel's 15 characters.
      expect(a.hostVeth.length).toBeLessThanOrEqual(15);
    }
    const last = nodeAddresses(SLOTS - 1);
    expect(last.nodeIp).toBe('198.19.255.250');
    expect(last.podCidr).toBe('198.18.62.0/24');
  });

  it('gives each slot a loopback address of its own for the control plane, on ports no connection takes as its source port', () => {
    const loopbacks = new Set<string>();
    for (let slot = 0; slot < SLOTS; slot++) {
      const { loopbackIp } = nodeAddresses(slot);
      expect(loopbackIp).toMatch(/^127\.18\.\d+\.1$/);
      loopbacks.add(loopbackIp);
    }
    expect(loopbacks.size).toBe(SLOTS);
    const [ephemeralStart] = fs
      .readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    for (const port of Object.values(CONTROL_PLANE_PORTS)) {
      expect(port).toBeLessThan(ephemeralStart);
    }
  });

  it('refuses a slot outside the range', () => {
    expect(() => nodeAddresses(SLOTS)).toThrow(/slot must be an integer/);
    expect(() => nodeAddresses(-1)).toThrow(/slot must be an integer/);
  });

  it('gives a state folder the same slot every time', () => {
    expect(slotOf('/a/.sandbox')).toBe(slotOf('/a/.sandbox'));
    expect(slotOf('/a/.sandbox')).toBeLessThan(SLOTS);
  });
});

describe('node configuration', () => {
  const a = nodeAddresses(3);

  it('runs the kubelet on cgroup v1 with the sandbox DNS and pod range', () => {
    const config = JSON.parse(
      kubeletConfig({
        addresses: a,
        clientCaFile: '/pki/ca.crt',
        cgroupRoot: '/k8s-sandbox-3',
        maxPods: 110,
        podLogsDir: '/state/pod-logs',
      }),
    );
    expect(config).toMatchObject({
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      clusterDNS: ['198.19.3.10'],
      podCIDR: '198.18.3.0/24',
      address: '198.19.255.14',
      authentication: { anonymous: { enabled: false } },
    });
  });

  it('gives pods addresses from the slot range on a bridge, with leases of the node its own', () => {
    const conf = JSON.parse(cniConflist(a, '/state/node/ipam'));
    expect(conf.plugins[0].ipam.ranges).toEqual([
      [{ subnet: '198.18.3.0/24', gateway: '198.18.3.1' }],
    ]);
    expect(conf.plugins[0].ipam.dataDir).toBe('/state/node/ipam');
  });
});
