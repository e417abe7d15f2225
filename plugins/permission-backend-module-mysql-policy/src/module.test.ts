import {
  AuthService,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { catalogEntityPermissionResourceRef } from '@backstage/plugin-catalog-node/alpha';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { Permission } from '@backstage/plugin-permission-common';
import {
  mysqlInstanceBackupCreatePermission,
  mysqlInstanceConfigUpdatePermission,
  mysqlInstanceCreatePermission,
  mysqlOwnerPermissions,
} from '@mysql-portal/plugin-mysql-common';
import request from 'supertest';
import permissionModuleMysqlPolicy from '.';
import { instanceEntity } from './__testUtils__/instanceEntity';

const entities = new Map<string, Entity>([
  [
    'resource:default/guests-db',
    instanceEntity('guests-db', 'group:default/guests'),
  ],
  [
    'resource:default/payments-db',
    instanceEntity('payments-db', 'group:default/payments'),
  ],
]);

// The permission backend sends conditional decisions to the catalog's
// apply-conditions endpoint. This stands in for the catalog with its real
// ownership rule, so the test needs no database or processing loop.
const catalogStandIn = createBackendPlugin({
  pluginId: 'catalog',
  register(reg) {
    reg.registerInit({
      deps: { permissionsRegistry: coreServices.permissionsRegistry },
      async init({ permissionsRegistry }) {
        permissionsRegistry.addResourceType({
          resourceRef: catalogEntityPermissionResourceRef,
          permissions: mysqlOwnerPermissions,
          rules: [permissionRules.isEntityOwner],
          getResources: async refs => refs.map(ref => entities.get(ref)),
        });
      },
    });
  },
});

// What sign-in resolves from the catalog: the user and its groups.
const groupsOf: Record<string, string[]> = {
  'user:default/guest': ['group:default/guests'],
  'user:default/alex': ['group:default/payments'],
};
const userInfoFromOrg = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials) {
      const { userEntityRef } = credentials.principal as {
        userEntityRef: string;
      };
      return {
        userEntityRef,
        ownershipEntityRefs: [
          userEntityRef,
          ...(groupsOf[userEntityRef] ?? []),
        ],
      };
    },
  }),
});

// backend-test-utils' mock auth drops the actor from on-behalf-of tokens,
// while the real auth service names the calling plugin as the actor, which the
// catalog's apply-conditions endpoint requires of a user principal.
const authKeepingActors = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const auth = mockServices.auth({ pluginId: plugin.getId() });
    return {
      authenticate: (token, options) => auth.authenticate(token, options),
      getNoneCredentials: () => auth.getNoneCredentials(),
      getOwnServiceCredentials: () => auth.getOwnServiceCredentials(),
      isPrincipal: auth.isPrincipal.bind(auth) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials => auth.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => auth.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        if (auth.isPrincipal(options.onBehalfOf, 'user')) {
          return {
            token: mockCredentials.user.token(
              options.onBehalfOf.principal.userEntityRef,
              { actor: { subject: `plugin:${plugin.getId()}` } },
            ),
          };
        }
        return auth.getPluginRequestToken(options);
      },
    };
  },
});

describe('permissionModuleMysqlPolicy', () => {
  async function authorize(
    authorization: string,
    items: Array<{ permission: Permission; resourceRef?: string }>,
  ) {
    const { server } = await startTestBackend({
      features: [
        permissionPlugin,
        permissionModuleMysqlPolicy,
        catalogStandIn,
        userInfoFromOrg,
        authKeepingActors,
      ],
    });
    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', authorization)
      .send({ items: items.map((item, i) => ({ id: String(i), ...item })) });
    expect(res.status).toBe(200);
    return res.body.items.map((item: { result: unknown }) => item.result);
  }

  it('allows any signed-in user to create an instance', async () => {
    await expect(
      authorize(mockCredentials.user.header('user:default/alex'), [
        { permission: mysqlInstanceCreatePermission },
      ]),
    ).resolves.toEqual(['ALLOW']);
  });

  it('lets only the owners of the entity change it', async () => {
    await expect(
      authorize(mockCredentials.user.header('user:default/guest'), [
        {
          permission: mysqlInstanceConfigUpdatePermission,
          resourceRef: 'resource:default/guests-db',
        },
        {
          permission: mysqlInstanceBackupCreatePermission,
          resourceRef: 'resource:default/guests-db',
        },
        {
          permission: mysqlInstanceConfigUpdatePermission,
          resourceRef: 'resource:default/payments-db',
        },
      ]),
    ).resolves.toEqual(['ALLOW', 'ALLOW', 'DENY']);
    await expect(
      authorize(mockCredentials.user.header('user:default/alex'), [
        {
          permission: mysqlInstanceConfigUpdatePermission,
          resourceRef: 'resource:default/payments-db',
        },
        {
          permission: mysqlInstanceConfigUpdatePermission,
          resourceRef: 'resource:default/guests-db',
        },
      ]),
    ).resolves.toEqual(['ALLOW', 'DENY']);
  });

  it('never sees services: the permissions service answers them itself', async () => {
    const { server } = await startTestBackend({
      features: [permissionPlugin, permissionModuleMysqlPolicy],
    });
    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', mockCredentials.service.header())
      .send({
        items: [{ id: '0', permission: mysqlInstanceCreatePermission }],
      });
    expect(res.status).toBe(403);
  });

  it('allows everything else', async () => {
    await expect(
      authorize(mockCredentials.user.header('user:default/guest'), [
        {
          permission: catalogEntityReadPermission,
          resourceRef: 'resource:default/payments-db',
        },
      ]),
    ).resolves.toEqual(['ALLOW']);
  });
});
