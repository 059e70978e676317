/**
 * The stable order hosts take when weights tie: by name, with digit runs compared as numbers so that
 * host-2 comes before host-10 and an empty fleet fills in the order an operator reads it. Ids break what
 * names leave equal, so the order is total and a decision never depends on input order.
 */
export function compareHosts(a: { name: string; id: string }, b: { name: string; id: string }): number {
  return compareNames(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function compareNames(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      const ea = digitsEnd(a, i);
      const eb = digitsEnd(b, j);
      const sa = skipZeros(a, i, ea);
      const sb = skipZeros(b, j, eb);
      // A longer run of significant digits is a larger number; equal lengths compare digit by digit.
      if (ea - sa !== eb - sb) return ea - sa < eb - sb ? -1 : 1;
      for (let k = 0; k < ea - sa; k++) {
        const d = a.charCodeAt(sa + k) - b.charCodeAt(sb + k);
        if (d !== 0) return d < 0 ? -1 : 1;
      }
      i = ea;
      j = eb;
    } else {
      if (ca !== cb) return ca < cb ? -1 : 1;
      i++;
      j++;
    }
  }
  if (a.length - i !== b.length - j) return a.length - i < b.length - j ? -1 : 1;
  // Equal as numbers ("01" and "1"): fall back to plain order so the comparison stays total.
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function digitsEnd(s: string, from: number): number {
  let k = from;
  while (k < s.length && isDigit(s.charCodeAt(k))) k++;
  return k;
}

function skipZeros(s: string, from: number, end: number): number {
  let k = from;
  while (k < end - 1 && s.charCodeAt(k) === 48) k++;
  return k;
}
