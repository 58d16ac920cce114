// Holder of the abandon-latency bench (bench/scenarios/abandon-latency.mjs forks it):
// creates the named mutex argv[2] owning it (argv[3] 'mutex'), or the crash-safe
// semaphore argv[2] of one unit and takes it (argv[3] 'permit'), says {holding} over IPC,
// and stays until it is killed with SIGKILL, still holding it.
import { Mutex, Semaphore } from '@waitables/core';

const [name, kind] = process.argv.slice(2);
const object =
  kind === 'permit'
    ? Semaphore.create({ name, initialCount: 1, maximumCount: 1, crashSafe: true })
    : Mutex.create({ name, initialOwner: true });
// The name is unique to the run: someone else's object would make the figures wrong.
if (object.existed) throw new Error(`abandon-holder: ${name} already existed`);
if (kind === 'permit' && object.wait(0) !== 'signaled') throw new Error('abandon-holder: could not take the unit');
process.send({ holding: true });
// Alive until the kill: an IPC channel without a 'message' listener would not keep it.
setInterval(() => undefined, 1 << 30);
