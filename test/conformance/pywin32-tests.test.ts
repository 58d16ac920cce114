// pywin32's own tests of win32event (win32/test/test_win32event.py), translated call for
// call: None is null, h.close() is the same method, pywintypes.error is win32event.error.
import { describe, expect, test } from 'vitest';
import * as pywintypes from '@waitables/core/pywintypes';
import * as win32event from '@waitables/core/win32event';

describe('TestWaitableTimer', () => {
  test('testWaitableFire', () => {
    const h = win32event.CreateWaitableTimer(null, 0, null);
    win32event.SetWaitableTimer(h, -160, 0, null, null, 0); // 160 ns
    expect(win32event.WaitForSingleObject(h, 1000)).toBe(win32event.WAIT_OBJECT_0);
    h.close();
  });

  test('testWaitableFireLong (a bigint due time)', () => {
    const h = win32event.CreateWaitableTimer(null, 0, null);
    win32event.SetWaitableTimer(h, -160n, 0, null, null, 0);
    expect(win32event.WaitForSingleObject(h, 1000)).toBe(win32event.WAIT_OBJECT_0);
    h.close();
  });

  test('testWaitableTrigger', () => {
    const h = win32event.CreateWaitableTimer(null, 0, null);
    win32event.SetWaitableTimer(h, -2_000_000_000, 0, null, null, 0); // 200 s
    expect(win32event.WaitForSingleObject(h, 10)).toBe(win32event.WAIT_TIMEOUT);
    h.close();
  });

  test('testWaitableError', () => {
    const h = win32event.CreateWaitableTimer(null, 0, null);
    h.close();
    expect(() => win32event.SetWaitableTimer(h, -42, 0, null, null, 0)).toThrow(pywintypes.error);
  });
});

describe('TestWaitFunctions', () => {
  test('testMsgWaitForMultipleObjects', () => {
    expect(win32event.MsgWaitForMultipleObjects([], 0, 0, 0)).toBe(win32event.WAIT_TIMEOUT);
  });

  test('testMsgWaitForMultipleObjects2', () => {
    const event = win32event.CreateEvent(null, 0, 0, null);
    expect(win32event.MsgWaitForMultipleObjects([event], 0, 0, 0)).toBe(win32event.WAIT_TIMEOUT);
    event.close();
  });

  test('testMsgWaitForMultipleObjectsEx', () => {
    expect(win32event.MsgWaitForMultipleObjectsEx([], 0, 0, 0)).toBe(win32event.WAIT_TIMEOUT);
  });

  test('testMsgWaitForMultipleObjectsEx2', () => {
    const event = win32event.CreateEvent(null, 0, 0, null);
    expect(win32event.MsgWaitForMultipleObjectsEx([event], 0, 0, 0)).toBe(win32event.WAIT_TIMEOUT);
    event.close();
  });
});

describe('TestEvent', () => {
  const assertSignaled = (event: win32event.PyHANDLE) => expect(win32event.WaitForSingleObject(event, 0)).toBe(win32event.WAIT_OBJECT_0);
  const assertNotSignaled = (event: win32event.PyHANDLE) => expect(win32event.WaitForSingleObject(event, 0)).toBe(win32event.WAIT_TIMEOUT);

  test('testCreateEvent', () => {
    let event = win32event.CreateEvent(null, false, false, null);
    assertNotSignaled(event);
    event = win32event.CreateEvent(null, false, true, null);
    assertSignaled(event);
    assertNotSignaled(event);
    event = win32event.CreateEvent(null, true, true, null);
    assertSignaled(event);
    assertSignaled(event);
  });

  test('testSetEvent', () => {
    const event = win32event.CreateEvent(null, true, false, null);
    assertNotSignaled(event);
    expect(win32event.SetEvent(event)).toBeUndefined();
    assertSignaled(event);
    event.close();
    expect(() => win32event.SetEvent(event)).toThrow(pywintypes.error);
  });

  test('testResetEvent', () => {
    const event = win32event.CreateEvent(null, true, true, null);
    assertSignaled(event);
    expect(win32event.ResetEvent(event)).toBeUndefined();
    assertNotSignaled(event);
    event.close();
    expect(() => win32event.ResetEvent(event)).toThrow(pywintypes.error);
  });
});

describe('TestMutex', () => {
  test('testReleaseMutex', () => {
    const mutex = win32event.CreateMutex(null, true, null);
    expect(win32event.ReleaseMutex(mutex)).toBeUndefined();
    expect(win32event.WaitForSingleObject(mutex, 0)).toBe(win32event.WAIT_OBJECT_0);
    mutex.close();
    expect(() => win32event.ReleaseMutex(mutex)).toThrow(pywintypes.error);
  });
});
