import {
  CampaignScores,
  IndicatorScore,
  INDICATORS,
  PairScore,
  Standing,
} from '@yipanqi/evaluation';

/** One figure of a published campaign result that the recomputation does not give. */
export interface CampaignDifference {
  /** `441300→511500` for a pair score, the node code for a standing */
  subject: string;
  /** e.g. `score`, `items`, `R.numerator`, `T.denominatorIds`, `rank` */
  figure: string;
  published: unknown;
  recomputed: unknown;
  /** the messages behind the figure, in either version: where to look */
  messageIds: string[];
}

type Figures = Pick<CampaignScores, 'pairs' | 'ranking'>;

const pairName = (p: PairScore) => `${p.evaluator}→${p.evaluated}`;

/** Ids compare as sets: their order carries no meaning. */
const sameIds = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

const union = (...lists: (readonly string[] | undefined)[]) => [
  ...new Set(lists.flatMap((l) => l ?? [])),
];

/** The ids behind an indicator in both versions: the evidence for any of its figures. */
function indicatorIds(...versions: (IndicatorScore | undefined)[]): string[] {
  return union(...versions.flatMap((i) => [i?.numeratorIds, i?.denominatorIds, i?.pendingIds]));
}

function pairIds(...versions: (PairScore | undefined)[]): string[] {
  return union(...INDICATORS.flatMap((c) => versions.map((p) => indicatorIds(p?.indicators[c]))));
}

/**
 * Every figure of `published` that `recomputed` does not reproduce: each
 * pair's period, score and item count, each indicator's weight, items,
 * numerator and denominator and the ids behind them, and each standing's
 * rank, score, items and scorers. `x` is left out: it is numerator /
 * denominator for display. Equal figures give an empty list.
 */
export function compareCampaignFigures(
  published: Figures,
  recomputed: Figures,
): CampaignDifference[] {
  const differences: CampaignDifference[] = [];
  const differs = (d: CampaignDifference) => differences.push(d);
  const recomputedPairs = new Map(recomputed.pairs.map((p) => [pairName(p), p]));
  const publishedPairs = new Map(published.pairs.map((p) => [pairName(p), p]));

  for (const [name, p] of publishedPairs) {
    const r = recomputedPairs.get(name);
    if (!r) {
      differs({
        subject: name,
        figure: 'pair',
        published: p.score,
        recomputed: null,
        messageIds: pairIds(p),
      });
      continue;
    }
    const pairFigures: [string, unknown, unknown][] = [
      ['period.start', p.period.start, r.period.start],
      ['period.end', p.period.end, r.period.end],
      ['asOf', p.asOf, r.asOf],
      ['score', p.score, r.score],
      ['items', p.items, r.items],
    ];
    for (const [figure, a, b] of pairFigures) {
      if (a !== b) {
        differs({ subject: name, figure, published: a, recomputed: b, messageIds: pairIds(p, r) });
      }
    }
    for (const code of INDICATORS) {
      const pi = p.indicators[code];
      const ri = r.indicators[code];
      const ids = indicatorIds(pi, ri);
      for (const figure of ['weight', 'items', 'numerator', 'denominator'] as const) {
        if (pi[figure] !== ri[figure]) {
          differs({
            subject: name,
            figure: `${code}.${figure}`,
            published: pi[figure],
            recomputed: ri[figure],
            messageIds: ids,
          });
        }
      }
      for (const figure of ['numeratorIds', 'denominatorIds', 'pendingIds'] as const) {
        if (!sameIds(pi[figure], ri[figure])) {
          const only = (a: string[], b: string[]) => a.filter((id) => !b.includes(id));
          differs({
            subject: name,
            figure: `${code}.${figure}`,
            published: pi[figure],
            recomputed: ri[figure],
            // the ids one version has and the other lacks
            messageIds: [...only(pi[figure], ri[figure]), ...only(ri[figure], pi[figure])],
          });
        }
      }
    }
  }
  for (const [name, r] of recomputedPairs) {
    if (!publishedPairs.has(name)) {
      differs({
        subject: name,
        figure: 'pair',
        published: null,
        recomputed: r.score,
        messageIds: pairIds(r),
      });
    }
  }
  compareRanking(published.ranking, recomputed.ranking, recomputed.pairs, differs);
  return differences;
}

function compareRanking(
  published: Standing[],
  recomputed: Standing[],
  pairs: PairScore[],
  differs: (d: CampaignDifference) => void,
): void {
  const byNode = new Map(recomputed.map((s) => [s.node, s]));
  const nodes = union(
    published.map((s) => s.node),
    recomputed.map((s) => s.node),
  );
  for (const node of nodes) {
    const p = published.find((s) => s.node === node);
    const r = byNode.get(node);
    // a standing rests on the scores given to the node
    const ids = pairIds(...pairs.filter((x) => x.evaluated === node));
    if (!p || !r) {
      differs({
        subject: node,
        figure: 'standing',
        published: p?.rank ?? null,
        recomputed: r?.rank ?? null,
        messageIds: ids,
      });
      continue;
    }
    for (const figure of ['rank', 'score', 'items'] as const) {
      if (p[figure] !== r[figure]) {
        differs({
          subject: node,
          figure,
          published: p[figure],
          recomputed: r[figure],
          messageIds: ids,
        });
      }
    }
    if (!sameIds(p.scoredBy, r.scoredBy)) {
      differs({
        subject: node,
        figure: 'scoredBy',
        published: p.scoredBy,
        recomputed: r.scoredBy,
        messageIds: ids,
      });
    }
  }
}
