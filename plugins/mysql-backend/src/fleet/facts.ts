import {
  parseServerVersion,
  versionMatchesImage,
} from '@mysql-portal/plugin-mysql-common';
import { InstanceObjects } from '../service/InstanceCache';
import { Observation } from '../service/MysqlStore';
import { desiredHash, runningHash } from '../service/rollout';

/**
 * Whether the server runs another version than its image declares. A
 * server not polled yet, or a version the parser does not know, is no drift:
 * only what the server said counts.
 */
export function versionDrift(
  image: string,
  observation: Pick<Observation, 'version' | 'versionComment'> | undefined,
): boolean {
  if (!image || !observation?.version) return false;
  const parsed = parseServerVersion(
    observation.version,
    observation.versionComment,
  );
  return parsed !== undefined && !versionMatchesImage(parsed, image);
}

/**
 * Whether the desired my.cnf (the ConfigMap's) is not the one the server
 * runs: started with it, or applied online. Two hashes per instance, so it
 * stays cheap for the whole fleet.
 */
export function restartPending(inst: InstanceObjects): boolean {
  const desired = desiredHash(inst);
  const running = runningHash(inst);
  return desired !== undefined && running !== undefined && desired !== running;
}
