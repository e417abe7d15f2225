import { useApi } from '@backstage/core-plugin-api';
import {
  MysqlBackup,
  MysqlBackupListResponse,
  MysqlInstanceRef,
} from '@mysql-portal/plugin-mysql-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { mysqlApiRef } from '../../api';
import { pollDelay } from './useInstance';
import { useInstanceSignal } from './useInstanceSignal';

/** Loading state, the latest backup list and the latest error of one instance. */
export interface BackupsState {
  loading: boolean;
  list?: MysqlBackupListResponse;
  error?: Error;
  /** Fetches now. */
  reload: () => Promise<void>;
  /** Shows a backup that was just started at the top of the list, then fetches. */
  started: (backup: MysqlBackup) => void;
}

function isRunning(list: MysqlBackupListResponse | undefined): boolean {
  return list?.items.some(b => b.status === 'Running') ?? false;
}

/**
 * Fetches an instance's backups and keeps them fresh: when the backend
 * signals that a backup started or ended, or else every few seconds while
 * one runs and less often otherwise. A failed refresh keeps the last list
 * beside the error.
 */
export function useBackups(ref: MysqlInstanceRef): BackupsState {
  const api = useApi(mysqlApiRef);
  const [state, setState] = useState<{
    loading: boolean;
    list?: MysqlBackupListResponse;
    error?: Error;
  }>({ loading: true });
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const latest = useRef<MysqlBackupListResponse>();
  // Bumped on unmount, on a new ref and on a local change, so that late
  // answers are dropped.
  const generation = useRef(0);
  const key = `${ref.cluster}/${ref.namespace}/${ref.name}`;
  const { signal, isSignalsAvailable } = useInstanceSignal(key);
  const signals = useRef(isSignalsAvailable);
  signals.current = isSignalsAvailable;

  const fetchList = useCallback(async (): Promise<void> => {
    const current = generation.current;
    clearTimeout(timer.current);
    let list: MysqlBackupListResponse | undefined;
    let failure: Error | undefined;
    try {
      list = await api.listBackups(ref);
    } catch (error) {
      failure = error as Error;
    }
    if (current !== generation.current) {
      return;
    }
    latest.current = list ?? latest.current;
    setState({ loading: false, list: latest.current, error: failure });
    timer.current = setTimeout(
      fetchList,
      pollDelay(isRunning(latest.current), signals.current),
    );
    // The ref object may change on every render; its string form does not.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key]);

  useEffect(() => {
    latest.current = undefined;
    setState({ loading: true });
    fetchList();
    return () => {
      generation.current += 1;
      clearTimeout(timer.current);
    };
  }, [fetchList]);

  useEffect(() => {
    if (signal?.reasons.some(r => r === 'backup' || r === 'history')) {
      fetchList();
    }
    // Only a new signal fetches; fetchList is stable for one instance.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signal]);

  const started = useCallback(
    (backup: MysqlBackup) => {
      // A fetch already in flight answers with the list before the backup.
      generation.current += 1;
      clearTimeout(timer.current);
      const previous = latest.current;
      if (previous) {
        latest.current = {
          ...previous,
          items: [backup, ...previous.items.filter(b => b.id !== backup.id)],
        };
        setState({ loading: false, list: latest.current });
      }
      fetchList();
    },
    [fetchList],
  );

  return { ...state, reload: fetchList, started };
}
