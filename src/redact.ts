/** The path of a request URL, without its query string (where signed links' credentials are). */
export function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/**
 * `url` fit for a log line or a message: its user-info (`user:password@`) and its query string
 * and fragment (where tokens travel) replaced. Works on strings that are not valid URLs too.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][\w+.-]*:\/\/)?[^?#]*@/i, "$1[redacted]@")
    .replace(/[?#][^]*$/, (rest) => (rest.length > 1 ? `${rest[0]}[redacted]` : rest));
}

/**
 * What a credential looks like wherever it is written: an Authorization value, a signed link's
 * sealed credential and signature, a URL's user-info.
 */
const CREDENTIALS =
  /\b(Zoho-oauthtoken|Bearer)(\s+)[\w.~+/=-]{8,}|\b(cred|sig)=[^&\s"\\]+|(\b[a-z][\w+.-]*:\/\/)[^\s"\\/?#@]+@/gi;

/**
 * `text` with every credential-shaped value in it replaced by `[redacted]`; the same string
 * (no copy) when there is none, as for nearly every log line.
 */
export function redactCredentials(text: string): string {
  CREDENTIALS.lastIndex = 0;
  if (!CREDENTIALS.test(text)) return text;
  return text.replace(
    CREDENTIALS,
    (_match, scheme?: string, space?: string, param?: string, origin?: string) =>
      scheme !== undefined
        ? `${scheme}${space}[redacted]`
        : param !== undefined
          ? `${param}=[redacted]`
          : `${origin}[redacted]@`,
  );
}
