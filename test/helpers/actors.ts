/** Per-test actors that are cleaned up after each test. */
import { afterEach } from 'vitest';
import { Actor } from './actor.js';

/** Registers cleanup and returns factories for actors that live as long as one test. */
export function useActors(): { thread: () => Promise<Actor>; process: () => Promise<Actor> } {
  const live: Actor[] = [];
  afterEach(async () => {
    await Promise.all(live.splice(0).map((a) => a.dispose()));
  });
  const keep = async (made: Promise<Actor>) => {
    const a = await made;
    live.push(a);
    return a;
  };
  return { thread: () => keep(Actor.thread()), process: () => keep(Actor.process()) };
}
