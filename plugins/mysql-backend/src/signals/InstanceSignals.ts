import { LoggerService } from '@backstage/backend-plugin-api';
import { SignalsService } from '@backstage/plugin-signals-node';
import {
  MysqlInstanceSignal,
  MysqlInstanceSignalReason,
  mysqlInstanceSignalChannel,
} from '@mysql-portal/plugin-mysql-common';
import { InstanceObjects } from '../service/InstanceCache';
import { Observation } from '../service/MysqlStore';

/** How long changes of one instance are gathered into one signal, in ms. */
const DEFAULT_DELAY_MS = 200;

/**
 * What the card shows of the Kubernetes objects: a relist of unchanged
 * objects keeps their resourceVersions and signals nothing.
 */
function objectsVersion(inst: InstanceObjects | undefined): string {
  if (!inst) return 'gone';
  return [
    inst.statefulSet.metadata?.resourceVersion,
    inst.configMap?.metadata?.resourceVersion,
    inst.resource?.metadata?.generation,
    ...inst.pods.map(p => p.metadata?.resourceVersion).sort(),
  ].join(',');
}

/** Whether a poll tells the card anything new; the uptime alone does not. */
export function pollChanged(
  observation: Observation,
  previous: Observation | undefined,
): boolean {
  if (!previous) return true;
  const key = (o: Observation) =>
    JSON.stringify([
      o.reachable,
      o.version,
      o.versionComment,
      o.error,
      Object.entries(o.variables).sort(([a], [b]) => a.localeCompare(b)),
    ]);
  return key(observation) !== key(previous);
}

/**
 * Publishes a signal on the instance's channel whenever something the card
 * shows changes, so that an open card fetches at once instead of polling.
 * Changes of one instance that come together (a rollout moves the
 * StatefulSet, the pod and the history within moments) are gathered for
 * `delayMs` into one signal. Each replica publishes what it sees: a second
 * signal for the same change costs the card one more fetch, nothing else.
 */
export class InstanceSignals {
  private readonly pending = new Map<
    string,
    { reasons: Set<MysqlInstanceSignalReason>; timer: NodeJS.Timeout }
  >();
  private readonly seenObjects = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly signals: SignalsService,
    private readonly logger: LoggerService,
    private readonly delayMs = DEFAULT_DELAY_MS,
  ) {}

  /** Something about `ref` changed. */
  changed(ref: string, reason: MysqlInstanceSignalReason) {
    if (this.stopped) return;
    const pending = this.pending.get(ref);
    if (pending) {
      pending.reasons.add(reason);
      return;
    }
    const timer = setTimeout(() => this.publish(ref), this.delayMs);
    this.pending.set(ref, { reasons: new Set([reason]), timer });
  }

  /** The watches saw `ref`'s objects change (or go); a relist of the same objects is not a change. */
  objectsChanged(ref: string, inst: InstanceObjects | undefined) {
    const version = objectsVersion(inst);
    if (this.seenObjects.get(ref) === version) return;
    if (inst) this.seenObjects.set(ref, version);
    else this.seenObjects.delete(ref);
    this.changed(ref, 'objects');
  }

  /** A poll of `ref` was saved. */
  polled(
    ref: string,
    observation: Observation,
    previous: Observation | undefined,
  ) {
    if (pollChanged(observation, previous)) this.changed(ref, 'poll');
  }

  /** Drops what is pending; nothing is published after this. */
  stop() {
    this.stopped = true;
    for (const { timer } of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private publish(ref: string) {
    const pending = this.pending.get(ref);
    this.pending.delete(ref);
    if (!pending || this.stopped) return;
    const message: MysqlInstanceSignal = {
      ref,
      reasons: [...pending.reasons].sort(),
    };
    // Any signed-in user may listen, so the message carries no more than
    // the ref: the card reads the rest through the API, with its checks.
    this.signals
      .publish<MysqlInstanceSignal>({
        recipients: { type: 'broadcast' },
        channel: mysqlInstanceSignalChannel(ref),
        message,
      })
      .catch(error =>
        this.logger.warn(`publishing the change of ${ref}: ${error}`),
      );
  }
}
