import {
  MysqlInstanceSignal,
  mysqlInstanceSignalChannel,
} from '@mysql-portal/plugin-mysql-common';
import { useSignal } from '@backstage/plugin-signals-react';

/** Listened to when there is no instance: a name no instance can have. */
const NO_INSTANCE_CHANNEL = 'mysql:instance:-';

/**
 * The latest signal the backend published for the instance `key`
 * (`<cluster>/<namespace>/<name>`): a new object for each, so an effect on
 * it runs once per signal. `isSignalsAvailable` is false when the app has
 * no signals plugin; the card polls faster then.
 */
export function useInstanceSignal(key: string | undefined): {
  signal: MysqlInstanceSignal | null;
  isSignalsAvailable: boolean;
} {
  const { lastSignal, isSignalsAvailable } = useSignal<MysqlInstanceSignal>(
    key ? mysqlInstanceSignalChannel(key) : NO_INSTANCE_CHANNEL,
  );
  return { signal: lastSignal, isSignalsAvailable };
}
