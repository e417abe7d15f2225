/*
 * Reads the sandbox's audit log for the benchmark, in a process of its own:
 * the log of a 1,000-instance run is hundreds of MB, and reading it in the
 * benchmark's process would count towards the backend's RSS.
 *
 *   node -r @backstage/cli-node/config/nodeTransform.cjs benchAudit.ts '<query>'
 *
 * The query is a SandboxAuditQuery in JSON (dates as ISO strings); prints
 * the requests it selects, one JSON array.
 */
import { readAuditLog } from '@mysql-portal/k8s-sandbox';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** One request from the audit log, as the benchmark needs it. */
export interface AuditRequest {
  verb: string;
  resource?: string;
  name?: string;
  receivedAt: number;
}

export interface AuditQuery {
  stateDir: string;
  since: Date;
  until: Date;
  user: string;
}

/** The requests of `query`, read by a child process. */
export async function auditRequests(
  query: AuditQuery,
): Promise<AuditRequest[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...process.execArgv, __filename, JSON.stringify(query)],
    { maxBuffer: 256 * 2 ** 20 },
  );
  return JSON.parse(stdout);
}

if (require.main === module) {
  const query = JSON.parse(process.argv[2]);
  const requests: AuditRequest[] = readAuditLog({
    ...query,
    since: new Date(query.since),
    until: new Date(query.until),
  }).map(r => ({
    verb: r.verb,
    resource: r.resource,
    name: r.name,
    receivedAt: r.receivedAt.getTime(),
  }));
  process.stdout.write(JSON.stringify(requests));
}
