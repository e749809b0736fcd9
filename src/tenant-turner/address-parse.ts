/**
 * Normalising US street addresses for matching (USPS Publication 28 conventions, tables in
 * `address-tables.ts`): upper case, punctuation dropped, suffixes, directionals and ordinals
 * abbreviated, unit designators reduced to the unit's identifier, ZIP+4 reduced to the ZIP.
 *
 * A free-text address has no reliable field boundaries ("12 Lake Shore Dr Lake Forest IL"), so
 * `readAddress` does not guess one parse: it yields the house number, unit and ZIP (which are
 * unambiguous), the remaining words with the positions of the commas that separated them, and
 * every reading of a trailing state. `address-match.ts` then tries each reading and each place
 * the street may end against each rental, keeping the best fit.
 */
import {
  DIRECTIONALS,
  STATES,
  STREET_SUFFIXES,
  UNIT_DESIGNATORS,
  canonicalWord,
} from './address-tables.ts';

/** A street line split into Publication 28's components (all canonical). */
export interface StreetParts {
  preDirectional: string | undefined;
  name: string[];
  suffix: string | undefined;
  postDirectional: string | undefined;
}

/** A free-text address, read as far as it can be without knowing where the street ends. */
export interface AddressReading {
  /** House number, e.g. `123`, `123A`, `123 1/2`; undefined when the text has none. */
  houseNumber: string | undefined;
  /** Unit identifier (`4`, `4B`), designator dropped. */
  unit: string | undefined;
  zip: string | undefined;
  /** Street then city words, canonical, in order. */
  words: string[];
  /** Word indexes a comma came just before (so a street may end there). */
  commas: ReadonlySet<number>;
  /** Ways to read the end of `words` as a state: how many words it takes and the code. */
  states: { words: number; code: string }[];
}

const ZIP = /^(\d{5})(?:-?\d{4})?$/;
const HOUSE_NUMBER = /^\d+(?:-?[A-Z]|-\d+)?$/;
const GLUED_UNIT = /^(APT|UNIT|STE|BLDG|RM|SPC|LOT|TRLR)(\d[A-Z0-9-]*)$/;

