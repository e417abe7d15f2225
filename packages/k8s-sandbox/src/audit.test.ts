import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditFlags, countAuditRequests, readAuditLog } from './audit';
import { writeState } from './state';

let stateDir: string;

function event(
  auditID: string,
  stage: string,
  verb: string,
  user: string,
  receivedAt: string,
  extra: object = {},
) {
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID,
    stage,
    requestURI: `/api/v1/namespaces/databases/configmaps/${auditID}`,
    verb,
    user: { username: user, groups: ['system:authenticated'] },
    objectRef: {
      resource: 'configmaps',
      namespace: 'databases',
      name: auditID,
      apiVersion: 'v1',
    },
    requestReceivedTimestamp: receivedAt,
    stageTimestamp: receivedAt,
    ...extra,
  });
}

beforeEach(() => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-test-'));
  fs.mkdirSync(path.join(stateDir, 'logs'));
  const { log } = auditFlags(stateDir, path.join(stateDir, 'logs'));
  writeState(stateDir, {
    server: 'https://127.0.0.1:1',
    kubeconfig: path.join(stateDir, 'kubeconfig'),
    processes: [],
    startedAt: '2026-01-01T00:00:00Z',
    auditLog: log,
  });
  const backend = 'system:serviceaccount:backstage:backstage-mysql';
  fs.writeFileSync(
    log,
    [
      event(
        'a',
        'ResponseComplete',
        'get',
        backend,
        '2026-01-01T10:00:00.100000Z',
        {
          responseStatus: { code: 200 },
        },
      ),
      // A watch logs when it starts and when it ends: one request.
      event(
        'w',
        'ResponseStarted',
        'watch',
        backend,
        '2026-01-01T10:00:01.000000Z',
      ),
      event(
        'b',
        'ResponseComplete',
        'get',
        backend,
        '2026-01-01T10:00:02.000000Z',
        {
          responseStatus: { code: 404 },
        },
      ),
      event(
        'w',
        'ResponseComplete',
        'watch',
        backend,
        '2026-01-01T10:00:01.000000Z',
        {
          responseStatus: { code: 200 },
        },
      ),
      event(
        'c',
        'ResponseComplete',
        'list',
        'admin',
        '2026-01-01T10:00:03.000000Z',
      ),
      event(
        'd',
        'ResponseComplete',
        'patch',
        'admin',
        '2026-01-01T10:00:09.000000Z',
        {
          objectRef: { resource: 'pods', namespace: 'default', name: 'p' },
        },
      ),
      '{"kind":"Event","auditID":"half', // still being written
    ].join('\n'),
  );
});

afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

describe('the audit log', () => {
  it('counts each request once, by user and verb', () => {
    expect(countAuditRequests({ stateDir })).toEqual({
      'system:serviceaccount:backstage:backstage-mysql': { get: 2, watch: 1 },
      admin: { list: 1, patch: 1 },
    });
  });

  it('keeps the final status of a request logged in two stages', () => {
    const watch = readAuditLog({ stateDir }).find(e => e.auditID === 'w')!;
    expect(watch.code).toBe(200);
    expect(watch.receivedAt.toISOString()).toBe('2026-01-01T10:00:01.000Z');
  });

  it('filters by time window, user, resource and namespace', () => {
    expect(
      countAuditRequests({
        stateDir,
        since: new Date('2026-01-01T10:00:00.500Z'),
        until: new Date('2026-01-01T10:00:03Z'),
      }),
    ).toEqual({
      'system:serviceaccount:backstage:backstage-mysql': { get: 1, watch: 1 },
      admin: { list: 1 },
    });
    expect(countAuditRequests({ stateDir, user: 'admin' })).toEqual({
      admin: { list: 1, patch: 1 },
    });
    expect(countAuditRequests({ stateDir, resource: 'pods' })).toEqual({
      admin: { patch: 1 },
    });
    expect(
      readAuditLog({ stateDir, namespace: 'databases' }).map(e => e.auditID),
    ).toEqual(['a', 'w', 'b', 'c']);
  });

  it('says how to turn it on when the sandbox writes none', () => {
    writeState(stateDir, {
      server: 'https://127.0.0.1:1',
      kubeconfig: '',
      processes: [],
      startedAt: '',
    });
    expect(() => countAuditRequests({ stateDir })).toThrow(
      /SANDBOX_AUDIT_LOG=1/,
    );
  });

  it('writes a Metadata policy without the RequestReceived stage', () => {
    const { flags } = auditFlags(stateDir, path.join(stateDir, 'logs'));
    const policyFlag = flags.find(f => f.startsWith('--audit-policy-file='))!;
    const policy = fs.readFileSync(policyFlag.split('=')[1], 'utf8');
    expect(policy).toContain('level: Metadata');
    expect(policy).toMatch(/omitStages:\n {2}- RequestReceived/);
    expect(flags).toContain(
      `--audit-log-path=${path.join(stateDir, 'logs', 'audit.log')}`,
    );
  });
});
