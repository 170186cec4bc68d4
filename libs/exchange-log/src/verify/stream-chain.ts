import { Finding, finding, FindingKind } from './findings';

/** What the chain walk needs of an authentic envelope of the stream. */
export interface ChainLink {
  id: string;
  seq: number;
  prevHash: string | null;
  hash: string;
}

interface Gap {
  finding: Finding;
  /** the envelope that came after the missing ones */
  after: ChainLink;
  missing: Set<number>;
  /** envelopes that arrived after it to fill some of its places */
  late: ChainLink[];
}

/**
 * The log's own structure of one stream (from → to): does the sender's
 * sequence run 1, 2, 3 … without a gap, fork or broken link, in log order?
 *
 * Unlike the node's rule (which never moves past a refused envelope), this
 * walk follows the log through a break — it reports the break once and
 * carries on from the envelope that broke it — so one missing record is one
 * finding, not one per later envelope. An envelope that arrives late to fill
 * a gap turns that gap into an OUT_OF_ORDER finding naming both envelopes,
 * and its links to both neighbours are checked then.
 */
export class StreamChain {
  private lastSeq = 0;
  private lastHash: string | null = null;
  private started = false;
  /** seq → the envelope that holds that place */
  private readonly holders = new Map<number, ChainLink>();
  private readonly gaps: Gap[] = [];
  readonly findings: Finding[] = [];

  /**
   * @param stream "from→to"
   * @param anchored a replay of a time range: the stream starts at its first
   *   envelope in range, trusting its seq and prevHash
   */
  constructor(
    private readonly stream: string,
    private readonly anchored: boolean,
  ) {}

  get head(): { seq: number; hash: string | null } {
    return { seq: this.lastSeq, hash: this.lastHash };
  }

  /**
   * Takes the next new envelope of the stream in log order (redeliveries and
   * duplicates of an id are the caller's: they never reach the chain) and
   * returns the finding it caused, if any.
   */
  add(link: ChainLink): Finding | undefined {
    if (this.anchored && !this.started) {
      this.lastSeq = link.seq - 1;
      this.lastHash = link.prevHash;
    }
    this.started = true;
    const expected = this.lastSeq + 1;
    if (link.seq === expected) {
      const problem = link.prevHash === this.lastHash ? undefined : this.linkProblem(link);
      this.advance(link);
      return problem === undefined ? undefined : this.report('CHAIN_BROKEN', [link.id], problem);
    }
    if (link.seq > expected) {
      const missing = new Set<number>();
      for (let s = expected; s < link.seq; s++) missing.add(s);
      const gap: Gap = {
        finding: this.report('SEQ_GAP', [link.id], ''),
        after: link,
        missing,
        late: [],
      };
      describe(gap);
      this.gaps.push(gap);
      this.advance(link);
      return gap.finding;
    }
    const holder = this.holders.get(link.seq);
    if (holder) {
      return this.report(
        'FORK',
        [link.id, holder.id],
        `seq ${link.seq} is held by ${holder.id} already; ${link.id} claims it too`,
      );
    }
    return this.fillLate(link);
  }

  /** Seqs still missing after the walk, per open gap, for a finishing pass to explain. */
  openGaps(): { finding: Finding; missing: number[] }[] {
    return this.gaps
      .filter((g) => g.missing.size > 0)
      .map((g) => ({ finding: g.finding, missing: [...g.missing].sort((a, b) => a - b) }));
  }

  /** An envelope behind the head whose place is free: it was reordered (or a gap closes). */
  private fillLate(link: ChainLink): Finding {
    this.holders.set(link.seq, link);
    const gap = this.gaps.find((g) => g.missing.has(link.seq));
    let result: Finding;
    if (gap) {
      gap.missing.delete(link.seq);
      gap.late.push(link);
      gap.finding.messageIds.push(link.id);
      describe(gap);
      result = gap.finding;
    } else {
      result = this.report(
        'OUT_OF_ORDER',
        [link.id],
        `seq ${link.seq} comes after seq ${this.lastSeq}`,
      );
    }
    // the late envelope closes two links: to its predecessor and to its successor
    const before = this.holders.get(link.seq - 1);
    if (before && link.prevHash !== before.hash) {
      this.report('CHAIN_BROKEN', [link.id], this.linkProblem(link));
    }
    const after = this.holders.get(link.seq + 1);
    if (after && after.prevHash !== link.hash) {
      this.report(
        'CHAIN_BROKEN',
        [after.id, link.id],
        `seq ${after.seq}: prevHash is not the hash of seq ${link.seq} (${link.id})`,
      );
    }
    return result;
  }

  private advance(link: ChainLink): void {
    this.holders.set(link.seq, link);
    this.lastSeq = link.seq;
    this.lastHash = link.hash;
  }

  private linkProblem(link: ChainLink): string {
    if (link.seq === 1) return 'seq 1: prevHash must be null at the start of a stream';
    const before = this.holders.get(link.seq - 1);
    return `seq ${link.seq}: prevHash is not the hash of seq ${link.seq - 1}${before ? ` (${before.id})` : ''}`;
  }

  private report(kind: FindingKind, messageIds: string[], detail: string): Finding {
    const f = finding(kind, detail, { messageIds, stream: this.stream });
    this.findings.push(f);
    return f;
  }
}

/**
 * A gap whose every place was filled later was a reordering, not a loss: it
 * becomes OUT_OF_ORDER, naming the envelope that came too early and the ones
 * that came late.
 */
function describe(gap: Gap): void {
  const late = gap.late.map((l) => `seq ${l.seq} (${l.id})`).join(', ');
  if (gap.missing.size === 0) {
    gap.finding.kind = 'OUT_OF_ORDER';
    gap.finding.detail = `seq ${gap.after.seq} (${gap.after.id}) comes before ${late}`;
    return;
  }
  const missing = [...gap.missing].sort((a, b) => a - b);
  const seqs =
    missing.length > 1 && missing[missing.length - 1] - missing[0] === missing.length - 1
      ? `${missing[0]}–${missing[missing.length - 1]}`
      : missing.join(', ');
  gap.finding.detail =
    `seq ${gap.after.seq} follows a gap: seq ${seqs} missing` +
    (late ? `; ${late} came after it` : '');
}
