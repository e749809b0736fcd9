/**
 * The abbreviation tables the address matcher normalises with, from USPS Publication 28,
 * "Postal Addressing Standards" (https://pe.usps.com/text/pub28/): street suffixes
 * (§234 and Appendix C1, "Street Suffix Abbreviations": every commonly used form maps to the
 * Postal Service standard abbreviation), directionals (§233), secondary unit designators
 * (§213 and Appendix C2) and state abbreviations (Appendix B). The suffix table carries the
 * suffixes residential addresses use, with their common variants, not every row of C1.
 */

/** Each group: the standard abbreviation first, then the spellings that mean it. */
const SUFFIX_GROUPS = `
ALY ALLEE ALLEY ALLY|ANX ANEX ANNEX ANNX|ARC ARCADE|AVE AV AVEN AVENU AVENUE AVN AVNUE|
BYU BAYOO BAYOU|BCH BEACH|BND BEND|BLF BLUF BLUFF|BTM BOT BOTTM BOTTOM|
BLVD BOUL BOULEVARD BOULV|BR BRNCH BRANCH|BRG BRDGE BRIDGE|BRK BROOK|BG BURG|
BYP BYPA BYPAS BYPASS BYPS|CP CAMP CMP|CYN CANYN CANYON CNYN|CPE CAPE|CSWY CAUSEWAY CAUSWA|
CTR CEN CENT CENTER CENTR CENTRE CNTER CNTR|CIR CIRC CIRCL CIRCLE CRCL CRCLE|CLF CLIFF|
CLB CLUB|CMN COMMON|COR CORNER|CRSE COURSE|CT COURT|CV COVE|CRK CREEK|
CRES CRESCENT CRSENT CRSNT|CRST CREST|XING CROSSING CRSSNG|CURV CURVE|DL DALE|DM DAM|
DV DIV DIVIDE DVD|DR DRIV DRIVE DRV|EST ESTATE|ESTS ESTATES|
EXPY EXP EXPR EXPRESS EXPRESSWAY EXPW|EXT EXTENSION EXTN EXTNSN|FLS FALLS|FRY FERRY FRRY|
FLD FIELD|FLDS FIELDS|FLT FLAT|FRD FORD|FRST FOREST FORESTS|FRG FORG FORGE|FRK FORK|
FT FORT FRT|FWY FREEWAY FREEWY FRWAY FRWY|GDN GARDEN GARDN GRDEN GRDN|GDNS GARDENS GRDNS|
GTWY GATEWAY GATEWY GATWAY GTWAY|GLN GLEN|GRN GREEN|GRV GROV GROVE|
HBR HARB HARBOR HARBR HRBOR|HVN HAVEN|HTS HT HEIGHTS|HWY HIGHWAY HIGHWY HIWAY HIWY HWAY|
HL HILL|HLS HILLS|HOLW HLLW HOLLOW HOLLOWS HOLWS|INLT INLET|IS ISLAND ISLND|ISLE ISLES|
JCT JCTION JCTN JUNCTION JUNCTN JUNCTON|KY KEY|KNL KNOL KNOLL|LK LAKE|LKS LAKES|
LNDG LANDING LNDNG|LN LANE|LGT LIGHT|LOOP LOOPS|MALL|MNR MANOR|MDW MEADOW|
MDWS MEADOWS MEDOWS|ML MILL|MSN MISSN MSSN|MTWY MOTORWAY|MT MNT MOUNT|
MTN MNTAIN MNTN MOUNTAIN MOUNTIN MTIN|ORCH ORCHARD ORCHRD|OVAL OVL|OPAS OVERPASS|PARK PRK|
PKWY PARKWAY PARKWY PKWAY PKY|PASS|PSGE PASSAGE|PATH PATHS|PIKE PIKES|PNE PINE|PNES PINES|
PL PLACE|PLN PLAIN|PLNS PLAINS|PLZ PLAZA PLZA|PT POINT|PTS POINTS|PRT PORT|PR PRAIRIE PRR|
RNCH RANCH RANCHES RNCHS|RDG RDGE RIDGE|RIV RIVER RVR RIVR|RD ROAD|RTE ROUTE|ROW|RUN|
SHL SHOAL|SHR SHOAR SHORE|SKWY SKYWAY|SPG SPNG SPRING SPRNG|SPGS SPNGS SPRINGS SPRNGS|
SQ SQR SQRE SQU SQUARE|STA STATION STATN STN|STRM STREAM STREME|ST STREET STRT STR|
SMT SUMIT SUMITT SUMMIT|TER TERR TERRACE|TRCE TRACE TRACES|TRAK TRACK TRACKS TRK TRKS|
TRL TRAIL TRAILS TRLS|TUNL TUNEL TUNLS TUNNEL TUNNELS TUNNL|TPKE TRNPK TURNPIKE TURNPK|
UN UNION|VLY VALLEY VALLY VLLY|VIA VDCT VIADCT VIADUCT|VW VIEW|
VLG VILL VILLAG VILLAGE VILLG VILLIAGE|VL VILLE|VIS VIST VISTA VST VSTA|WALK WALKS|WAY WY|
WLS WELLS`;

