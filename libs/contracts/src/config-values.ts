/** Reads a TCP port from configuration; a typo must stop start-up, not pick a random port. */
export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port > 65535) {
    throw new Error(`not a TCP port: ${JSON.stringify(value)}`);
  }
  return port;
}
