/**
 * Expands `$(NAME)` references as the kubelet does in env values, `command`
 * and `args` (its third_party/forked/golang/expansion): `$$` is a literal
 * `$`, a reference to a name `lookup` does not know stays as written, and
 * `$NAME` or `${NAME}` are left for the shell.
 */
export function expand(
  input: string,
  lookup: (name: string) => string | undefined,
): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close === -1) {
        out += '$(';
      } else {
        const name = input.slice(cursor + 2, close);
        out += lookup(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else {
      out += `$${next}`;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** Expands every `$(NAME)` in a command line from the container's env. */
export function expandCommand(
  argv: string[],
  env: Record<string, string>,
): string[] {
  return argv.map(arg => expand(arg, name => env[name]));
}