function groups(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of text.split('|')) {
    const [standard, ...variants] = group.trim().split(/\s+/);
    if (!standard) continue;
    map.set(standard, standard);
    for (const variant of variants) map.set(variant, standard);
  }
  return map;
}

/** Any spelling of a street suffix → its USPS standard abbreviation (`STREET` → `ST`). */
export const STREET_SUFFIXES: ReadonlyMap<string, string> = groups(SUFFIX_GROUPS);

/** Any spelling of a directional → its abbreviation (§233: `NORTH` → `N`, `NORTHEAST` → `NE`). */
export const DIRECTIONALS: ReadonlyMap<string, string> = groups(
  'N NORTH|S SOUTH|E EAST|W WEST|NE NORTHEAST|NW NORTHWEST|SE SOUTHEAST|SW SOUTHWEST',
);

/**
 * Secondary unit designators that take an identifier (§213, Appendix C2: `APARTMENT` → `APT`,
 * `SUITE` → `STE`), plus `#`. Only the identifier is compared, so "Apt 4", "#4", "Unit 4" and
 * "Ste 4" name the same unit.
 */
export const UNIT_DESIGNATORS: ReadonlyMap<string, string> = groups(
  'APT APARTMENT|BLDG BUILDING|DEPT DEPARTMENT|FL FLOOR|HNGR HANGAR|LOT|RM ROOM|SPC SPACE|' +
    'STE SUITE|TRLR TRAILER|UNIT|#',
);

/** Ordinal words of numbered streets (§235) → numerals, so "First St" equals "1st St". */
export const ORDINALS: ReadonlyMap<string, string> = groups(
  '1ST FIRST|2ND SECOND|3RD THIRD|4TH FOURTH|5TH FIFTH|6TH SIXTH|7TH SEVENTH|8TH EIGHTH|' +
    '9TH NINTH|10TH TENTH|11TH ELEVENTH|12TH TWELFTH',
);

/** Two-letter state and possession codes (Appendix B) with the names they stand for. */
const STATE_LIST = `AL ALABAMA|AK ALASKA|AZ ARIZONA|AR ARKANSAS|CA CALIFORNIA|CO COLORADO|
CT CONNECTICUT|DE DELAWARE|DC DISTRICT OF COLUMBIA|FL FLORIDA|GA GEORGIA|HI HAWAII|ID IDAHO|
IL ILLINOIS|IN INDIANA|IA IOWA|KS KANSAS|KY KENTUCKY|LA LOUISIANA|ME MAINE|MD MARYLAND|
MA MASSACHUSETTS|MI MICHIGAN|MN MINNESOTA|MS MISSISSIPPI|MO MISSOURI|MT MONTANA|NE NEBRASKA|
NV NEVADA|NH NEW HAMPSHIRE|NJ NEW JERSEY|NM NEW MEXICO|NY NEW YORK|NC NORTH CAROLINA|
ND NORTH DAKOTA|OH OHIO|OK OKLAHOMA|OR OREGON|PA PENNSYLVANIA|RI RHODE ISLAND|
SC SOUTH CAROLINA|SD SOUTH DAKOTA|TN TENNESSEE|TX TEXAS|UT UTAH|VT VERMONT|VA VIRGINIA|
WA WASHINGTON|WV WEST VIRGINIA|WI WISCONSIN|WY WYOMING|AS AMERICAN SAMOA|GU GUAM|
MP NORTHERN MARIANA ISLANDS|PR PUERTO RICO|VI VIRGIN ISLANDS`;

/** A state's code or name (words joined by one space) → its two-letter code. */
export const STATES: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const entry of STATE_LIST.split('|')) {
    const [code, ...name] = entry.trim().split(/\s+/);
    if (!code) continue;
    map.set(code, code);
    map.set(name.join(' '), code);
  }
  return map;
})();

/** The canonical form of one street or city word: suffixes, directionals, ordinals, SAINT. */
export function canonicalWord(word: string): string {
  if (word === 'SAINT') return 'ST';
  return DIRECTIONALS.get(word) ?? STREET_SUFFIXES.get(word) ?? ORDINALS.get(word) ?? word;
}
