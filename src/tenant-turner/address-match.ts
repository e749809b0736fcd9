/**
 * Finds the rental a free-text address names, against the `/v1/properties/sync` list.
 *
 * Both sides are normalised the USPS Publication 28 way (`address-parse.ts`), then compared
 * component by component:
 * - house number and street name must agree, or the rental is out;
 * - directionals, suffix, unit, city, state and ZIP must agree when both sides give them; when
 *   only one side does, the rental stays in but scores lower and the difference is reported.
 *   A city that differs is tolerated only when the ZIPs agree (USPS accepts several place
 *   names per ZIP). ZIP+4 is compared on its first five digits;
 * - the highest score wins; a tie is ambiguous, and nothing is returned rather than a guess.
 */
import {
  readAddress,
  readStreetLine,
  readUnitLine,
  readWords,
  stateCode,
  streetParts,
  zip5,
} from './address-parse.ts';
import type { AddressReading, StreetParts } from './address-parse.ts';

/** What the matcher reads from a rental (a `RentalAddress` or a `Rental`). */
export interface AddressLike {
  address: string;
  address2?: string | undefined;
  city: string;
  state: string;
  zipCode: string;
}

/** The outcome of `matchAddress`. */
export type AddressMatch<T> =
  | {
      matched: true;
      rental: T;
      /** `exact`: every component agrees; `partial`: some were missing on one side. */
      confidence: 'exact' | 'partial';
      /** What agreed and what was missing, for logs and the dashboard. */
      reason: string;
      /** Components given on one side only (or a city tolerated through the ZIP). */
      differences: string[];
    }
  | {
      matched: false;
      /** `no_house_number`: the text has none; `no_match`: no rental fits; `ambiguous`: a tie. */
      reason: 'no_house_number' | 'no_match' | 'ambiguous';
      message: string;
      /** The tied rentals (`ambiguous`) or the near misses at the same street address. */
      candidates: T[];
    };

interface Known {
  houseNumber: string | undefined;
  unit: string | undefined;
  street: StreetParts;
  city: string[];
  state: string | undefined;
  zip: string | undefined;
}

/** One way of reading the text: its street and city words, and its state. */
interface Query {
  houseNumber: string;
  unit: string | undefined;
  zip: string | undefined;
  street: StreetParts;
  city: string[];
  state: string | undefined;
}

type Verdict =
  | { ok: true; score: number; agreed: string[]; differences: string[] }
  | { ok: false; sameStreet: boolean; conflict: string };

const WEIGHTS = { directional: 1, suffix: 2, unit: 4, city: 2, state: 1, zip: 3 };

function know(rental: AddressLike): Known {
  const line = readStreetLine(rental.address);
  return {
    houseNumber: line.houseNumber,
    unit: readUnitLine(rental.address2) ?? line.unit,
    street: streetParts(line.words),
    city: readWords(rental.city),
    state: stateCode(rental.state),
    zip: zip5(rental.zipCode),
  };
}

/** Every reading of the text: with or without a trailing state, street ending at each place. */
function queries(reading: AddressReading, houseNumber: string): Query[] {
  const out: Query[] = [];
  for (const state of [undefined, ...reading.states]) {
    const words = reading.words.slice(0, reading.words.length - (state?.words ?? 0));
    const inside = [...reading.commas].filter((at) => at > 0 && at < words.length);
    const ends = inside.length > 0 ? inside : words.map((_, i) => i + 1);
    for (const end of ends) {
      out.push({
        houseNumber,
        unit: reading.unit,
        zip: reading.zip,
        street: streetParts(words.slice(0, end)),
        city: words.slice(end),
        state: state?.code,
      });
    }
  }
  return out;
}

const same = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((word, i) => word === b[i]);

