/**
 * @module Nova's image proxy (microversion < 2.36) over Berth's image service: an image's Nova status
 * and progress from its Glance status, and Nova's list filters as an image service query. Pure.
 */
import type { ImageQuery, ImageStatus } from '../image/types.js';

const STATUS: Partial<Record<ImageStatus, string>> = {
  active: 'ACTIVE', queued: 'SAVING', saving: 'SAVING', uploading: 'SAVING', importing: 'SAVING',
  deleted: 'DELETED', pending_delete: 'DELETED', killed: 'ERROR',
};
const PROGRESS: Partial<Record<ImageStatus, number>> = { queued: 25, saving: 50, uploading: 50, importing: 50, active: 100 };

/** Nova's status of an image: ACTIVE, SAVING, DELETED, ERROR, or UNKNOWN (e.g. a deactivated image). */
export const novaImageStatus = (s: ImageStatus): string => STATUS[s] ?? 'UNKNOWN';
/** Nova's progress of an image in percent. */
export const novaImageProgress = (s: ImageStatus): number => PROGRESS[s] ?? 0;

/** Nova's list filters as given (each once). */
export interface NovaImageFilters {
  name?: string;
  status?: string;
  server?: string;
  type?: string;
  'changes-since'?: string;
  minRam?: string;
  minDisk?: string;
}

/** The image service query of a Nova listing and what is checked after it (min sizes); or a 400 message. */
export type ImageListPlan =
  | { ok: true; query: ImageQuery; minRam: number; minDisk: number }
  | { ok: false; message: string };

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function minimum(name: string, v: string | undefined): number | string {
  if (v === undefined) return 0;
  return /^\d{1,9}$/.test(v) ? Number(v) : `Invalid ${name} filter [${v}]`;
}

/**
 * Nova's filters: name and status (Glance's, in lower case) match exactly, server (a uuid or a link to
 * the server) the snapshot's instance_uuid, type its image_type, changes-since the update time (at or
 * after), minRam/minDisk the image's minimums (at least). A page of `limit` after `marker`.
 */
export function planImageList(f: NovaImageFilters, page: { limit: number; marker?: string }): ImageListPlan {
  const properties: Record<string, string> = {};
  if (f.server !== undefined) properties.instance_uuid = f.server.replace(/\/+$/, '').split('/').at(-1) ?? '';
  if (f.type !== undefined) properties.image_type = f.type;
  const times: NonNullable<ImageQuery['times']> = [];
  const since = f['changes-since'];
  if (since !== undefined) {
    const ms = ISO.test(since) ? Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(since) || !since.includes('T') ? since : `${since}Z`) : NaN;
    if (Number.isNaN(ms)) return { ok: false, message: `Invalid changes-since value: ${since}` };
    times.push({ column: 'updated_at', from: new Date(Math.floor(ms / 1000) * 1000).toISOString() });
  }
  const minRam = minimum('minRam', f.minRam);
  const minDisk = minimum('minDisk', f.minDisk);
  if (typeof minRam === 'string') return { ok: false, message: minRam };
  if (typeof minDisk === 'string') return { ok: false, message: minDisk };
  const query: ImageQuery = {
    name: f.name, status: f.status?.toLowerCase(), hidden: false, tags: [], properties, times,
    memberStatus: 'accepted', sort: [{ key: 'created_at', dir: 'desc' }], marker: page.marker, limit: page.limit,
  };
  return { ok: true, query, minRam, minDisk };
}
