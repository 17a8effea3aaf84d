/** Zoho data centres: where to get tokens and where to call the API (bigin-api.md §1). */
export const DATA_CENTRES = {
  us: { accountsUrl: "https://accounts.zoho.com", apiUrl: "https://www.zohoapis.com" },
  eu: { accountsUrl: "https://accounts.zoho.eu", apiUrl: "https://www.zohoapis.eu" },
  au: { accountsUrl: "https://accounts.zoho.com.au", apiUrl: "https://www.zohoapis.com.au" },
  in: { accountsUrl: "https://accounts.zoho.in", apiUrl: "https://www.zohoapis.in" },
  cn: { accountsUrl: "https://accounts.zoho.com.cn", apiUrl: "https://www.zohoapis.com.cn" },
  jp: { accountsUrl: "https://accounts.zoho.jp", apiUrl: "https://www.zohoapis.jp" },
  ca: { accountsUrl: "https://accounts.zohocloud.ca", apiUrl: "https://www.zohoapis.ca" },
  sa: { accountsUrl: "https://accounts.zoho.sa", apiUrl: "https://www.zohoapis.sa" },
} as const;

export type DataCentre = keyof typeof DATA_CENTRES;

export function isDataCentre(value: string): value is DataCentre {
  return Object.hasOwn(DATA_CENTRES, value);
}

/**
 * The base of Bigin's v2 REST paths for an API domain. Accepts the domain
 * (`https://www.zohoapis.com`) or a URL that already ends in `/bigin/v2`.
 */
export function biginBaseUrl(apiUrl: string): string {
  const trimmed = apiUrl.replace(/\/+$/, "");
  return /\/bigin\/v2$/.test(trimmed) ? trimmed : `${trimmed}/bigin/v2`;
}