function compare(query: Query, known: Known): Verdict {
  const sameStreet =
    query.houseNumber === known.houseNumber && same(query.street.name, known.street.name);
  if (!sameStreet) return { ok: false, sameStreet, conflict: 'house number or street name' };
  let score = 0;
  const agreed = ['house number', 'street name'];
  const differences: string[] = [];
  const optional: [string, string | undefined, string | undefined, number][] = [
    ['directional', query.street.preDirectional, known.street.preDirectional, WEIGHTS.directional],
    ['suffix', query.street.suffix, known.street.suffix, WEIGHTS.suffix],
    [
      'post-directional',
      query.street.postDirectional,
      known.street.postDirectional,
      WEIGHTS.directional,
    ],
    ['unit', query.unit, known.unit, WEIGHTS.unit],
  ];
  for (const [label, given, has, weight] of optional) {
    if (given === has) {
      score += weight;
      if (given !== undefined) agreed.push(label);
    } else if (given !== undefined && has !== undefined) {
      return { ok: false, sameStreet, conflict: `${label} ${given} ≠ ${has}` };
    } else if (given === undefined) {
      differences.push(`the address gives no ${label} (the rental has ${has})`);
    } else {
      differences.push(`the rental has no ${label} (the address gives ${given})`);
    }
  }
  const zipAgrees = query.zip !== undefined && query.zip === known.zip;
  if (query.zip !== undefined && known.zip !== undefined && !zipAgrees) {
    return { ok: false, sameStreet, conflict: `ZIP ${query.zip} ≠ ${known.zip}` };
  }
  if (query.state !== undefined && query.state !== known.state) {
    return { ok: false, sameStreet, conflict: `state ${query.state} ≠ ${known.state}` };
  }
  if (query.city.length > 0 && !same(query.city, known.city)) {
    if (!zipAgrees) {
      return {
        ok: false,
        sameStreet,
        conflict: `city ${query.city.join(' ')} ≠ ${known.city.join(' ')}`,
      };
    }
    score -= WEIGHTS.city;
    differences.push(
      `the city differs (${query.city.join(' ')} vs ${known.city.join(' ')}) but the ZIP agrees`,
    );
  }
  for (const [label, given, weight, agrees] of [
    ['city', query.city.length > 0, WEIGHTS.city, same(query.city, known.city)],
    ['state', query.state !== undefined, WEIGHTS.state, query.state === known.state],
    ['ZIP', query.zip !== undefined, WEIGHTS.zip, zipAgrees],
  ] as const) {
    if (!given) differences.push(`the address gives no ${label}`);
    else if (agrees) {
      score += weight;
      agreed.push(label);
    }
  }
  return { ok: true, score, agreed, differences };
}

/** The best verdict over every reading of the text, for one rental. */
function bestVerdict(readings: readonly Query[], known: Known): Verdict {
  let best: Verdict | undefined;
  for (const query of readings) {
    const verdict = compare(query, known);
    if (!best || rank(verdict) > rank(best)) best = verdict;
  }
  return best ?? { ok: false, sameStreet: false, conflict: 'no street words' };
}

function rank(verdict: Verdict): number {
  if (verdict.ok) return verdict.score;
  return verdict.sameStreet ? -1000 : -2000;
}

/**
 * The rental `text` names, out of `rentals`; `matched: false` with a reason and a message when
 * the text has no house number, no rental fits, or two or more fit equally well.
 */
export function matchAddress<T extends AddressLike>(
  text: string,
  rentals: readonly T[],
): AddressMatch<T> {
  const reading = readAddress(text);
  if (reading.houseNumber === undefined) {
    return {
      matched: false,
      reason: 'no_house_number',
      message: `"${text}" has no house number to match on: give the street address with its number.`,
      candidates: [],
    };
  }
  const readings = queries(reading, reading.houseNumber);
  const scored = rentals.map((rental) => ({
    rental,
    verdict: bestVerdict(readings, know(rental)),
  }));
  const fits = scored.flatMap(({ rental, verdict }) => (verdict.ok ? [{ rental, verdict }] : []));
  if (fits.length === 0) {
    const near = scored.filter(({ verdict }) => !verdict.ok && verdict.sameStreet);
    const why = near.map(({ verdict }) => (verdict.ok ? '' : verdict.conflict)).join('; ');
    return {
      matched: false,
      reason: 'no_match',
      message: near.length
        ? `No rental matches "${text}": ${near.length} at the same street address differ (${why}).`
        : `No rental matches "${text}".`,
      candidates: near.map(({ rental }) => rental),
    };
  }
  const top = Math.max(...fits.map(({ verdict }) => verdict.score));
  const best = fits.filter(({ verdict }) => verdict.score === top);
  const winner = best[0];
  if (best.length > 1 || !winner) {
    return {
      matched: false,
      reason: 'ambiguous',
      message:
        `"${text}" fits ${best.length} rentals equally well ` +
        `(${best.map(({ rental }) => describe(rental)).join(' | ')}): add the unit, city or ZIP.`,
      candidates: best.map(({ rental }) => rental),
    };
  }
  const { agreed, differences } = winner.verdict;
  return {
    matched: true,
    rental: winner.rental,
    confidence: differences.length === 0 ? 'exact' : 'partial',
    reason:
      `${agreed.join(', ')} agree` + (differences.length ? `; ${differences.join('; ')}` : ''),
    differences,
  };
}

function describe(rental: AddressLike): string {
  const unit = rental.address2 ? ` ${rental.address2}` : '';
  return `${rental.address}${unit}, ${rental.city}, ${rental.state} ${rental.zipCode}`;
}
