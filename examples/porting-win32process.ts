// The win32process example of packages/core/README.md, kept identical to it by test/conformance/core-readme.test.ts.
import * as win32api from '@waitables/core/win32api';
import * as win32event from '@waitables/core/win32event';
import * as win32process from '@waitables/core/win32process';

// Start a child at a lower priority; it exits with code 3 after a moment.
const command = `"${process.execPath}" -e "setTimeout(() => process.exit(3), 500)"`;
const flags = win32process.BELOW_NORMAL_PRIORITY_CLASS;
const si = new win32process.STARTUPINFO();
const [hProcess, hThread, pid] = win32process.CreateProcess(null, command, null, null, 0, flags, null, null, si);
console.log('started', pid === win32process.GetProcessId(hProcess));
console.log('priority', win32process.GetPriorityClass(hProcess) === win32process.BELOW_NORMAL_PRIORITY_CLASS);

// Wait for the child or for a stop event, whichever comes first.
const stop = win32event.CreateEvent(null, 1, 0, null);
const rc = win32event.WaitForMultipleObjects([stop, hProcess], 0, 30_000);
if (rc === win32event.WAIT_OBJECT_0 + 1) {
  console.log('exit code', win32process.GetExitCodeProcess(hProcess));
} else {
  win32process.TerminateProcess(hProcess, 1);
}

// Closed handles are 0, and a call on one raises error 6, as in pywin32.
win32api.CloseHandle(hThread);
hProcess.Close();
stop.Close();
try {
  win32process.GetExitCodeProcess(hProcess);
} catch (e) {
  if (e instanceof win32process.error) console.log('winerror', e.winerror);
}
