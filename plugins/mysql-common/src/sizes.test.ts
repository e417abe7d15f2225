import { formatSize, parseSize } from './sizes';

describe('parseSize', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['1024', 1024],
    ['1K', 1024],
    ['1k', 1024],
    ['256K', 262144],
    ['5M', 5242880],
    ['5m', 5242880],
    ['64M', 67108864],
    ['1G', 1073741824],
    ['1g', 1073741824],
    ['1T', 1099511627776],
    ['1t', 1099511627776],
    ['0M', 0],
    ['007K', 7168],
    [0, 0],
    [1536, 1536],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])('parses %j as %d', (value, bytes) => {
    expect(parseSize(value)).toBe(bytes);
  });

  it.each([
    '',
    ' ',
    '-1',
    '-1K',
    '1.5',
    '1.5M',
    '0.5G',
    '1 M',
    ' 1M',
    '1M ',
    '1MB',
    '1KB',
    '1P',
    '1E',
    'M',
    'K1',
    '1KK',
    '0x10',
    '1e3',
    '+1',
    '1_000',
    '１２',
    '1M\n',
    '9007199254740992',
    '8388608G',
    '99999999999999999999T',
    -1,
    1.5,
    NaN,
    Infinity,
    Number.MAX_SAFE_INTEGER + 1,
  ])('refuses %j', value => {
    expect(parseSize(value)).toBeUndefined();
  });

  it('refuses non-strings and non-numbers', () => {
    expect(parseSize(null as unknown as string)).toBeUndefined();
    expect(parseSize(true as unknown as string)).toBeUndefined();
  });
});

describe('formatSize', () => {
  it.each([
    [268435456, '256M'],
    [1536, '1536'],
    [1024, '1K'],
    [1025, '1025'],
    [262144, '256K'],
    [5242880, '5M'],
    [1073741824, '1G'],
    [3 * 1073741824, '3G'],
    [1099511627776, '1T'],
    [2 * 1099511627776, '2T'],
    [1024 * 1099511627776, '1024T'],
    [1536 * 1024, '1536K'],
    [4294967295, '4294967295'],
    [1, '1'],
    [0, '0'],
  ])('formats %d as %j', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });

  it('leaves values it cannot express alone', () => {
    expect(formatSize(1.5)).toBe('1.5');
    expect(formatSize(-1024)).toBe('-1024');
  });

  it('round-trips through parseSize', () => {
    for (const bytes of [
      0,
      1,
      1023,
      1024,
      1536,
      262144,
      5242880,
      67108864,
      4294967295,
      1099511627776,
      1099511627776 + 1024,
    ]) {
      expect(parseSize(formatSize(bytes))).toBe(bytes);
    }
  });
});
