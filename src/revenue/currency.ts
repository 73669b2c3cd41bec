/** ISO 4217 minor units: most have 2; these have 0 or 3 (https://www.six-group.com/en/products-services/financial-information/data-standards.html). */
const ZERO = new Set(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"]);
const THREE = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]);
export const minorDigits = (currency: string) => (ZERO.has(currency) ? 0 : THREE.has(currency) ? 3 : 2);


/** Minor units → major units of the currency (4900 USD → 49, 4900 JPY → 4900). */
export const toMajor = (minor: number, currency: string) => minor / 10 ** minorDigits(currency);
