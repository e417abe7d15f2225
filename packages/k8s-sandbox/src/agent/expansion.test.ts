import { expand, expandCommand } from './expansion';

// Cases from the kubelet's own expansion tests.
const env: Record<string, string> = {
  VAR_A: 'A',
  VAR_B: 'B',
  VAR_EMPTY: '',
};
const lookup = (name: string) => env[name];

describe('expand', () => {
  it.each([
    ['$(VAR_A)', 'A'],
    ['___$(VAR_B)___', '___B___'],
    ['$(VAR_A)-$(VAR_B)', 'A-B'],
    ['$(VAR_EMPTY)x', 'x'],
    ['$(VAR_A)$(VAR_A)$(VAR_A)', 'AAA'],
    ['$(UNDEFINED)', '$(UNDEFINED)'],
    ['$$(VAR_A)', '$(VAR_A)'],
    ['$$$(VAR_A)', '$A'],
    ['$$$$(VAR_A)', '$$(VAR_A)'],
    ['$(VAR_A', '$(VAR_A'],
    ['$VAR_A ${VAR_A}', '$VAR_A ${VAR_A}'],
    ['trailing $', 'trailing $'],
    ['$()', '$()'],
    ['no refs', 'no refs'],
  ])('%s becomes %s', (input, output) => {
    expect(expand(input, lookup)).toBe(output);
  });
});

describe('expandCommand', () => {
  it('expands every argument and leaves shell references alone', () => {
    expect(
      expandCommand(
        ['sh', '-c', 'mysqldump --host="$MYSQL_HOST" $(VAR_A) > /backup/x'],
        env,
      ),
    ).toEqual(['sh', '-c', 'mysqldump --host="$MYSQL_HOST" A > /backup/x']);
  });
});
