import { test, expect } from 'vitest';
test('platform', () => { expect(typeof process.platform).toBe('string'); console.log(process.platform); });
