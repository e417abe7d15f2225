import { useApi } from '@backstage/core-plugin-api';
import {
  MysqlInstanceDetail,
  MysqlInstanceRef,
} from '@mysql-portal/plugin-mysql-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { mysqlApiRef } from '../../api';
import { useInstanceSignal } from './useInstanceSignal';

/** How often the detail is fetched while the instance changes, in ms, without signals. */
export const FAST_POLL_MS = 2500;
/** How often the detail is fetched while the instance is steady, in ms, without signals. */
export const SLOW_POLL_MS = 15000;
/**
 * How often the detail is fetched while signals say when it changes: only
 * in case one was lost (the websocket reconnects, a replica missed a
 * watch event).
 */
export const SIGNALS_FALLBACK_POLL_MS = 60000;

/** Loading state, the latest detail and the latest error of one instance. */
export interface InstanceState {
  loading: boolean;
  detail?: MysqlInstanceDetail;
  error?: Error;
  /** Fetches now and resolves with the new detail, if the fetch worked. */
  reload: () => Promise<MysqlInstanceDetail | undefined>;
  /** Shows a detail that an action returned, without fetching. */
  update: (detail: MysqlInstanceDetail) => void;
}

/** Whether the instance is changing: a rollout, an upgrade or a restore. */
export function isChanging(detail: MysqlInstanceDetail | undefined): boolean {
  const phase = detail?.status.phase;
  const upgrade = detail?.upgrade?.status;
  const restore = detail?.restore?.status;
  return (
    phase === 'Reconciling' ||
    phase === 'Provisioning' ||
    upgrade === 'BackingUp' ||
    upgrade === 'Upgrading' ||
    upgrade === 'RollingBack' ||
    restore === 'Pending' ||
    restore === 'Running'
  );
}

/**
 * The time to the next fetch, in ms: rarely when signals tell of changes,
 * else soon while something changes and less often otherwise.
 */
export function pollDelay(changing: boolean, signals: boolean): number {
  if (signals) return SIGNALS_FALLBACK_POLL_MS;
  return changing ? FAST_POLL_MS : SLOW_POLL_MS;
}

/**
 * Fetches an instance's detail and keeps it fresh: at once when the
 * backend signals a change, and once a minute in case a signal was lost.
 * Without the signals plugin in the app it polls instead, every few
 * seconds while the instance is provisioning, reconciling, upgrading or
 * restoring, less often otherwise. A failed refresh keeps the last detail
 * beside the error.
 */
export function useInstance(ref: MysqlInstanceRef | undefined): InstanceState {
  const api = useApi(mysqlApiRef);
  const [state, setState] = useState<{
    loading: boolean;
    detail?: MysqlInstanceDetail;
    error?: Error;
  }>({ loading: true });
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const latest = useRef<MysqlInstanceDetail>();
  // Bumped on unmount and on a new ref, so that late answers are dropped.
  const generation = useRef(0);
  const requests = useRef(0);
  const key = ref ? `${ref.cluster}/${ref.namespace}/${ref.name}` : undefined;
  const { signal, isSignalsAvailable } = useInstanceSignal(key);
  const signals = useRef(isSignalsAvailable);
  signals.current = isSignalsAvailable;

  const schedule = useCallback((run: () => void) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(
      run,
      pollDelay(isChanging(latest.current), signals.current),
    );
  }, []);

  const fetchDetail = useCallback(async (): Promise<
    MysqlInstanceDetail | undefined
  > => {
    if (!ref) {
      return undefined;
    }
    const current = generation.current;
    const mine = ++requests.current;
    clearTimeout(timer.current);
    let detail: MysqlInstanceDetail | undefined;
    let failure: Error | undefined;
    try {
      detail = await api.getInstance(ref);
    } catch (error) {
      failure = error as Error;
    }
    if (current !== generation.current) {
      return undefined;
    }
    // A signal during a fetch starts another; the newer answer is shown.
    if (mine !== requests.current) {
      return detail;
    }
    latest.current = detail ?? latest.current;
    setState({ loading: false, detail: latest.current, error: failure });
    schedule(fetchDetail);
    return detail;
    // The ref object may change on every render; its string form does not.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key, schedule]);

  useEffect(() => {
    latest.current = undefined;
    setState({ loading: true });
    fetchDetail();
    return () => {
      generation.current += 1;
      clearTimeout(timer.current);
    };
  }, [fetchDetail]);

  useEffect(() => {
    if (signal) fetchDetail();
    // Only a new signal fetches; fetchDetail is stable for one instance.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signal]);

  const update = useCallback(
    (detail: MysqlInstanceDetail) => {
      // A poll already in flight answers with the state before the write.
      generation.current += 1;
      clearTimeout(timer.current);
      latest.current = detail;
      setState({ loading: false, detail });
      schedule(fetchDetail);
    },
    [fetchDetail, schedule],
  );

  return { ...state, reload: fetchDetail, update };
}
