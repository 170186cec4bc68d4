import {
  CampaignScores,
  IndicatorCode,
  INDICATORS,
  PairScore,
  Standing,
} from '@yipanqi/evaluation';
import {
  CampaignComputation,
  publishedIndicator,
  publishedPairs,
  UnsignedCampaignResult,
} from '@yipanqi/exchange-log';

/** One figure of a published campaign result that the recomputation does not give. */
export interface CampaignDifference {
  /** `441300→511500` for a pair score, the node code for a standing */
  subject: string;
  /** e.g. `score`, `R.numerator`, `T.digest`, `rank` */
  figure: string;
  published: unknown;
  recomputed: unknown;
  /**
   * the messages behind the figure in the recomputation, where to look: the
   * first MAX_DIFFERENCE_IDS in ascending order (the published result holds
   * only digests; the coordinator serves its lists)
   */
  messageIds: string[];
  /** how many messages are behind the figure in the recomputation */
  messageIdCount: number;
}

/**
 * At most this many ids in one difference: a pair of a national campaign
 * rests on hundreds of messages, a participant's standing on thousands.
 */
export const MAX_DIFFERENCE_IDS = 100;

/** What a result publishes of its figures. */
export type PublishedFigures = Pick<UnsignedCampaignResult, 'pairs' | 'ranking' | 'rejections'>;

/** The campaign scored again: as it would be published, and with every id for the differences. */
export interface RecomputedCampaign {
  published: PublishedFigures;
  scores: CampaignComputation;
}

export function recomputedCampaign(scores: CampaignComputation): RecomputedCampaign {
  return {
    published: {
      pairs: publishedPairs(scores.pairs),
      ranking: scores.ranking,
      rejections: scores.rejections,
    },
    scores,
  };
}

const pairName = (p: { evaluator: string; evaluated: string }) => `${p.evaluator}→${p.evaluated}`;

/** Ids compare as sets: their order carries no meaning. */
const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** The distinct ids, the first MAX_DIFFERENCE_IDS of them in ascending order, and how many. */
function evidence(
  lists: (readonly string[])[],
): Pick<CampaignDifference, 'messageIds' | 'messageIdCount'> {
  const ids = [...new Set(lists.flat())].sort();
  return { messageIds: ids.slice(0, MAX_DIFFERENCE_IDS), messageIdCount: ids.length };
}

function indicatorLists(pair: PairScore | undefined, code: IndicatorCode): (readonly string[])[] {
  const i = pair?.indicators[code];
  return i ? [i.numeratorIds, i.denominatorIds, i.pendingIds] : [];
}

function pairLists(...pairs: (PairScore | undefined)[]): (readonly string[])[] {
  return pairs.flatMap((p) => INDICATORS.flatMap((code) => indicatorLists(p, code)));
}

const INDICATOR_FIGURES = ['weight', 'items', 'numerator', 'denominator', 'pending', 'digest'];

type Differs = (
  subject: string,
  figure: string,
  published: unknown,
  recomputed: unknown,
  /** the id lists behind the figure, read only when it differs */
  lists: () => (readonly string[])[],
) => void;

/**
 * Every figure of `published` that the recomputation does not reproduce:
 * each pair's score, each indicator's weight, items, numerator, denominator,
 * pending count and the digest of its ids, and each standing's rank, score,
 * exact score, items and scorers. A pair only one side lists, or listed
 * twice, is one difference (figure `pair`). Equal figures give an empty list.
 */
export function compareCampaignFigures(
  published: PublishedFigures,
  recomputed: RecomputedCampaign,
): CampaignDifference[] {
  const differences: CampaignDifference[] = [];
  const differs: Differs = (subject, figure, publishedValue, recomputedValue, lists) =>
    differences.push({
      subject,
      figure,
      published: publishedValue,
      recomputed: recomputedValue,
      ...evidence(lists()),
    });
  const scores = new Map(recomputed.scores.pairs.map((p) => [pairName(p), p]));
  const recomputedPairs = new Map(recomputed.published.pairs.map((p) => [pairName(p), p]));
  const publishedPairs = new Set<string>();

  for (const p of published.pairs) {
    const name = pairName(p);
    const full = scores.get(name);
    const r = recomputedPairs.get(name);
    if (publishedPairs.has(name)) {
      differs(name, 'pair', 'listed twice', r?.score ?? null, () => pairLists(full));
      continue;
    }
    publishedPairs.add(name);
    if (!r) {
      // nothing behind this pair in the log, or no pair of participants at all
      differs(name, 'pair', p.score, null, () => pairLists(full));
      continue;
    }
    if (p.score !== r.score) differs(name, 'score', p.score, r.score, () => pairLists(full));
    for (const code of INDICATORS) {
      const pi = publishedIndicator(p, code);
      const ri = publishedIndicator(r, code);
      INDICATOR_FIGURES.forEach((figure, i) => {
        if (pi[i] !== ri[i]) {
          differs(name, `${code}.${figure}`, pi[i], ri[i], () => indicatorLists(full, code));
        }
      });
    }
  }
  for (const [name, r] of recomputedPairs) {
    if (!publishedPairs.has(name)) {
      differs(name, 'pair', null, r.score, () => pairLists(scores.get(name)));
    }
  }
  compareRanking(published.ranking, recomputed.scores, differs);
  compareRejections(published.rejections, recomputed.scores.rejections, differs);
  return differences;
}

/** Each participant's rejections by verdict (`441300` `rejections.unjustified`). */
function compareRejections(
  published: PublishedFigures['rejections'],
  recomputed: CampaignComputation['rejections'],
  differs: Differs,
): void {
  const nodes = [...new Set([...Object.keys(published), ...Object.keys(recomputed)])].sort();
  for (const node of nodes) {
    for (const verdict of ['justified', 'unjustified', 'undecidable'] as const) {
      const p = published[node]?.[verdict] ?? null;
      const r = recomputed[node]?.[verdict] ?? null;
      if (p !== r) differs(node, `rejections.${verdict}`, p, r, () => []);
    }
  }
}

function compareRanking(published: Standing[], recomputed: CampaignScores, differs: Differs): void {
  const byNode = new Map(recomputed.ranking.map((s) => [s.node, s]));
  const nodes = [...new Set([...published.map((s) => s.node), ...byNode.keys()])];
  for (const node of nodes) {
    const p = published.find((s) => s.node === node);
    const r = byNode.get(node);
    // a standing rests on the scores given to the node
    const lists = () => pairLists(...recomputed.pairs.filter((x) => x.evaluated === node));
    if (!p || !r) {
      differs(node, 'standing', p?.rank ?? null, r?.rank ?? null, lists);
      continue;
    }
    for (const figure of ['rank', 'score', 'exactScore', 'items'] as const) {
      if (p[figure] !== r[figure]) differs(node, figure, p[figure], r[figure], lists);
    }
    if (!sameIds(p.scoredBy, r.scoredBy)) differs(node, 'scoredBy', p.scoredBy, r.scoredBy, lists);
  }
}
