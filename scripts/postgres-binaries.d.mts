/** The PostgreSQL server binaries' directory, installed with apt-get if missing (throws if impossible). */
export function postgresBin(): string;
/** A loopback port nobody listens on now. */
export function freePort(): Promise<number>;
