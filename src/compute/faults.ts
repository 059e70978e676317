/**
 * @module Nova's error body: one key naming the kind of fault, `{"itemNotFound": {"message", "code"}}`.
 * Pure; the HTTP layer hands it an answer already mapped from Berth's error catalog.
 */

const keys: Record<number, string> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'HTTPMethodNotAllowed',
  406: 'notAcceptable', 409: 'conflictingRequest', 413: 'overLimit', 415: 'badMediaType', 501: 'notImplemented', 503: 'serviceUnavailable',
};

const quotaNames: Record<string, string> = { containers: 'instances', cpu: 'cores', memory: 'ram', disk: 'disk' };

/** Nova's fault key for a status (computeFault for any other 5xx, badRequest for any other 4xx). */
export function faultKey(status: number): string {
  return keys[status] ?? (status >= 500 ? 'computeFault' : 'badRequest');
}

/**
 * The message of a quota refusal in Nova's words: Berth's resources named as Nova names them
 * (containers → instances, cpu → cores, memory → ram), the explanation kept.
 */
export function novaQuotaMessage(message: string): string {
  return message.replace(/^Quota exceeded for resources: \[([^\]]*)\]\.?/, (_m, list: string) => {
    const names = list.split(',').map((s) => s.trim().replace(/'/g, '')).filter(Boolean).map((r) => quotaNames[r] ?? r);
    return `Quota exceeded for ${names.join(', ')}:`;
  });
}

export function faultBody(status: number, message: string): Record<string, { message: string; code: number }> {
  return { [faultKey(status)]: { message, code: status } };
}
