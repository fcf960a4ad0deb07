/**
 * ISO 4217 currencies and ISO 3166-1 countries, by their three-digit numeric codes:
 * the form EMV 3DS carries them in (purchaseCurrency, merchantCountryCode...).
 */

/** Active ISO 4217 currencies: numeric code -> [alphabetic code, minor-unit exponent]. */
export const CURRENCIES: Readonly<Record<string, readonly [string, number]>> = {
  '008': ['ALL', 2], '012': ['DZD', 2], '032': ['ARS', 2], '036': ['AUD', 2], '044': ['BSD', 2],
  '048': ['BHD', 3], '050': ['BDT', 2], '051': ['AMD', 2], '052': ['BBD', 2], '060': ['BMD', 2],
  '064': ['BTN', 2], '068': ['BOB', 2], '072': ['BWP', 2], '084': ['BZD', 2], '090': ['SBD', 2],
  '096': ['BND', 2], '104': ['MMK', 2], '108': ['BIF', 0], '116': ['KHR', 2], '124': ['CAD', 2],
  '132': ['CVE', 2], '136': ['KYD', 2], '144': ['LKR', 2], '152': ['CLP', 0], '156': ['CNY', 2],
  '170': ['COP', 2], '174': ['KMF', 0], '188': ['CRC', 2], '192': ['CUP', 2], '203': ['CZK', 2],
  '208': ['DKK', 2], '214': ['DOP', 2], '222': ['SVC', 2], '230': ['ETB', 2], '232': ['ERN', 2],
  '238': ['FKP', 2], '242': ['FJD', 2], '262': ['DJF', 0], '270': ['GMD', 2], '292': ['GIP', 2],
  '320': ['GTQ', 2], '324': ['GNF', 0], '328': ['GYD', 2], '332': ['HTG', 2], '340': ['HNL', 2],
  '344': ['HKD', 2], '348': ['HUF', 2], '352': ['ISK', 0], '356': ['INR', 2], '360': ['IDR', 2],
  '364': ['IRR', 2], '368': ['IQD', 3], '376': ['ILS', 2], '388': ['JMD', 2], '392': ['JPY', 0],
  '398': ['KZT', 2], '400': ['JOD', 3], '404': ['KES', 2], '408': ['KPW', 2], '410': ['KRW', 0],
  '414': ['KWD', 3], '417': ['KGS', 2], '418': ['LAK', 2], '422': ['LBP', 2], '426': ['LSL', 2],
  '430': ['LRD', 2], '434': ['LYD', 3], '446': ['MOP', 2], '454': ['MWK', 2], '458': ['MYR', 2],
  '462': ['MVR', 2], '480': ['MUR', 2], '484': ['MXN', 2], '496': ['MNT', 2], '498': ['MDL', 2],
  '504': ['MAD', 2], '512': ['OMR', 3], '516': ['NAD', 2], '524': ['NPR', 2], '532': ['ANG', 2],
  '533': ['AWG', 2], '548': ['VUV', 0], '554': ['NZD', 2], '558': ['NIO', 2], '566': ['NGN', 2],
  '578': ['NOK', 2], '586': ['PKR', 2], '590': ['PAB', 2], '598': ['PGK', 2], '600': ['PYG', 0],
  '604': ['PEN', 2], '608': ['PHP', 2], '634': ['QAR', 2], '643': ['RUB', 2], '646': ['RWF', 0],
  '654': ['SHP', 2], '682': ['SAR', 2], '690': ['SCR', 2], '694': ['SLL', 2], '702': ['SGD', 2],
  '704': ['VND', 0], '706': ['SOS', 2], '710': ['ZAR', 2], '728': ['SSP', 2], '748': ['SZL', 2],
  '752': ['SEK', 2], '756': ['CHF', 2], '760': ['SYP', 2], '764': ['THB', 2], '776': ['TOP', 2],
  '780': ['TTD', 2], '784': ['AED', 2], '788': ['TND', 3], '800': ['UGX', 0], '807': ['MKD', 2],
  '818': ['EGP', 2], '826': ['GBP', 2], '834': ['TZS', 2], '840': ['USD', 2], '858': ['UYU', 2],
  '860': ['UZS', 2], '882': ['WST', 2], '886': ['YER', 2], '901': ['TWD', 2], '924': ['ZWG', 2],
  '925': ['SLE', 2], '926': ['VED', 2], '927': ['UYW', 4], '928': ['VES', 2], '929': ['MRU', 2],
  '930': ['STN', 2], '931': ['CUC', 2], '932': ['ZWL', 2], '933': ['BYN', 2], '934': ['TMT', 2],
  '936': ['GHS', 2], '938': ['SDG', 2], '940': ['UYI', 0], '941': ['RSD', 2], '943': ['MZN', 2],
  '944': ['AZN', 2], '946': ['RON', 2], '947': ['CHE', 2], '948': ['CHW', 2], '949': ['TRY', 2],
  '950': ['XAF', 0], '951': ['XCD', 2], '952': ['XOF', 0], '953': ['XPF', 0], '967': ['ZMW', 2],
  '968': ['SRD', 2], '969': ['MGA', 2], '970': ['COU', 2], '971': ['AFN', 2], '972': ['TJS', 2],
  '973': ['AOA', 2], '975': ['BGN', 2], '976': ['CDF', 2], '977': ['BAM', 2], '978': ['EUR', 2],
  '979': ['MXV', 2], '980': ['UAH', 2], '981': ['GEL', 2], '984': ['BOV', 2], '985': ['PLN', 2],
  '986': ['BRL', 2], '990': ['CLF', 4], '997': ['USN', 2],
  // 532 is shared by ANG and its successor XCG (Caribbean guilder, 2025); both have exponent 2.
  // SLL, ZWL and CUC are superseded but still seen in traffic during their transition periods.
};

