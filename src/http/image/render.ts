import type { Image, ImageMember } from '../../image/types.js';

/** Glance writes times without fractions of a second: 2016-05-01T12:00:00Z. */
export const glanceTime = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');

/** An image in Glance v2's wire format: custom properties at the top level beside the base attributes. */
export function renderImage(i: Image): Record<string, unknown> {
  return {
    ...i.properties,
    name: i.name,
    disk_format: i.diskFormat,
    container_format: i.containerFormat,
    visibility: i.visibility,
    size: i.size,
    virtual_size: i.virtualSize,
    status: i.status,
    checksum: i.checksum,
    protected: i.protected,
    min_ram: i.minRam,
    min_disk: i.minDisk,
    owner: i.owner,
    os_hidden: i.hidden,
    os_hash_algo: i.hashAlgo,
    os_hash_value: i.hashValue,
    id: i.id,
    created_at: glanceTime(i.createdAt),
    updated_at: glanceTime(i.updatedAt),
    tags: i.tags,
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: '/v2/schemas/image',
  };
}

export function renderMember(m: ImageMember): Record<string, unknown> {
  return {
    member_id: m.memberId,
    image_id: m.imageId,
    status: m.status,
    created_at: glanceTime(m.createdAt),
    updated_at: glanceTime(m.updatedAt),
    schema: '/v2/schemas/member',
  };
}
