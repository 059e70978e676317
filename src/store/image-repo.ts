import { sql, type RawBuilder } from 'kysely';
import type { Dialect, Queryable } from './db.js';
import type { ImageMemberRow, ImageRow } from './schema.js';
import type { Image, ImageMember, ImageQuery, ImageView, MemberStatus, SortKey } from '../image/types.js';

/** Queries over images and image members (see migration 6). */

export function imageOf(r: ImageRow): Image {
  return {
    id: r.id, name: r.name, status: r.status as Image['status'], containerFormat: r.container_format, diskFormat: r.disk_format,
    visibility: r.visibility as Image['visibility'], protected: Number(r.protected) === 1, hidden: Number(r.hidden) === 1,
    owner: r.owner, size: r.size === null ? null : Number(r.size), virtualSize: r.virtual_size === null ? null : Number(r.virtual_size),
    checksum: r.checksum, hashAlgo: r.os_hash_algo, hashValue: r.os_hash_value, minDisk: Number(r.min_disk), minRam: Number(r.min_ram),
    tags: JSON.parse(r.tags) as string[], properties: JSON.parse(r.properties) as Record<string, string>,
    location: r.location, generation: Number(r.generation), createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

function rowOf(i: Image): ImageRow {
  return {
    id: i.id, name: i.name, status: i.status, container_format: i.containerFormat, disk_format: i.diskFormat,
    visibility: i.visibility, protected: i.protected ? 1 : 0, hidden: i.hidden ? 1 : 0, owner: i.owner, size: i.size,
    virtual_size: i.virtualSize, checksum: i.checksum, os_hash_algo: i.hashAlgo, os_hash_value: i.hashValue,
    min_disk: i.minDisk, min_ram: i.minRam, tags: JSON.stringify(i.tags), properties: JSON.stringify(i.properties),
    location: i.location, generation: i.generation, created_at: i.createdAt, updated_at: i.updatedAt,
  };
}

const memberOf = (r: ImageMemberRow): ImageMember =>
  ({ imageId: r.image_id, memberId: r.member_id, status: r.status as MemberStatus, createdAt: r.created_at, updatedAt: r.updated_at });

export const insertImage = (q: Queryable, i: Image) => q.insertInto('images').values(rowOf(i)).execute();

/** An image with the membership of `projectId` in it (if any), or undefined. */
export async function getImageView(q: Queryable, id: string, projectId: string | null): Promise<ImageView | undefined> {
  const r = await q.selectFrom('images')
    .leftJoin('image_members as m', (j) => j.onRef('m.image_id', '=', 'images.id').on('m.member_id', '=', projectId ?? ''))
    .selectAll('images').select('m.status as member_status')
    .where('images.id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  const { member_status, ...row } = r;
  return { image: imageOf(row), membership: (member_status ?? undefined) as MemberStatus | undefined };
}

/** Writes `next` over the stored image only while it is still at generation `next.generation - 1`. */
export async function replaceImage(q: Queryable, next: Image): Promise<boolean> {
  const { id, created_at: _c, ...set } = rowOf(next);
  const r = await q.updateTable('images').set(set).where('id', '=', id).where('generation', '=', next.generation - 1).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type ImageDataFields = Pick<ImageRow, 'size' | 'virtual_size' | 'checksum' | 'os_hash_algo' | 'os_hash_value' | 'location'>;

/** Moves an image from status `from` to `to` (setting `data` too), only while it is in `from`. */
export async function moveStatus(q: Queryable, id: string, from: string, to: string, data: Partial<ImageDataFields> = {}): Promise<boolean> {
  const r = await q.updateTable('images')
    .set({ ...data, status: to, updated_at: new Date().toISOString(), generation: sql`generation + 1` })
    .where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteImage(q: Queryable, id: string, generation: number): Promise<boolean> {
  const r = await q.deleteFrom('images').where('id', '=', id).where('generation', '=', generation).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export const findImageByName = async (q: Queryable, name: string) => {
  const r = await q.selectFrom('images').selectAll().where('name', '=', name).orderBy('created_at').executeTakeFirst();
  return r ? imageOf(r) : undefined;
};

// ---------------------------------------------------------------------------------------------------
// Listing

/** Sort columns as compared: nullable ones with a stand-in, so order and the page marker agree. */
const sortColumn = (k: SortKey): RawBuilder<unknown> => {
  switch (k) {
    case 'name': case 'container_format': case 'disk_format': return sql`coalesce(images.${sql.ref(k)}, '')`;
    case 'size': return sql`coalesce(images.size, -1)`;
    default: return sql`images.${sql.ref(k)}`;
  }
};
const sortValue = (k: SortKey, i: Image): string | number => {
  const r = rowOf(i);
  if (k === 'size') return r.size ?? -1;
  const v = r[k];
  return v ?? '';
};

export interface ListScope { admin: boolean; projectId: string | null }

/**
 * One page of the images `scope` may list (Glance's rules: an admin lists every image; others their
 * project's, public and community ones and shared ones they are a member of with `memberStatus`;
 * community images of others only when asked for by visibility), filtered and in `query.sort` order with
 * created_at and id as tie-breakers; after `marker` when given.
 */
export async function listImages(q: Queryable, dialect: Dialect, scope: ListScope, query: ImageQuery, marker?: Image): Promise<Image[]> {
  const p = scope.projectId ?? '';
  const conds: RawBuilder<unknown>[] = [];
  if (!scope.admin) {
    const status = query.memberStatus === 'all' ? sql`` : sql` and m.status = ${query.memberStatus}`;
    conds.push(sql`(images.owner = ${p} or images.visibility in ('public', 'community') or (images.visibility = 'shared' and exists (select 1 from image_members m where m.image_id = images.id and m.member_id = ${p}${status})))`);
  }
  if (query.visibility && query.visibility !== 'all') conds.push(sql`images.visibility = ${query.visibility}`);
  else if (!query.visibility) conds.push(sql`(images.visibility <> 'community' or images.owner = ${p})`);
  conds.push(sql`images.hidden = ${query.hidden ? 1 : 0}`);
  const eq: [string, string | undefined][] = [['name', query.name], ['status', query.status], ['owner', query.owner],
    ['container_format', query.containerFormat], ['disk_format', query.diskFormat]];
  for (const [col, v] of eq) if (v !== undefined) conds.push(sql`images.${sql.ref(col)} = ${v}`);
  if (query.protected !== undefined) conds.push(sql`images.protected = ${query.protected ? 1 : 0}`);
  if (query.sizeMin !== undefined) conds.push(sql`images.size >= ${query.sizeMin}`);
  if (query.sizeMax !== undefined) conds.push(sql`images.size <= ${query.sizeMax}`);
  for (const [col, v] of Object.entries(query.exact ?? {})) conds.push(sql`images.${sql.ref(col)} = ${v}`);
  for (const [col, vs] of Object.entries(query.anyOf ?? {})) conds.push(sql`images.${sql.ref(col)} in (${sql.join(vs)})`);
  for (const t of query.times ?? []) {
    const col = sql`images.${sql.ref(t.column)}`;
    if (t.from !== undefined) conds.push(sql`${col} >= ${t.from}`);
    if (t.before !== undefined) conds.push(sql`${col} < ${t.before}`);
    if (t.outside) conds.push(sql`(${col} < ${t.outside[0]} or ${col} >= ${t.outside[1]})`);
  }
  for (const t of query.tags) {
    conds.push(dialect === 'postgres'
      ? sql`images.tags::jsonb @> ${JSON.stringify([t])}::jsonb`
      : sql`exists (select 1 from json_each(images.tags) where json_each.value = ${t})`);
  }
  for (const [k, v] of Object.entries(query.properties)) {
    conds.push(dialect === 'postgres'
      ? sql`(images.properties::jsonb ->> ${k}) = ${v}`
      : sql`json_extract(images.properties, ${`$."${k}"`}) = ${v}`);
  }
  const order = [...query.sort];
  for (const key of ['created_at', 'id'] as const) if (!order.some((s) => s.key === key)) order.push({ key, dir: order[0]?.dir ?? 'desc' });
  if (marker) {
    // (k1 after m1) or (k1 = m1 and k2 after m2) or ...: the rows after the marker in this order.
    const ors = order.map((s, i) => {
      const same = order.slice(0, i).map((p2) => sql`${sortColumn(p2.key)} = ${sortValue(p2.key, marker)}`);
      const after = sql`${sortColumn(s.key)} ${sql.raw(s.dir === 'asc' ? '>' : '<')} ${sortValue(s.key, marker)}`;
      return sql`(${sql.join([...same, after], sql` and `)})`;
    });
    conds.push(sql`(${sql.join(ors, sql` or `)})`);
  }
  let b = q.selectFrom('images').selectAll('images');
  for (const c of conds) b = b.where(c as RawBuilder<boolean>);
  for (const s of order) b = b.orderBy(sortColumn(s.key), s.dir);
  const rows = await b.limit(query.limit).execute();
  return rows.map(imageOf);
}

// ---------------------------------------------------------------------------------------------------
// Members

/** The members of an image; only `onlyMember`'s own row when given (a member sees no other member). */
export async function listMembers(q: Queryable, imageId: string, onlyMember?: string): Promise<ImageMember[]> {
  let b = q.selectFrom('image_members').selectAll().where('image_id', '=', imageId);
  if (onlyMember !== undefined) b = b.where('member_id', '=', onlyMember);
  return (await b.orderBy('created_at').orderBy('member_id').execute()).map(memberOf);
}

export async function getMember(q: Queryable, imageId: string, memberId: string): Promise<ImageMember | undefined> {
  const r = await q.selectFrom('image_members').selectAll().where('image_id', '=', imageId).where('member_id', '=', memberId).executeTakeFirst();
  return r ? memberOf(r) : undefined;
}

export const insertMember = (q: Queryable, m: ImageMember) => q.insertInto('image_members')
  .values({ image_id: m.imageId, member_id: m.memberId, status: m.status, created_at: m.createdAt, updated_at: m.updatedAt }).execute();

export async function setMemberStatus(q: Queryable, imageId: string, memberId: string, status: MemberStatus, at: string): Promise<boolean> {
  const r = await q.updateTable('image_members').set({ status, updated_at: at })
    .where('image_id', '=', imageId).where('member_id', '=', memberId).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deleteMember(q: Queryable, imageId: string, memberId: string): Promise<boolean> {
  const r = await q.deleteFrom('image_members').where('image_id', '=', imageId).where('member_id', '=', memberId).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export async function countMembers(q: Queryable, imageId: string): Promise<number> {
  const r = await q.selectFrom('image_members').select(sql<number>`count(*)`.as('n')).where('image_id', '=', imageId).executeTakeFirst();
  return Number(r?.n ?? 0);
}
