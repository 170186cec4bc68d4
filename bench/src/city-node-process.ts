import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Every city node child still running, so that an interrupted run can stop them. */
export const runningChildren = new Set<ChildProcess>();

/** The built city node (npm run build / deploy/local/setup.sh). */
export function cityNodeMain(repo: string): string {
  return join(repo, 'dist/apps/city-node/apps/city-node/src/main.js');
}

/** Runs `main.js issue-token` with the node's environment and returns the token it prints. */
export function issueToken(repo: string, env: NodeJS.ProcessEnv, label: string): Promise<string> {
  const args = [cityNodeMain(repo), 'issue-token', '--role', 'coordinator', '--label', label];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: 60000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`issue-token failed: ${err.message}\n${stderr}`));
        return;
      }
      const lines = stdout.split('\n').map((l) => l.trim());
      const token = lines.filter((l) => l.length > 0).pop();
      if (!token || /\s/.test(token)) {
        reject(new Error(`issue-token printed no token: ${JSON.stringify(stdout)}`));
        return;
      }
      resolve(token);
    });
  });
}

/** A TCP port that is free right now (the OS picks it; the node binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface NodeProcessOptions {
  repo: string;
  code: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** preload that lets SIGURG start/stop a CPU profile written to `cpuProfile` */
  profileAgent?: string;
  cpuProfile?: string;
}

/** One city node as a child process, with a keep-alive HTTP client for its API. */
export class CityNodeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  private token: string | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private exited: string | undefined;

  constructor(private readonly options: NodeProcessOptions) {
    const args = options.profileAgent ? ['-r', options.profileAgent] : [];
    const env = options.cpuProfile
      ? { ...options.env, BENCH_CPU_PROFILE: options.cpuProfile }
      : options.env;
    this.child = spawn(process.execPath, [...args, cityNodeMain(options.repo)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(options.logFile);
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    runningChildren.add(this.child);
    this.child.on('exit', (code, signal) => {
      runningChildren.delete(this.child);
      this.exited = `exited (${signal ?? code})`;
    });
    this.url = `http://127.0.0.1:${options.port}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Throws if the process has died: a bench against a dead node would only time out. */
  assertAlive(): void {
    if (this.exited) {
      throw new Error(
        `city node ${this.options.code} ${this.exited}; last lines of ${this.options.logFile}:\n` +
          tail(this.options.logFile),
      );
    }
  }

  async waitHealthy(timeoutMs = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.assertAlive();
      try {
        const res = await this.call('GET', '/health');
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(200);
    }
    throw new Error(`city node ${this.options.code} not healthy within ${timeoutMs} ms`);
  }

  useToken(token: string): void {
    this.token = token;
  }

  /**
   * One HTTP request to the node's API; the body is returned as text. A
   * request on a kept-alive socket that the server closed meanwhile (its
   * keep-alive timeout) fails with ECONNRESET before the server read it; that
   * one case is retried, as the Node.js http docs advise.
   */
  async call(
    method: string,
    path: string,
    body?: string,
  ): Promise<{ status: number; body: string }> {
    try {
      return await this.callOnce(method, path, body);
    } catch (err) {
      if ((err as { retryable?: boolean }).retryable) return this.callOnce(method, path, body);
      throw err;
    }
  }

  private callOnce(
    method: string,
    path: string,
    body?: string,
  ): Promise<{ status: number; body: string }> {
    const headers: Record<string, string | number> = {};
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.options.port,
          path,
          method,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        reject(Object.assign(err, { retryable: req.reusedSocket && err.code === 'ECONNRESET' }));
      });
      req.end(body);
    });
  }

  /** Asks for a CPU profile toggle (start, then stop and write) from the preloaded agent. */
  toggleProfile(): void {
    this.child.kill('SIGURG');
  }

  /** SIGTERM (Nest closes the exchange and the database), SIGKILL if it hangs. */
  async stop(timeoutMs = 15000): Promise<void> {
    this.agent.destroy();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}
