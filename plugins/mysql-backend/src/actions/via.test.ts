import { mockCredentials } from '@backstage/backend-test-utils';
import { Request } from 'express';
import { actorOf, VIA_HEADER, viaLabel, viaOf } from './via';

const ALICE = 'user:default/alice';

function req(via?: string) {
  return {
    get: (name: string) =>
      name.toLowerCase() === VIA_HEADER ? via : undefined,
  } as unknown as Request;
}

const fromOurAction = mockCredentials.user(ALICE, {
  actor: { subject: 'plugin:mysql' },
});

describe('viaLabel', () => {
  it('names MCP when the MCP actions backend invoked the action', () => {
    expect(
      viaLabel(
        mockCredentials.user(ALICE, {
          actor: { subject: 'plugin:mcp-actions' },
        }),
        'update-config',
      ),
    ).toBe('MCP action update-config');
    expect(viaLabel(mockCredentials.user(ALICE), 'restart')).toBe(
      'action restart',
    );
  });
});

describe('actorOf', () => {
  it('names the action on a token this plugin issued for the user', () => {
    expect(actorOf(req('MCP action update-config'), fromOurAction)).toBe(
      `${ALICE} via MCP action update-config`,
    );
    expect(actorOf(req(), fromOurAction)).toBe(ALICE);
  });

  it("ignores the header on the user's own token or another plugin's", () => {
    const header = req('MCP action update-config');
    expect(actorOf(header, mockCredentials.user(ALICE))).toBe(ALICE);
    expect(
      actorOf(
        header,
        mockCredentials.user(ALICE, {
          actor: { subject: 'plugin:scaffolder' },
        }),
      ),
    ).toBe(ALICE);
    expect(viaOf(header, mockCredentials.service('plugin:mysql'))).toBe(
      undefined,
    );
  });

  it('takes only an action name, never free text', () => {
    expect(actorOf(req('MCP action x; by admin'), fromOurAction)).toBe(ALICE);
    expect(actorOf(req('someone else'), fromOurAction)).toBe(ALICE);
  });
});
