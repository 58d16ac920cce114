// Partners of the wake-latency benchmark, in a worker thread. Each wakes the main
// thread (or another worker) and records when it did, on the monotonic clock shared by
// every thread and process (process.hrtime), so that latency is measured one way.
//   'atomics':  on word 0 going to 1, writes the time and notifies word 1
//   'port':     on each message, answers with the time
//   'core':     blocks on event `ping`, writes the time, sets event `pong`; until `stop`
//   'blocking': blocks on event `ping`, measures against the time the setter wrote, sets `pong`
//   'setter':   `samples` times: writes the time, sets `ping`, waits for `pong`
import { parentPort, workerData } from 'node:worker_threads';
import { INFINITE, getBackend } from '@waitables/core';

const now = () => Number(process.hrtime.bigint()) / 1000;
const { mode } = workerData;
const words = workerData.buffer ? new Int32Array(workerData.buffer, 0, 2) : null;
const time = workerData.buffer ? new Float64Array(workerData.buffer, 8, 1) : null;
const backend = getBackend();

if (mode === 'atomics') {
  for (;;) {
    Atomics.wait(words, 0, 0);
    if (Atomics.load(words, 0) === 2) break;
    Atomics.store(words, 0, 0);
    time[0] = now();
    Atomics.store(words, 1, 1);
    Atomics.notify(words, 1);
  }
} else if (mode === 'port') {
  parentPort.on('message', (m) => (m === 'stop' ? process.exit(0) : parentPort.postMessage(now())));
} else if (mode === 'core') {
  const { ping, pong, stop } = workerData;
  parentPort.postMessage('ready');
  while (backend.waitForMultipleObjects([ping, stop], false, INFINITE, false) === 0) {
    time[0] = now();
    backend.setEvent(pong);
  }
} else if (mode === 'blocking') {
  const { ping, pong, samples } = workerData;
  const out = [];
  parentPort.postMessage('ready');
  for (let i = 0; i < samples; i++) {
    backend.waitForMultipleObjects([ping], false, INFINITE, false);
    out.push(now() - time[0]);
    backend.setEvent(pong);
  }
  parentPort.postMessage(out);
} else if (mode === 'setter') {
  const { ping, pong, samples } = workerData;
  for (let i = 0; i < samples; i++) {
    time[0] = now();
    backend.setEvent(ping);
    backend.waitForMultipleObjects([pong], false, INFINITE, false);
  }
}
