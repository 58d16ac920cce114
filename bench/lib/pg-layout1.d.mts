/** Layout 1's tables, as it shipped (see pg-layout1.mjs). */
export function schemaV1(schema: string): string;
/** Layout 1's functions, as it shipped (see pg-layout1.mjs). */
export function protocolV1(schema: string, key: number): string;
