/**
 * The JSON schemas Glance v2 publishes under /v2/schemas (python-glanceclient builds its commands and
 * checks its input from them): the image (permissive: any other attribute is a string property), the
 * image list, the member and the member list.
 */
import { CONTAINER_FORMATS, DISK_FORMATS, MEMBER_STATUSES, STATUSES, VISIBILITIES } from '../../image/types.js';

const UUID_PATTERN = '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$';
const text = (description: string, more: Record<string, unknown> = {}) => ({ type: 'string', description, ...more });
const nullable = (type: string, description: string, more: Record<string, unknown> = {}) => ({ type: ['null', type], description, ...more });
const readOnly = (schema: Record<string, unknown>) => ({ ...schema, readOnly: true });

const imageProperties = {
  id: text('An identifier for the image', { pattern: UUID_PATTERN }),
  name: nullable('string', 'Descriptive name for the image', { maxLength: 255 }),
  status: readOnly(text('Status of the image', { enum: [...STATUSES] })),
  visibility: text('Scope of image accessibility', { enum: [...VISIBILITIES] }),
  protected: { type: 'boolean', description: 'If true, image will not be deletable.' },
  os_hidden: { type: 'boolean', description: 'If true, image will not appear in default image list response.' },
  checksum: readOnly(nullable('string', 'md5 hash of image contents.', { maxLength: 32 })),
  os_hash_algo: readOnly(nullable('string', 'Algorithm to calculate the os_hash_value', { maxLength: 64 })),
  os_hash_value: readOnly(nullable('string', 'Hexdigest of the image contents using the algorithm specified by the os_hash_algo', { maxLength: 128 })),
  owner: nullable('string', 'Owner of the image', { maxLength: 255 }),
  size: readOnly(nullable('integer', 'Size of image file in bytes')),
  virtual_size: readOnly(nullable('integer', 'Virtual size of image in bytes')),
  container_format: nullable('string', 'Format of the container', { enum: [null, ...CONTAINER_FORMATS] }),
  disk_format: nullable('string', 'Format of the disk', { enum: [null, ...DISK_FORMATS] }),
  created_at: readOnly(text('Date and time of image registration')),
  updated_at: readOnly(text('Date and time of the last image modification')),
  tags: { type: 'array', description: 'List of strings related to the image', items: { type: 'string', maxLength: 255 } },
  direct_url: readOnly(text('URL to access the image file kept in external store')),
  min_ram: { type: 'integer', description: 'Amount of ram (in MB) required to boot image.' },
  min_disk: { type: 'integer', description: 'Amount of disk space (in GB) required to boot image.' },
  self: readOnly(text('An image self url')),
  file: readOnly(text('An image file url')),
  stores: readOnly(text('Store in which image data resides.')),
  schema: readOnly(text('An image schema url')),
  locations: {
    type: 'array',
    description: 'A set of URLs to access the image file kept in external store',
    items: {
      type: 'object',
      properties: { url: { type: 'string', maxLength: 255 }, metadata: { type: 'object' } },
      required: ['url', 'metadata'],
    },
  },
};

export const imageSchema = {
  name: 'image',
  properties: imageProperties,
  additionalProperties: { type: 'string' },
  links: [
    { rel: 'self', href: '{self}' },
    { rel: 'enclosure', href: '{file}' },
    { rel: 'describedby', href: '{schema}' },
  ],
};

const collection = (name: string, item: Record<string, unknown>) => ({
  name,
  properties: {
    [name]: { type: 'array', items: item },
    first: { type: 'string' },
    next: { type: 'string' },
    schema: { type: 'string' },
  },
  links: [
    { rel: 'first', href: '{first}' },
    { rel: 'next', href: '{next}' },
    { rel: 'describedby', href: '{schema}' },
  ],
});

export const imagesSchema = collection('images', imageSchema);

export const memberSchema = {
  name: 'member',
  properties: {
    member_id: text('An identifier for the image member (tenantId)'),
    image_id: text('An identifier for the image', { pattern: UUID_PATTERN }),
    created_at: text('Date and time of image member creation'),
    updated_at: text('Date and time of last modification of image member'),
    status: text('The status of this image member', { enum: [...MEMBER_STATUSES] }),
    schema: readOnly(text('The schema of this image member')),
  },
  additionalProperties: false,
};

export const membersSchema = collection('members', memberSchema);
