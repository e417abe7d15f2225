import {
  mockCredentials,
  mockErrorHandler,
  mockServices,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { InstanceService } from './InstanceService';
import { createRouter } from './router';

const detail = { name: 'orders-db', resourceVersion: '7' };

async function app(options: { allow?: boolean } = {}) {
  const service = {
    list: jest.fn(async () => [detail]),
    detail: jest.fn(async () => detail),
    updateConfig: jest.fn(async () => ({ changes: ['max_connections=200'] })),
    restart: jest.fn(async () => undefined),
  };
  const permissions = mockServices.permissions.mock({
    authorize: async () => [
      {
        result:
          options.allow === false
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      },
    ],
  });
  const auditor = mockServices.auditor.mock();
  const router = await createRouter({
    service: service as unknown as InstanceService,
    httpAuth: mockServices.httpAuth(),
    permissions,
    auditor,
    logger: mockServices.logger.mock(),
  });
  const server = express().use(router).use(mockErrorHandler());
  return { server, service, permissions, auditor };
}

const PATH = '/instances/sandbox/default/orders-db';

describe('createRouter', () => {
  it('answers reads for users and services', async () => {
    const { server } = await app();
    const user = await request(server)
      .get('/instances')
      .set('Authorization', mockCredentials.user.header());
    expect(user.status).toBe(200);
    expect(user.body).toEqual({ items: [detail] });
    const service = await request(server)
      .get(PATH)
      .set('Authorization', mockCredentials.service.header());
    expect(service.status).toBe(200);
  });

  it('answers 401 without credentials', async () => {
    const { server, service } = await app();
    const read = await request(server)
      .get('/instances')
      .set('Authorization', mockCredentials.none.header());
    expect(read.status).toBe(401);
    const write = await request(server)
      .put(`${PATH}/config`)
      .set('Authorization', mockCredentials.none.header())
      .send({ config: { max_connections: 200 }, resourceVersion: '7' });
    expect(write.status).toBe(401);
    expect(service.updateConfig).not.toHaveBeenCalled();
  });

  it('answers 403 to a service writing, and to a user without the permission', async () => {
    const { server: anyone } = await app();
    const asService = await request(anyone)
      .put(`${PATH}/config`)
      .set('Authorization', mockCredentials.service.header())
      .send({ config: {}, resourceVersion: '7' });
    expect(asService.status).toBe(403);

    const { server, service, permissions } = await app({ allow: false });
    const denied = await request(server)
      .put(`${PATH}/config`)
      .set('Authorization', mockCredentials.user.header())
      .send({ config: { max_connections: 200 }, resourceVersion: '7' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.name).toBe('NotAllowedError');
    expect(service.updateConfig).not.toHaveBeenCalled();
    expect(permissions.authorize).toHaveBeenCalledWith(
      [
        expect.objectContaining({
          permission: expect.objectContaining({
            name: 'mysql.instance.config.update',
          }),
          resourceRef: 'resource:default/orders-db',
        }),
      ],
      expect.anything(),
    );
    const restart = await request(server)
      .post(`${PATH}/restart`)
      .set('Authorization', mockCredentials.user.header());
    expect(restart.status).toBe(403);
    expect(service.restart).not.toHaveBeenCalled();
  });

  it('answers 400 naming the field for a malformed body', async () => {
    const { server, service } = await app();
    const res = await request(server)
      .put(`${PATH}/config`)
      .set('Authorization', mockCredentials.user.header())
      .send({ config: { max_connections: [1] } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('config.max_connections');
    expect(res.body.error.message).toContain('resourceVersion');
    expect(service.updateConfig).not.toHaveBeenCalled();
  });

  it('applies an allowed edit, answers 202 and audits it', async () => {
    const { server, service, auditor } = await app();
    const res = await request(server)
      .put(`${PATH}/config`)
      .set('Authorization', mockCredentials.user.header())
      .send({ config: { max_connections: 200 }, resourceVersion: '7' });
    expect(res.status).toBe(202);
    expect(service.updateConfig).toHaveBeenCalledWith(
      { cluster: 'sandbox', namespace: 'default', name: 'orders-db' },
      { max_connections: 200 },
      '7',
      mockCredentials.user().principal.userEntityRef,
    );
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({ eventId: 'config-update' }),
    );
  });
});
