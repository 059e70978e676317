/**
 * Glance v2 request bodies to Berth's terms: the body of an image create and a JSON-patch document,
 * checked as Glance checks them (its permissive image schema: known attributes typed, any other
 * attribute a string property; read-only and reserved attributes refused with 403).
 */
import { BerthError } from '../../core/errors.js';
import type { BaseChange, Change } from '../../image/update.js';
import { CONTAINER_FORMATS, DISK_FORMATS, VISIBILITIES, type NewImage } from '../../image/types.js';

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const READ_ONLY = new Set(['created_at', 'updated_at', 'status', 'checksum', 'size', 'virtual_size', 'direct_url', 'self', 'file',
  'schema', 'id', 'os_hash_algo', 'os_hash_value', 'stores', 'locations']);
const RESERVED = new Set(['location', 'deleted', 'deleted_at']);
const isReserved = (key: string) => RESERVED.has(key) || key.startsWith('os_glance');

const bad = (m: string) => new BerthError('bad_request', m);
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** The base attributes a client may write, by their Glance name, with the check of their value. */
const BASE: Record<string, (v: unknown, wire: string) => BaseChange> = {
  name: (v) => ({ field: 'name', value: nullableText(v, 'name') }),
  owner: (v) => ({ field: 'owner', value: nullableText(v, 'owner') }),
  container_format: (v) => ({ field: 'containerFormat', value: oneOfOrNull(v, 'container_format', CONTAINER_FORMATS) }),
  disk_format: (v) => ({ field: 'diskFormat', value: oneOfOrNull(v, 'disk_format', DISK_FORMATS) }),
  visibility: (v) => {
    if (typeof v !== 'string' || !(VISIBILITIES as readonly string[]).includes(v))
      throw bad(`Invalid value for visibility: ${show(v)}. Visibility must be one of "community", "public", "private", or "shared".`);
    return { field: 'visibility', value: v as (typeof VISIBILITIES)[number] };
  },
  protected: (v) => ({ field: 'protected', value: boolean(v, 'protected') }),
  os_hidden: (v) => ({ field: 'hidden', value: boolean(v, 'os_hidden') }),
  min_disk: (v) => ({ field: 'minDisk', value: count(v, 'min_disk') }),
  min_ram: (v) => ({ field: 'minRam', value: count(v, 'min_ram') }),
  tags: (v) => ({ field: 'tags', value: tagList(v) }),
};

function nullableText(v: unknown, wire: string): string | null {
  if (v === null) return null;
  if (typeof v !== 'string') throw bad(`Invalid value for ${wire}: ${show(v)} is not a string or null.`);
  if (v.length > 255) throw bad(`Invalid value for ${wire}: longer than 255 characters.`);
  return v;
}
function oneOfOrNull(v: unknown, wire: string, allowed: readonly string[]): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || !allowed.includes(v)) throw bad(`Invalid value for ${wire}: ${show(v)} is not one of ${allowed.join(', ')}.`);
  return v;
}
function boolean(v: unknown, wire: string): boolean {
  if (typeof v !== 'boolean') throw bad(`Invalid value for ${wire}: ${show(v)} is not a boolean (true or false).`);
  return v;
}
function count(v: unknown, wire: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(`Invalid value for ${wire}: ${show(v)} is not an integer.`);
  if (v < 0) throw bad(`Invalid value '${v}' for parameter '${wire}': Cannot be a negative value`);
  if (v > 2 ** 31 - 1) throw bad(`Invalid value '${v}' for parameter '${wire}': larger than ${2 ** 31 - 1}`);
  return v;
}
export function checkTag(t: unknown): string {
  if (typeof t !== 'string') throw bad(`Invalid tag ${show(t)}: tags are strings.`);
  if (t.length > 255) throw bad('Invalid tag: a tag is at most 255 characters long.');
  return t;
}
function tagList(v: unknown): string[] {
  if (!Array.isArray(v)) throw bad(`Invalid value for tags: ${show(v)} is not an array of strings.`);
  return v.map(checkTag);
}
function property(key: string, v: unknown): string {
  if (key.length > 255) throw bad('Custom property should not be greater than 255 characters.');
  if (key === '') throw bad('Custom property names must not be empty.');
  if (isReserved(key)) throw new BerthError('forbidden', `Attribute '${key}' is reserved.`);
  if (typeof v !== 'string') throw bad(`Invalid value for property '${key}': ${show(v)} is not a string (custom properties are strings).`);
  if (v.length > 65535) throw bad(`Invalid value for property '${key}': longer than 65535 characters.`);
  return v;
}

