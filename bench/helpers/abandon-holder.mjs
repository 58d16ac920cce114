// Holder of the abandon-latency bench (bench/scenarios/abandon-latency.mjs forks it):
// creates the named mutex argv[2] owning it, says {holding} over IPC, and stays until
// it is killed with SIGKILL, still owning the mutex.
import { Mutex } from '@waitables/core';

const mutex = Mutex.create({ name: process.argv[2], initialOwner: true });
// The name is unique to the run: someone else's mutex would make the figures wrong.
if (mutex.existed) throw new Error(`abandon-holder: ${process.argv[2]} already existed`);
process.send({ holding: true });
// Alive until the kill: an IPC channel without a 'message' listener would not keep it.
setInterval(() => undefined, 1 << 30);
