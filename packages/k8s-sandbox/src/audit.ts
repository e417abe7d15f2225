import fs from 'node:fs';
import path from 'node:path';
import { sandboxPaths } from './paths';
import { readState } from './state';

/**
 * Every request at level Metadata (who, what, when, the answer's code; no
 * bodies), without the RequestReceived stage, so that each request is one
 * event (a watch is two: when it starts and when it ends).
 */
const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - RequestReceived
rules:
  - level: Metadata
`;

/** Writes the audit policy; returns the API server's audit flags. */
export function auditFlags(stateDir: string, logDir: string) {
  const policy = path.join(stateDir, 'audit-policy.yaml');
  fs.writeFileSync(policy, POLICY);
  const log = path.join(logDir, 'audit.log');
  return {
    log,
    flags: [`--audit-policy-file=${policy}`, `--audit-log-path=${log}`],
  };
}

/**
 * One request the API server answered, from its audit log.
 *
 * @public
 */
export interface SandboxAuditEvent {
  auditID: string;
  /** get, list, watch, create, update, patch, delete or deletecollection. */
  verb: string;
  /** The authenticated user name, e.g. `admin` or `system:serviceaccount:backstage:backstage-mysql`. */
  user: string;
  requestURI: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** The response's status code (absent for a watch that is still open). */
  code?: number;
  /** When the API server received the request. */
  receivedAt: Date;
}

/**
 * Which requests to read from a sandbox's audit log.
 *
 * @public
 */
export interface SandboxAuditQuery {
  /** The sandbox's state folder; defaults to the one `sandboxPaths()` names. */
  stateDir?: string;
  /** Only requests received at or after this time. */
  since?: Date;
  /** Only requests received at or before this time. */
  until?: Date;
  /** Only requests of this user. */
  user?: string;
  /** Only requests for this resource (plural, e.g. `configmaps`). */
  resource?: string;
  /** Only requests in this namespace. */
  namespace?: string;
}

/**
 * Requests counted by user, then by verb: `counts[user][verb]`.
 *
 * @public
 */
export type SandboxAuditCounts = Record<string, Record<string, number>>;

interface RawAuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user?: { username?: string };
  objectRef?: {
    resource?: string;
    subresource?: string;
    namespace?: string;
    name?: string;
  };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
}

function auditLogOf(stateDir: string) {
  const state = readState(stateDir);
  if (!state) throw new Error(`no sandbox runs in ${stateDir}`);
  if (!state.auditLog) {
    throw new Error(
      `the sandbox in ${stateDir} writes no audit log: start it with up({ auditLog: true }) or SANDBOX_AUDIT_LOG=1`,
    );
  }
  return state.auditLog;
}

/**
 * The requests in a sandbox's audit log (one entry per request, however many
 * stages it logged), oldest first. The sandbox must have been started with
 * `up({ auditLog: true })` or `SANDBOX_AUDIT_LOG=1`. The API server writes an
 * event as it finishes the response, so a request just answered may take a
 * few milliseconds to appear.
 *
 * @public
 */
export function readAuditLog(
  query: SandboxAuditQuery = {},
): SandboxAuditEvent[] {
  const file = auditLogOf(sandboxPaths(query.stateDir).state);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const since = query.since?.getTime() ?? -Infinity;
  const until = query.until?.getTime() ?? Infinity;
  const requests = new Map<string, SandboxAuditEvent>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    let raw: RawAuditEvent;
    try {
      raw = JSON.parse(line);
    } catch {
      continue; // a line still being written
    }
    const seen = requests.get(raw.auditID);
    if (seen) {
      seen.code = raw.responseStatus?.code ?? seen.code;
      continue;
    }
    const receivedAt = new Date(raw.requestReceivedTimestamp);
    const user = raw.user?.username ?? '';
    const ref = raw.objectRef ?? {};
    if (receivedAt.getTime() < since || receivedAt.getTime() > until) continue;
    if (query.user !== undefined && user !== query.user) continue;
    if (query.resource !== undefined && ref.resource !== query.resource)
      continue;
    if (query.namespace !== undefined && ref.namespace !== query.namespace)
      continue;
    requests.set(raw.auditID, {
      auditID: raw.auditID,
      verb: raw.verb,
      user,
      requestURI: raw.requestURI,
      resource: ref.resource,
      subresource: ref.subresource,
      namespace: ref.namespace,
      name: ref.name,
      code: raw.responseStatus?.code,
      receivedAt,
    });
  }
  return [...requests.values()];
}

/**
 * Counts a sandbox's requests by user and verb within a time window (see
 * {@link readAuditLog}): `counts['system:serviceaccount:backstage:backstage-mysql'].get`
 * is how many GETs the backend's account made.
 *
 * @public
 */
export function countAuditRequests(
  query: SandboxAuditQuery = {},
): SandboxAuditCounts {
  const counts: SandboxAuditCounts = {};
  for (const request of readAuditLog(query)) {
    const byVerb = (counts[request.user] ??= {});
    byVerb[request.verb] = (byVerb[request.verb] ?? 0) + 1;
  }
  return counts;
}