/** The body of POST /v2/images. */
export function parseCreate(body: unknown): NewImage {
  if (body === undefined) throw bad('Body expected in request.');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('The request body must be a JSON object describing the image.');
  const out: NewImage = { properties: {} };
  for (const [key, v] of Object.entries(body as Record<string, unknown>)) {
    if (key === 'id') {
      if (typeof v !== 'string' || !UUID.test(v)) throw bad(`Invalid value for id: ${show(v)} is not a UUID.`);
      out.id = v.toLowerCase();
    } else if (READ_ONLY.has(key)) {
      throw new BerthError('forbidden', `Attribute '${key}' is read-only.`);
    } else if (Object.hasOwn(BASE, key)) {
      const c = BASE[key](v, key);
      (out as Record<string, unknown>)[c.field] = c.value;
    } else {
      out.properties![key] = property(key, v);
    }
  }
  return out;
}

const PATCH_TYPES: Record<string, 4 | 10> = {
  'application/openstack-images-v2.0-json-patch': 4,
  'application/openstack-images-v2.1-json-patch': 10,
};
export const ACCEPT_PATCH = Object.keys(PATCH_TYPES).sort().join(', ');

/** The media type of a JSON-patch request, or a 415 naming the ones Glance takes. */
export function patchDraft(contentType: string | undefined): 4 | 10 {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const draft = PATCH_TYPES[type];
  if (!draft) throw new BerthError('unsupported_media_type', `Image PATCH expects Content-Type one of: ${ACCEPT_PATCH}`);
  return draft;
}

/** A JSON pointer of one level ("/name"), decoded; Glance's checks and messages. */
function pointer(p: unknown): string {
  if (typeof p !== 'string') throw bad('The path of a change must be a string (a JSON pointer such as "/name").');
  if (!p.startsWith('/')) throw bad(`Pointer \`${p}\` does not start with "/".`);
  if (/\/\s*?\//.test(p.slice(1))) throw bad(`Pointer \`${p}\` contains adjacent "/".`);
  if (p.length > 1 && p.endsWith('/')) throw bad(`Pointer \`${p}\` end with "/".`);
  if (/~[^01]/.test(p) || p.endsWith('~')) throw bad(`Pointer \`${p}\` contains "~" not part of a recognized escape sequence.`);
  const parts = p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~').trim());
  if (parts.length !== 1 || parts[0] === '') throw bad(`Invalid JSON pointer for this resource: '/${parts.join('/')}'`);
  return parts[0];
}

/** The body of PATCH /v2/images/{id}: a list of add/replace/remove operations on one-level paths. */
export function parsePatch(draft: 4 | 10, body: unknown): Change[] {
  if (body === undefined) throw bad('Body expected in request.');
  if (!Array.isArray(body)) throw bad('Request body must be a JSON array of operation objects.');
  return body.map((raw: unknown) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad('Operations must be JSON objects.');
    const r = raw as Record<string, unknown>;
    let op: string;
    let path: unknown;
    if (draft === 10) {
      if (r.op === undefined) throw bad('Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.');
      if (r.op !== 'add' && r.op !== 'remove' && r.op !== 'replace') throw bad(`Invalid operation: \`${typeof r.op === 'string' ? r.op : show(r.op)}\`. It must be one of the following: add, remove, replace.`);
      if (!('path' in r)) throw bad("Unable to find 'path' in JSON Schema change");
      op = r.op;
      path = r.path;
    } else {
      const ops = ['add', 'remove', 'replace'].filter((k) => k in r);
      if (ops.length !== 1) throw bad('Operation objects must contain exactly one member named "add", "remove", or "replace".');
      op = ops[0];
      path = r[op];
    }
    const key = pointer(path);
    if (READ_ONLY.has(key) && key !== 'locations') throw new BerthError('forbidden', `Attribute '${key}' is read-only.`);
    if (isReserved(key)) throw new BerthError('forbidden', `Attribute '${key}' is reserved.`);
    if (key === 'locations') throw new BerthError('forbidden', "It's not allowed to update locations if locations are invisible.");
    if (op !== 'remove' && !('value' in r)) throw bad(`Operation "${op}" requires a member named "value".`);
    if (Object.hasOwn(BASE, key)) {
      if (op === 'remove') return { op, base: key };
      return { op: op as 'add' | 'replace', ...BASE[key](r.value, key) };
    }
    if (op === 'remove') return { op, property: key };
    return { op: op as 'add' | 'replace', property: key, value: property(key, r.value) };
  });
}

