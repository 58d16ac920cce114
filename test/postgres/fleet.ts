// The fleet example of packages/postgres/README.md, shown there as it is here (checked by readme.test.ts).
import { connect, waitAny } from '@waitables/postgres';

/** One host of the fleet: runs `jobs` jobs, at most two at once across every host, until `stop` is set. */
export async function runHost(url: string, host: string, jobs: number): Promise<string[]> {
  await using db = await connect(url, { schema: 'fleet' });
  const encoders = await db.Semaphore.create({ name: 'encoders', initialCount: 2, maximumCount: 2 });
  const stop = await db.Event.create({ name: 'stop', manualReset: true });
  const log: string[] = [];
  for (let job = 1; job <= jobs; job++) {
    // A free encoder slot anywhere in the fleet, or the stop signal: whichever comes first.
    const { object, permit } = await waitAny([stop, encoders], { timeout: 60_000 });
    if (object === stop) break;
    await using slot = permit!;
    log.push(`${host} ran job ${job} (grant #${slot.fence} of the encoders)`);
  }
  return log;
}

/** From anywhere: tells every host to stop. */
export async function stopFleet(url: string): Promise<void> {
  await using db = await connect(url, { schema: 'fleet' });
  await (await db.Event.create({ name: 'stop', manualReset: true })).set();
}
