import { Writable } from 'node:stream';
import { encodingsOf } from './scenario';

/** One parsed log line (pino JSON): whatever fields it has. */
export type LogLine = Record<string, unknown>;

/** A destination for apps' log lines (`logTo`): keeps every byte written to it. */
export class CollectedLogs extends Writable {
  private text = '';

  override _write(chunk: Buffer, _encoding: string, next: () => void): void {
    this.text += chunk.toString('utf8');
    next();
  }

  /** Everything written so far, as written. */
  get raw(): string {
    return this.text;
  }

  get lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }

  /** Each line parsed; throws on the first line that is not a JSON object. */
  parsed(): LogLine[] {
    return this.lines.map(parseLogLine);
  }
}

export function parseLogLine(line: string): LogLine {
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`not a JSON object: ${line}`);
  }
  return Object.fromEntries(Object.entries(value));
}

/**
 * Which of `secrets` appear anywhere in `text`: as they are, JSON-escaped
 * (\uXXXX) or percent-encoded as in a URL.
 */
export function secretsIn(text: string, secrets: string[]): string[] {
  const bytes = Buffer.from(text, 'utf8');
  return secrets.filter((secret) =>
    [...encodingsOf(secret), Buffer.from(encodeURIComponent(secret))].some((e) =>
      bytes.includes(e),
    ),
  );
}
