import { residentIdCheckChar } from '@yipanqi/contracts';

/**
 * Synthetic people for tests and demos — never real data. A seeded generator
 * (mulberry32) so that a failing test can be re-run with the same people.
 */
export interface SyntheticPerson {
  idNumber: string;
  name: string;
  phone: string;
  address: string;
  /** the household registration's county code (first 6 digits of the ID number) */
  household: string;
}

/** County-level divisions whose prefecture runs a node in the demo network. */
export const HOUSEHOLD_COUNTIES: Record<string, string[]> = {
  '511500': ['511502', '511503', '511504', '511523', '511524', '511525'], // 宜宾
  '441300': ['441302', '441303', '441322', '441323', '441324'], // 惠州
  '440300': ['440303', '440304', '440305', '440306', '440307'], // 深圳
};

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华';

export class PeopleGenerator {
  private state: number;
  private readonly made = new Set<string>();

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[] | string): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  /**
   * Every ID number (the malformed ones too), name, phone and address this
   * generator has made: what a test searches logs and files for.
   */
  personalData(): string[] {
    return [...this.made];
  }

  private remember(value: string): string {
    this.made.add(value);
    return value;
  }

  /** A person registered (户籍) under `outflowNode`, born 1960–2005. */
  person(outflowNode = '511500'): SyntheticPerson {
    const household = this.pick(HOUSEHOLD_COUNTIES[outflowNode] ?? [outflowNode]);
    const year = this.int(1960, 2005);
    const month = this.int(1, 12);
    const day = this.int(1, 28);
    const sequence = this.int(1, 999);
    const first17 = `${household}${year}${pad(month, 2)}${pad(day, 2)}${pad(sequence, 3)}`;
    const name = this.pick<string>(SURNAMES) + this.pick<string>(GIVEN) + this.pick<string>(GIVEN);
    return {
      idNumber: this.remember(first17 + residentIdCheckChar(first17)),
      name: this.remember(name),
      phone: this.remember(`1${this.pick<string>('3456789')}${pad(this.int(0, 999999999), 9)}`),
      address: this.remember(
        `${this.pick<string>(['惠城区', '福田区', '南山区', '宝安区'])}${this.int(1, 300)}号`,
      ),
      household,
    };
  }

  /** A well-formed ID number whose check character is wrong. */
  badCheckDigit(outflowNode = '511500'): string {
    const id = this.person(outflowNode).idNumber;
    const wrong = '0123456789X'.replace(id[17], '');
    return this.remember(id.slice(0, 17) + this.pick<string>(wrong));
  }

  /** A correctly checked ID number whose birth date does not exist (30 February). */
  impossibleBirthDate(outflowNode = '511500'): string {
    const household = this.pick(HOUSEHOLD_COUNTIES[outflowNode] ?? [outflowNode]);
    const first17 = `${household}19900230${pad(this.int(1, 999), 3)}`;
    return this.remember(first17 + residentIdCheckChar(first17));
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
