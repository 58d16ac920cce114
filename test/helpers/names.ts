/** Object names unique to one test, so that tests never meet each other's objects. */
let counter = 0;
export function uniqueName(label: string): string {
  return `Local\\waitables-test-${process.pid}-${label}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
}
