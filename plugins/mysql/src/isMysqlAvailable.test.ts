import { entity } from './testData';
import { isMysqlAvailable } from './isMysqlAvailable';

describe('isMysqlAvailable', () => {
  it('holds for entities with the instance annotation', () => {
    expect(isMysqlAvailable(entity)).toBe(true);
    expect(
      isMysqlAvailable({
        ...entity,
        metadata: { name: 'other', annotations: {} },
      }),
    ).toBe(false);
  });
});