/** Upper-case tokens with commas kept as `,` tokens and `#` split off. */
export function tokenize(text: string): string[] {
  return text
    .toUpperCase()
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/[.'’`]/g, '')
    .replace(/#/g, ' # ')
    .replace(/,/g, ' , ')
    .replace(/[^A-Z0-9#,/\-\s]/g, ' ')
    .split(/\s+/)
    .flatMap((token) => {
      const glued = GLUED_UNIT.exec(token);
      return glued ? [glued[1] ?? '', glued[2] ?? ''] : [token];
    })
    .map((token) => token.replace(/^-+|-+$/g, ''))
    .filter((token) => token !== '' && token !== '/');
}

/** A unit identifier in comparable form: hyphens dropped, leading zeros of digits dropped. */
export function unitId(raw: string): string {
  return raw.replace(/-/g, '').replace(/^0+(?=\d)/, '');
}

function isUnitId(token: string | undefined): token is string {
  return (
    token !== undefined && /^[A-Z0-9-]+$/.test(token) && (/\d/.test(token) || token.length <= 2)
  );
}

/**
 * Removes unit designators and their identifiers from `tokens` (from index `from` on), and
 * returns the identifiers joined (`Bldg 2 Apt 4` → `2-4`).
 */
function takeUnit(tokens: string[], from: number): string | undefined {
  const ids: string[] = [];
  for (let i = from; i < tokens.length;) {
    const token = tokens[i] ?? '';
    if (!UNIT_DESIGNATORS.has(token)) {
      i++;
      continue;
    }
    let j = i + 1;
    if (tokens[j] === '#') j++;
    const id = tokens[j];
    if (!isUnitId(id)) {
      i++;
      continue;
    }
    ids.push(unitId(id));
    tokens.splice(i, j - i + 1);
  }
  return ids.length > 0 ? ids.join('-') : undefined;
}

/** The unit a rental's `Address2` names: "Apt 4", "#4", "Unit 4B" or a bare "4". */
export function readUnitLine(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const tokens = tokenize(text).filter((token) => token !== ',');
  const designated = takeUnit(tokens, 0);
  const rest = tokens.filter((token) => !UNIT_DESIGNATORS.has(token)).map(unitId);
  const parts = [designated, ...rest].filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join('-') : undefined;
}

/** Splits off a leading house number (with a following fraction, `123 1/2`). */
function takeHouseNumber(tokens: string[]): string | undefined {
  const first = tokens[0];
  if (first === undefined || !HOUSE_NUMBER.test(first)) return undefined;
  tokens.shift();
  let number = first.replace(/-(?=[A-Z]$)/, '').replace(/^0+(?=\d)/, '');
  if (tokens[0] !== undefined && /^\d+\/\d+$/.test(tokens[0])) number += ` ${tokens.shift()}`;
  return number;
}

/** Reads a free-text address (see the module comment). */
export function readAddress(text: string): AddressReading {
  const tokens = tokenize(text);
  while (tokens[0] === ',') tokens.shift();
  const houseNumber = takeHouseNumber(tokens);
  while (tokens.at(-1) === ',') tokens.pop();
  const zipMatch = ZIP.exec(tokens.at(-1) ?? '');
  if (zipMatch) tokens.pop();
  // A designator needs at least one street word before it ("100 Unit Rd" is a street).
  const unit = takeUnit(tokens, 1);
  const words: string[] = [];
  const commas = new Set<number>();
  for (const token of tokens) {
    if (token === ',') commas.add(words.length);
    else if (token !== '#') words.push(token);
  }
  const states: AddressReading['states'] = [];
  for (let take = 1; take <= 3 && take < words.length; take++) {
    const code = STATES.get(words.slice(-take).join(' '));
    if (code) states.push({ words: take, code });
  }
  return {
    houseNumber,
    unit,
    zip: zipMatch?.[1],
    words: words.map(canonicalWord),
    commas,
    states,
  };
}

/** A rental's street line: house number, unit (if written on it) and street words. */
export function readStreetLine(text: string): {
  houseNumber: string | undefined;
  unit: string | undefined;
  words: string[];
} {
  const tokens = tokenize(text).filter((token) => token !== ',');
  const houseNumber = takeHouseNumber(tokens);
  const unit = takeUnit(tokens, 1);
  return {
    houseNumber,
    unit,
    words: tokens.filter((token) => token !== '#').map(canonicalWord),
  };
}

/** A state given as a code or a name → its code (undefined when it is neither). */
export function stateCode(text: string): string | undefined {
  return STATES.get(tokenize(text).join(' '));
}

/** A ZIP or ZIP+4 → the five-digit ZIP. */
export function zip5(text: string | undefined): string | undefined {
  return text === undefined ? undefined : ZIP.exec(text.trim())?.[1];
}

/** Splits canonical street words into directionals, name and suffix. */
export function streetParts(words: readonly string[]): StreetParts {
  const rest = [...words];
  const isDirectional = (word: string | undefined): boolean =>
    word !== undefined && DIRECTIONALS.has(word);
  // Each part is peeled only while a name word remains, suffix before the leading
  // directional: "North St" is a street named North, "N Main St" is Main with a directional.
  const postDirectional = rest.length >= 2 && isDirectional(rest.at(-1)) ? rest.pop() : undefined;
  const last = rest.at(-1);
  const suffix =
    rest.length >= 2 && last !== undefined && STREET_SUFFIXES.has(last) ? rest.pop() : undefined;
  const preDirectional = rest.length >= 2 && isDirectional(rest[0]) ? rest.shift() : undefined;
  return { preDirectional, name: rest, suffix, postDirectional };
}

/** Canonical words of a place name ("Saint Louis" → `ST LOUIS`, "Ft. Worth" → `FT WORTH`). */
export function readWords(text: string): string[] {
  return tokenize(text)
    .filter((token) => token !== ',' && token !== '#')
    .map(canonicalWord);
}
