// Partner in another process for the wake-latency benchmark's cross-process floor: for
// each byte read on stdin, records the time (process.hrtime, the clock every process
// shares) and writes it as a line on stdout. A pipe is the plainest way one Node
// process wakes another's event loop; Atomics.waitAsync cannot cross processes.
const now = () => Number(process.hrtime.bigint()) / 1000;

process.stdin.on('data', (chunk) => {
  for (let i = 0; i < chunk.length; i++) process.stdout.write(`${now()}\n`);
});
process.stdout.write('ready\n');
