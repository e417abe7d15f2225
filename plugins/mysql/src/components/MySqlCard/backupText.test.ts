import { backupSize } from './backupText';

describe('backupSize', () => {
  it.each([
    [undefined, '–'],
    [0, '0 bytes'],
    [506, '506 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KiB'],
    [12_345, '12.1 KiB'],
    [325_058_560, '310 MiB'],
    [1_073_741_824 * 1.5, '1.5 GiB'],
    [2_147_483_123, '2 GiB'],
    [1024 ** 5, '1024 TiB'],
  ])('shows %p bytes as %p', (bytes, text) => {
    expect(backupSize(bytes)).toBe(text);
  });
});
