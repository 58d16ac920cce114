/**
 * Splits a Windows command line into arguments as CommandLineToArgvW and the C runtime
 * do, so that a command line written for CreateProcess reaches a Linux program as the
 * same argv: the program name ends at the first space unless quoted (no escapes in it);
 * then spaces and tabs separate arguments, `"` toggles quoting, `""` inside quotes is a
 * literal quote, 2n backslashes before `"` give n backslashes (the quote is special),
 * 2n + 1 give n and a literal quote, other backslashes are literal.
 */
export function splitCommandLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  // The program name.
  let name = '';
  if (line[0] === '"') {
    const end = line.indexOf('"', 1);
    name = end < 0 ? line.slice(1) : line.slice(1, end);
    i = end < 0 ? line.length : end + 1;
  } else {
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') name += line[i++];
  }
  args.push(name);
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) return args;
    let arg = '';
    let quoted = false;
    while (i < line.length && (quoted || (line[i] !== ' ' && line[i] !== '\t'))) {
      if (line[i] === '\\') {
        let n = 0;
        while (line[i] === '\\') {
          n++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(n >> 1);
          if (n % 2 === 1) {
            arg += '"';
            i++;
          }
        } else {
          arg += '\\'.repeat(n);
        }
      } else if (line[i] === '"') {
        if (quoted && line[i + 1] === '"') {
          arg += '"';
          i += 2;
        } else {
          quoted = !quoted;
          i++;
        }
      } else {
        arg += line[i++];
      }
    }
    args.push(arg);
  }
}
