/** An OS handle value, valid in every thread of the process that opened it. */
export type RawHandle = number;
