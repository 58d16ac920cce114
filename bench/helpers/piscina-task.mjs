// The piscina task of the wake-latency benchmark: the time it ran.
export default () => Number(process.hrtime.bigint()) / 1000;
