/**
 * @module The compute API's microversion: `X-OpenStack-Nova-API-Version: 2.x` or
 * `OpenStack-API-Version: compute 2.x` (the latter wins), absent → 2.1, `latest` → the maximum. Pure.
 */

export const MIN_VERSION = '2.1';
/** The highest microversion Berth's compute API speaks; the fields of later versions are not served. */
export const MAX_VERSION = '2.1';

export type Version = [number, number];

const parse = (v: string): Version | undefined => {
  const m = /^(\d+)\.(\d+)$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
};
const cmp = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1];

export type Negotiated = { ok: true; version: Version } | { ok: false; status: 400 | 406; message: string };

/** The version a request asks for, from its two possible headers. */
export function negotiate(novaHeader: string | undefined, apiHeader: string | undefined): Negotiated {
  const min = parse(MIN_VERSION)!;
  const max = parse(MAX_VERSION)!;
  let text = novaHeader?.trim();
  if (apiHeader) {
    const m = /^\s*compute\s+(\S+)\s*$/i.exec(apiHeader);
    if (m) text = m[1];
  }
  if (!text) return { ok: true, version: min };
  if (text.toLowerCase() === 'latest') return { ok: true, version: max };
  const v = parse(text);
  if (!v) return { ok: false, status: 400, message: `Invalid API version request: ${text}. It must look like 2.1 or latest.` };
  if (cmp(v, min) < 0 || cmp(v, max) > 0) {
    return { ok: false, status: 406, message: `Version ${text} is not supported by the API. Minimum is ${MIN_VERSION} and maximum is ${MAX_VERSION}.` };
  }
  return { ok: true, version: v };
}