/**
 * ISO 3166-1 countries: numeric code -> alpha-2 code. All 249 officially assigned entries.
 */
export const COUNTRIES: Readonly<Record<string, string>> = {
  '004': 'AF', '008': 'AL', '010': 'AQ', '012': 'DZ', '016': 'AS', '020': 'AD', '024': 'AO',
  '028': 'AG', '031': 'AZ', '032': 'AR', '036': 'AU', '040': 'AT', '044': 'BS', '048': 'BH',
  '050': 'BD', '051': 'AM', '052': 'BB', '056': 'BE', '060': 'BM', '064': 'BT', '068': 'BO',
  '070': 'BA', '072': 'BW', '074': 'BV', '076': 'BR', '084': 'BZ', '086': 'IO', '090': 'SB',
  '092': 'VG', '096': 'BN', '100': 'BG', '104': 'MM', '108': 'BI', '112': 'BY', '116': 'KH',
  '120': 'CM', '124': 'CA', '132': 'CV', '136': 'KY', '140': 'CF', '144': 'LK', '148': 'TD',
  '152': 'CL', '156': 'CN', '158': 'TW', '162': 'CX', '166': 'CC', '170': 'CO', '174': 'KM',
  '175': 'YT', '178': 'CG', '180': 'CD', '184': 'CK', '188': 'CR', '191': 'HR', '192': 'CU',
  '196': 'CY', '203': 'CZ', '204': 'BJ', '208': 'DK', '212': 'DM', '214': 'DO', '218': 'EC',
  '222': 'SV', '226': 'GQ', '231': 'ET', '232': 'ER', '233': 'EE', '234': 'FO', '238': 'FK',
  '239': 'GS', '242': 'FJ', '246': 'FI', '248': 'AX', '250': 'FR', '254': 'GF', '258': 'PF',
  '260': 'TF', '262': 'DJ', '266': 'GA', '268': 'GE', '270': 'GM', '275': 'PS', '276': 'DE',
  '288': 'GH', '292': 'GI', '296': 'KI', '300': 'GR', '304': 'GL', '308': 'GD', '312': 'GP',
  '316': 'GU', '320': 'GT', '324': 'GN', '328': 'GY', '332': 'HT', '334': 'HM', '336': 'VA',
  '340': 'HN', '344': 'HK', '348': 'HU', '352': 'IS', '356': 'IN', '360': 'ID', '364': 'IR',
  '368': 'IQ', '372': 'IE', '376': 'IL', '380': 'IT', '384': 'CI', '388': 'JM', '392': 'JP',
  '398': 'KZ', '400': 'JO', '404': 'KE', '408': 'KP', '410': 'KR', '414': 'KW', '417': 'KG',
  '418': 'LA', '422': 'LB', '426': 'LS', '428': 'LV', '430': 'LR', '434': 'LY', '438': 'LI',
  '440': 'LT', '442': 'LU', '446': 'MO', '450': 'MG', '454': 'MW', '458': 'MY', '462': 'MV',
  '466': 'ML', '470': 'MT', '474': 'MQ', '478': 'MR', '480': 'MU', '484': 'MX', '492': 'MC',
  '496': 'MN', '498': 'MD', '499': 'ME', '500': 'MS', '504': 'MA', '508': 'MZ', '512': 'OM',
  '516': 'NA', '520': 'NR', '524': 'NP', '528': 'NL', '531': 'CW', '533': 'AW', '534': 'SX',
  '535': 'BQ', '540': 'NC', '548': 'VU', '554': 'NZ', '558': 'NI', '562': 'NE', '566': 'NG',
  '570': 'NU', '574': 'NF', '578': 'NO', '580': 'MP', '581': 'UM', '583': 'FM', '584': 'MH',
  '585': 'PW', '586': 'PK', '591': 'PA', '598': 'PG', '600': 'PY', '604': 'PE', '608': 'PH',
  '612': 'PN', '616': 'PL', '620': 'PT', '624': 'GW', '626': 'TL', '630': 'PR', '634': 'QA',
  '638': 'RE', '642': 'RO', '643': 'RU', '646': 'RW', '652': 'BL', '654': 'SH', '659': 'KN',
  '660': 'AI', '662': 'LC', '663': 'MF', '666': 'PM', '670': 'VC', '674': 'SM', '678': 'ST',
  '682': 'SA', '686': 'SN', '688': 'RS', '690': 'SC', '694': 'SL', '702': 'SG', '703': 'SK',
  '704': 'VN', '705': 'SI', '706': 'SO', '710': 'ZA', '716': 'ZW', '724': 'ES', '728': 'SS',
  '729': 'SD', '732': 'EH', '740': 'SR', '744': 'SJ', '748': 'SZ', '752': 'SE', '756': 'CH',
  '760': 'SY', '762': 'TJ', '764': 'TH', '768': 'TG', '772': 'TK', '776': 'TO', '780': 'TT',
  '784': 'AE', '788': 'TN', '792': 'TR', '795': 'TM', '796': 'TC', '798': 'TV', '800': 'UG',
  '804': 'UA', '807': 'MK', '818': 'EG', '826': 'GB', '831': 'GG', '832': 'JE', '833': 'IM',
  '834': 'TZ', '840': 'US', '850': 'VI', '854': 'BF', '858': 'UY', '860': 'UZ', '862': 'VE',
  '876': 'WF', '882': 'WS', '887': 'YE', '894': 'ZM',
};

/**
 * Values EMV 3DS excludes even where ISO lists them (Table A.5): currencies 955-964
 * (bond units, precious metals, SDR, testing) and 999 (no currency); countries 901-999.
 */
export function isExcludedCurrency(code: string): boolean {
  const n = Number(code);
  return (n >= 955 && n <= 964) || n === 999;
}

export function isExcludedCountry(code: string): boolean {
  return Number(code) >= 901 && Number(code) <= 999;
}

/** The number of minor-unit digits of a currency (JPY 0, USD 2, BHD 3), or undefined if not valid. */
export function currencyExponent(code: string): number | undefined {
  return isValidCurrency(code) ? CURRENCIES[code][1] : undefined;
}

export function isValidCurrency(code: string): boolean {
  return Object.hasOwn(CURRENCIES, code) && !isExcludedCurrency(code);
}

export function isValidCountry(code: string): boolean {
  return Object.hasOwn(COUNTRIES, code) && !isExcludedCountry(code);
}
