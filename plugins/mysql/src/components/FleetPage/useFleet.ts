import { useApi } from '@backstage/core-plugin-api';
import {
  MysqlInstanceListQuery,
  MysqlInstanceListResponse,
} from '@mysql-portal/plugin-mysql-common';
import { useEffect, useState } from 'react';
import { mysqlApiRef } from '../../api';

/** How often the page is read again while it is open. */
export const FLEET_REFRESH_MS = 30_000;

/** The state of the fleet page's one request. */
export interface FleetState {
  value?: MysqlInstanceListResponse;
  /** The query `value` answers, so that a stale page is not shown as new. */
  valueFor?: string;
  error?: Error;
  loading: boolean;
}

/**
 * The page of instances `query` asks for, from `GET /instances`, read
 * again every {@link FLEET_REFRESH_MS}. A new query keeps the old rows on
 * screen (marked loading) until its answer arrives; an answer to an older
 * query is dropped.
 */
export function useFleet(query: MysqlInstanceListQuery): FleetState {
  const api = useApi(mysqlApiRef);
  const key = JSON.stringify(query);
  const [state, setState] = useState<FleetState>({ loading: true });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      setState(previous => ({ ...previous, loading: true }));
      try {
        const value = await api.listInstances(JSON.parse(key));
        if (!stopped) {
          setState({ value, valueFor: key, loading: false });
        }
      } catch (error) {
        if (!stopped) {
          setState(previous => ({
            ...previous,
            loading: false,
            error: error instanceof Error ? error : new Error(String(error)),
          }));
        }
      }
      if (!stopped) timer = setTimeout(load, FLEET_REFRESH_MS);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, key]);

  return state;
}
