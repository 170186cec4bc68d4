import { readFileSync } from 'node:fs';

/** The parts of a V8 .cpuprofile the summary reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** where the process's time went, by what code it was in (see categoryOf) */
  categories: { category: string; ms: number; pct: number }[];
  /** functions whose own code (not callees) took the most time */
  topSelf: { fn: string; where: string; ms: number; pct: number }[];
  /** the repo's own functions (libs/, apps/) by time spent in them or their callees */
  topInclusive: { fn: string; where: string; ms: number; pct: number }[];
}

/**
 * Categories by where the code lives. A sample is charged to the innermost
 * frame that has a category: built-ins and native calls without a script URL
 * (JSON.stringify, a SQLite statement's run) are charged to the library or
 * module that called them — except the few native names listed below.
 */
function categoryOf(fn: string, url: string): string | undefined {
  if (fn === '(idle)') return 'idle (waiting for I/O)';
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(program)') return 'V8/native, unattributed (program)';
  if (url.includes('/node_modules/canonicalize/') || url.includes('/canonical-json.js')) {
    return 'canonical JSON (RFC 8785)';
  }
  if (
    url.includes('/node_modules/jose/') ||
    url.includes('/libs/crypto/') ||
    url.startsWith('node:internal/crypto') ||
    url === 'node:crypto'
  ) {
    return 'crypto (jose JWE, Ed25519, SHA-256)';
  }
  if (url.includes('/node_modules/better-sqlite3/')) return 'SQLite (better-sqlite3)';
  if (url.includes('/node_modules/typeorm/')) return 'TypeORM';
  if (url.includes('/node_modules/kafkajs/')) return 'kafkajs';
  if (
    url.includes('/node_modules/class-validator/') ||
    url.includes('/node_modules/class-transformer/')
  ) {
    return 'class-validator / class-transformer';
  }
  if (url.includes('/node_modules/validator/')) return 'class-validator / class-transformer';
  if (
    url.includes('/node_modules/@nestjs/') ||
    url.includes('/node_modules/express/') ||
    url.includes('/node_modules/router/') ||
    url.includes('/node_modules/body-parser/') ||
    url.includes('/node_modules/raw-body/') ||
    url.includes('/node_modules/rxjs/') ||
    url.startsWith('node:_http') ||
    url.startsWith('node:internal/http') ||
    url === 'node:http'
  ) {
    return 'Nest / Express / HTTP';
  }
  if (url.includes('/node_modules/')) return 'other dependencies';
  if (url.includes('/libs/') || url.includes('/apps/'))
    return "the repo's own code (exchange, contracts, apps)";
  if (
    url.startsWith('node:net') ||
    url.startsWith('node:internal/stream') ||
    url.startsWith('node:stream') ||
    url.startsWith('node:internal/net')
  ) {
    return 'node net / streams';
  }
  if (url.startsWith('node:')) return 'node internals (timers, promises, buffers …)';
  return undefined;
}

// Native methods of better-sqlite3's Statement and Database have no script URL
// and would otherwise be charged to TypeORM, which calls them.
const SQLITE_NATIVE = new Set(['run', 'all', 'get', 'iterate', 'prepare', 'exec', 'pragma', 'raw']);

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const label = (id: number) => {
    const f = (byId.get(id) as CpuProfile['nodes'][number]).callFrame;
    const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : '(native)';
    return { fn: f.functionName || '(anonymous)', where };
  };
  const sampleCategory = new Map<number, string>();
  const categoryFor = (leaf: number): string => {
    const cached = sampleCategory.get(leaf);
    if (cached) return cached;
    let category: string | undefined;
    for (let id: number | undefined = leaf; id !== undefined && !category; id = parent.get(id)) {
      const f = (byId.get(id) as CpuProfile['nodes'][number]).callFrame;
      if (!f.url && SQLITE_NATIVE.has(f.functionName)) {
        const up = parent.get(id);
        const callerUrl = up === undefined ? '' : (byId.get(up)?.callFrame.url ?? '');
        if (callerUrl.includes('/typeorm/') || callerUrl.includes('/better-sqlite3/')) {
          category = 'SQLite (better-sqlite3)';
          break;
        }
      }
      category = categoryOf(f.functionName, f.url);
    }
    const result = category ?? 'other';
    sampleCategory.set(leaf, result);
    return result;
  };

  const self = new Map<number, number>();
  const categories = new Map<string, number>();
  const inclusive = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // a sample stands for the time until the next one
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (us <= 0) continue;
    const leaf = profile.samples[i];
    total += us;
    self.set(leaf, (self.get(leaf) ?? 0) + us);
    const category = categoryFor(leaf);
    categories.set(category, (categories.get(category) ?? 0) + us);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const f = (byId.get(id) as CpuProfile['nodes'][number]).callFrame;
      if (!(f.url.includes('/libs/') || f.url.includes('/apps/')) || !f.functionName) continue;
      const { fn, where } = label(id);
      const key = `${fn} ${where}`;
      if (seen.has(key)) continue; // recursion or re-entry: count a sample once per function
      seen.add(key);
      const entry = inclusive.get(key) ?? { fn, where, us: 0 };
      entry.us += us;
      inclusive.set(key, entry);
    }
  }

  const pct = (us: number) => Math.round((1000 * us) / total) / 10;
  const ms = (us: number) => Math.round(us / 1000);
  const selfByFunction = new Map<string, { fn: string; where: string; us: number }>();
  for (const [id, us] of self) {
    const { fn, where } = label(id);
    const key = `${fn} ${where}`;
    const entry = selfByFunction.get(key) ?? { fn, where, us: 0 };
    entry.us += us;
    selfByFunction.set(key, entry);
  }
  return {
    totalMs: ms(total),
    categories: [...categories.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({ category, ms: ms(us), pct: pct(us) })),
    topSelf: [...selfByFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ fn: e.fn, where: e.where, ms: ms(e.us), pct: pct(e.us) })),
    topInclusive: [...inclusive.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ fn: e.fn, where: e.where, ms: ms(e.us), pct: pct(e.us) })),
  };
}

/** node_modules/<pkg>/… or the repo-relative path, without the dist prefix. */
function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const dist = url.search(/\/(libs|apps)\//);
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

/** The summary as Markdown tables (printed, and pasted into docs/bench.md). */
export function profileMarkdown(title: string, s: ProfileSummary): string {
  const lines = [`### ${title} (${(s.totalMs / 1000).toFixed(1)} s profiled)`, ''];
  lines.push('| category | ms | % |', '| --- | ---: | ---: |');
  for (const c of s.categories) lines.push(`| ${c.category} | ${c.ms} | ${c.pct} |`);
  lines.push('', '| top self time | where | ms | % |', '| --- | --- | ---: | ---: |');
  for (const f of s.topSelf) lines.push(`| ${f.fn} | ${f.where} | ${f.ms} | ${f.pct} |`);
  lines.push('', '| repo function, inclusive | where | ms | % |', '| --- | --- | ---: | ---: |');
  for (const f of s.topInclusive) lines.push(`| ${f.fn} | ${f.where} | ${f.ms} | ${f.pct} |`);
  return lines.join('\n') + '\n';
}
