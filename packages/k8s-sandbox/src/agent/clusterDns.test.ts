import * as k8s from '@kubernetes/client-node';
import { clusterHostsFile } from './clusterDns';

function service(
  namespace: string,
  name: string,
  clusterIP = '10.152.183.7',
): k8s.V1Service {
  return { metadata: { name, namespace }, spec: { clusterIP } };
}

function slice(
  namespace: string,
  serviceName: string,
  endpoints: { ip: string; hostname?: string; ready?: boolean }[],
): k8s.V1EndpointSlice {
  return {
    addressType: 'IPv4',
    metadata: {
      name: `${serviceName}-x1`,
      namespace,
      labels: { 'kubernetes.io/service-name': serviceName },
    },
    endpoints: endpoints.map(({ ip, hostname, ready }) => ({
      addresses: [ip],
      hostname,
      conditions: ready === undefined ? undefined : { ready },
    })),
  };
}

const pod = {
  name: 'orders-backup-1a2b-x7',
  namespace: 'databases',
  ip: '127.9.0.5',
};

function lookup(hosts: string, name: string) {
  return hosts
    .split('\n')
    .filter(l => !l.startsWith('#') && l.trim())
    .map(l => l.split(/\s+/))
    .filter(([, ...names]) => names.includes(name))
    .map(([ip]) => ip);
}

describe('clusterHostsFile', () => {
  const hosts = clusterHostsFile({
    pod,
    refusedAddress: '127.9.250.1',
    services: [
      service('databases', 'orders'),
      service('databases', 'orders-headless', 'None'),
      service('databases', 'stopped'),
      service('other', 'billing'),
      {
        metadata: { name: 'external', namespace: 'databases' },
        spec: { type: 'ExternalName', externalName: 'db.example.com' },
      },
    ],
    endpointSlices: [
      slice('databases', 'orders', [
        { ip: '127.9.0.8', ready: false },
        { ip: '127.9.0.2', ready: true },
      ]),
      slice('databases', 'orders-headless', [
        { ip: '127.9.0.2', hostname: 'orders-0' },
        { ip: '127.9.0.3', hostname: 'orders-1' },
      ]),
      slice('databases', 'stopped', [{ ip: '127.9.0.9', ready: false }]),
      slice('other', 'billing', [{ ip: '127.9.0.4' }]),
    ],
  });

  it('resolves a Service, in every form a pod of its namespace can use, to a ready pod', () => {
    for (const name of [
      'orders.databases.svc.cluster.local',
      'orders.databases.svc',
      'orders.databases',
      'orders',
    ]) {
      expect(lookup(hosts, name)).toEqual(['127.9.0.2']);
    }
  });

  it('gives short names only within the pod namespace', () => {
    expect(lookup(hosts, 'billing.other.svc.cluster.local')).toEqual([
      '127.9.0.4',
    ]);
    expect(lookup(hosts, 'billing.other')).toEqual(['127.9.0.4']);
    expect(lookup(hosts, 'billing')).toEqual([]);
  });

  it('resolves a headless Service to every ready pod, and each pod by its hostname', () => {
    expect(
      lookup(hosts, 'orders-headless.databases.svc.cluster.local'),
    ).toEqual(['127.9.0.2', '127.9.0.3']);
    expect(
      lookup(hosts, 'orders-1.orders-headless.databases.svc.cluster.local'),
    ).toEqual(['127.9.0.3']);
    expect(lookup(hosts, 'orders-0.orders-headless')).toEqual(['127.9.0.2']);
  });

  it('sends a Service without a ready pod to an address that refuses connections', () => {
    expect(lookup(hosts, 'stopped.databases.svc.cluster.local')).toEqual([
      '127.9.250.1',
    ]);
  });

  it('knows the pod itself and localhost, and leaves unknown names and ExternalName Services to DNS', () => {
    expect(lookup(hosts, 'orders-backup-1a2b-x7')).toEqual(['127.9.0.5']);
    expect(lookup(hosts, 'localhost')).toEqual(['127.0.0.1', '::1']);
    expect(lookup(hosts, 'external.databases.svc.cluster.local')).toEqual([]);
    expect(lookup(hosts, 'nothere.databases.svc.cluster.local')).toEqual([]);
  });

  it('names a StatefulSet pod by its hostname and subdomain', () => {
    const own = clusterHostsFile({
      pod: { ...pod, hostname: 'orders-0', subdomain: 'orders-headless' },
      refusedAddress: '127.9.250.1',
      services: [],
      endpointSlices: [],
    });
    expect(
      lookup(own, 'orders-0.orders-headless.databases.svc.cluster.local'),
    ).toEqual(['127.9.0.5']);
    expect(lookup(own, 'orders-0')).toEqual(['127.9.0.5']);
  });
});
