// Partner in another process for the wake-latency benchmark: blocks on the named event
// `ping`, records the time (process.hrtime, the clock every process shares), sets
// `pong`; on `stop`, prints the recorded times as JSON.
import { Event, waitAny } from '@waitables/core';

const now = () => Number(process.hrtime.bigint()) / 1000;
const [pingName, pongName, stopName] = process.argv.slice(2);
const ping = Event.open(pingName);
const pong = Event.open(pongName);
const stop = Event.open(stopName);
const times = [];
process.stdout.write('ready\n');
while (waitAny([ping, stop])?.object === ping) {
  times.push(now());
  pong.set();
}
process.stdout.write(`${JSON.stringify(times)}\n`);
