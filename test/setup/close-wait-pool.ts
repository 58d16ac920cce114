// After each test file, the async runtime's wait threads are stopped cleanly before the
// test runner ends the file's worker thread: a wait thread still starting (loading koffi)
// when its parent worker is torn down can take the whole process down with it (a fatal
// napi_throw in an environment being destroyed), which would end the test run.
import { afterAll } from 'vitest';

afterAll(async () => {
  const { closeWaitPool } = await import('@waitables/async');
  await closeWaitPool();
});
