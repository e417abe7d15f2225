import { ResponseError } from '@backstage/errors';
import {
  mockApis,
  renderInTestApp,
  TestApiPair,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  AuthorizeResult,
  EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import { MysqlInstanceDetail } from '@mysql-portal/plugin-mysql-common';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MysqlApi, mysqlApiRef } from '../../../api';
import { entity, makeBackupList, makeDetail } from '../../../testData';
import { MySqlCard } from '../MySqlCard';

// The buttons wait for the permission check and the first detail.
export const ENABLED_TIMEOUT_MS = 3000;

/** A MysqlApi whose calls answer with `detail` and one completed backup. */
export function mockMysqlApi(
  detail?: MysqlInstanceDetail,
): jest.Mocked<MysqlApi> {
  return {
    listInstances: jest.fn(),
    getInstance: jest.fn().mockResolvedValue(detail ?? makeDetail()),
    updateConfig: jest.fn().mockResolvedValue(detail ?? makeDetail()),
    restart: jest.fn().mockResolvedValue(detail ?? makeDetail()),
    deleteInstance: jest.fn().mockResolvedValue({
      deleted: ['StatefulSet db/orders'],
      kept: ['PersistentVolumeClaim db/data-orders-0'],
    }),
    listBackups: jest.fn().mockResolvedValue(makeBackupList()),
    createBackup: jest
      .fn()
      .mockResolvedValue({ id: 'b-new', status: 'Running' }),
    createInstance: jest.fn().mockResolvedValue(
      makeDetail({
        name: 'orders-copy',
        entityRef: 'resource:default/orders-copy',
        status: { phase: 'Provisioning', since: '2025-01-02T00:00:00Z' },
      }),
    ),
    updateVersion: jest.fn().mockResolvedValue(detail ?? makeDetail()),
  };
}

/**
 * Renders the card for an entity named `name`. usePermission caches
 * answers by resource ref across tests (and does not ask again within two
 * seconds), so a test whose answers differ from the default ones gets an
 * entity of its own.
 */
export async function renderCard(
  api: MysqlApi,
  options: {
    allowed?: boolean;
    annotated?: boolean;
    authorize?: (
      request: EvaluatePermissionRequest,
    ) => AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    name?: string;
    /** The app's signals; without it the card polls as in an app without the signals plugin. */
    signals?: SignalApi;
  } = {},
) {
  const { allowed = true, annotated = true } = options;
  const name = options.name ?? (allowed ? 'orders' : 'orders-denied');
  const shown = {
    ...entity,
    metadata: {
      ...entity.metadata,
      name,
      annotations: annotated ? entity.metadata.annotations : {},
    },
  };
  const apis: TestApiPair<any>[] = [
    [mysqlApiRef, api],
    mockApis.permission({
      authorize:
        options.authorize ??
        (allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY),
    }),
  ];
  if (options.signals) apis.push([signalApiRef, options.signals]);
  return renderInTestApp(
    <EntityProvider entity={shown}>
      <MySqlCard />
    </EntityProvider>,
    { apis },
  );
}

/**
 * A SignalApi for tests: `send` delivers a message to every subscriber of
 * the channel, as the backend's signals would.
 */
export function fakeSignalApi() {
  const subscribers = new Map<string, Set<(message: any) => void>>();
  const api = {
    subscribe: jest.fn((channel: string, onMessage: (m: any) => void) => {
      const set = subscribers.get(channel) ?? new Set();
      set.add(onMessage);
      subscribers.set(channel, set);
      return { unsubscribe: () => set.delete(onMessage) };
    }),
    send(channel: string, message: object) {
      for (const onMessage of subscribers.get(channel) ?? []) {
        onMessage(message);
      }
    },
  };
  return api;
}

/** Clicks an action button once the permission check has enabled it. */
export async function clickWhenEnabled(name: string) {
  const button = await screen.findByRole('button', { name });
  await waitFor(() => expect(button).toBeEnabled(), {
    timeout: ENABLED_TIMEOUT_MS,
  });
  await userEvent.click(button);
  return button;
}

/** A ResponseError as the client throws it for `status` and `body`. */
export async function responseError(status: number, body?: object) {
  const response = new Response(body ? JSON.stringify(body) : null, {
    status,
    headers: body ? { 'Content-Type': 'application/json' } : {},
  });
  return ResponseError.fromResponse(response);
}

/** The error body the backend sends with `status`. */
export function errorBody(status: number, name: string, message: string) {
  return {
    error: { name, message },
    request: { method: 'POST', url: '/' },
    response: { statusCode: status },
  };
}
