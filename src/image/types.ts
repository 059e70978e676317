/**
 * @module
 * The image service's vocabulary: an image and its membership as Berth holds them, the formats and
 * states Glance v2 defines, and who is asking.
 */

export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const;
export const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'] as const;
export const VISIBILITIES = ['public', 'private', 'shared', 'community'] as const;
export const MEMBER_STATUSES = ['pending', 'accepted', 'rejected'] as const;
/** Every status Glance's schema names; Berth uses queued → saving → active ⇄ deactivated. */
export const STATUSES = ['queued', 'saving', 'active', 'killed', 'deleted', 'uploading', 'importing', 'pending_delete', 'deactivated'] as const;

export type Visibility = (typeof VISIBILITIES)[number];
export type MemberStatus = (typeof MEMBER_STATUSES)[number];
export type ImageStatus = (typeof STATUSES)[number];

/** Glance's limits on one image: tags, custom properties and members (its *_quota defaults). */
export const MAX_TAGS = 128;
export const MAX_PROPERTIES = 128;
export const MAX_MEMBERS = 128;

export interface Image {
  id: string;
  name: string | null;
  status: ImageStatus;
  containerFormat: string | null;
  diskFormat: string | null;
  visibility: Visibility;
  protected: boolean;
  /** Glance's os_hidden: left out of listings unless asked for. */
  hidden: boolean;
  owner: string | null;
  size: number | null;
  virtualSize: number | null;
  /** MD5 of the data, hex (Glance's `checksum`). */
  checksum: string | null;
  hashAlgo: string | null;
  hashValue: string | null;
  minDisk: number;
  minRam: number;
  tags: string[];
  /** Custom properties: string values only, as Glance's permissive schema has them. */
  properties: Record<string, string>;
  /** The image store's key of the data; null until an upload completes. */
  location: string | null;
  generation: number;
  createdAt: string;
  updatedAt: string;
}

export interface ImageMember {
  imageId: string;
  memberId: string;
  status: MemberStatus;
  createdAt: string;
  updatedAt: string;
}

/** An image as one caller sees it: with the caller's own membership, when its project has one. */
export interface ImageView {
  image: Image;
  membership: MemberStatus | undefined;
}

/** Who is asking: the token's project, whether it is an admin, and the policy check of the edge. */
export interface ImageActor {
  projectId: string | null;
  admin: boolean;
  /** Whether the policy allows `rule` on `target` (no exception: the service decides 404 or 403). */
  allowed(rule: string, target: Record<string, unknown>): boolean;
}

/** What a create may set; everything else is the service's. */
export interface NewImage {
  id?: string;
  name?: string | null;
  containerFormat?: string | null;
  diskFormat?: string | null;
  visibility?: Visibility;
  protected?: boolean;
  hidden?: boolean;
  owner?: string | null;
  minDisk?: number;
  minRam?: number;
  tags?: string[];
  properties?: Record<string, string>;
}

export type SortKey = 'name' | 'status' | 'container_format' | 'disk_format' | 'size' | 'id' | 'created_at' | 'updated_at';
export const SORT_KEYS: readonly SortKey[] = ['name', 'status', 'container_format', 'disk_format', 'size', 'id', 'created_at', 'updated_at'];

/** Base attributes a listing matches exactly (Glance compares any image column given as a filter). */
export const EXACT_INTEGER_COLUMNS = ['size', 'virtual_size', 'min_ram', 'min_disk'] as const;
export const EXACT_TEXT_COLUMNS = ['id', 'checksum', 'os_hash_algo', 'os_hash_value'] as const;
export type ExactColumn = (typeof EXACT_INTEGER_COLUMNS)[number] | (typeof EXACT_TEXT_COLUMNS)[number];

/** Columns Glance's `in:` operator applies to. */
export const IN_COLUMNS = ['id', 'name', 'status', 'container_format', 'disk_format'] as const;
export type InColumn = (typeof IN_COLUMNS)[number];

export type TimeColumn = 'created_at' | 'updated_at';
/** A comparison on a time column as a range of stored (ISO 8601, UTC) times: [from, before), or outside one. */
export interface TimeFilter { column: TimeColumn; from?: string; before?: string; outside?: [string, string] }

/** A listing: filters, order and page, already checked. */
export interface ImageQuery {
  name?: string;
  status?: string;
  visibility?: Visibility | 'all';
  owner?: string;
  containerFormat?: string;
  diskFormat?: string;
  protected?: boolean;
  hidden: boolean;
  sizeMin?: number;
  sizeMax?: number;
  /** Exact matches on base attributes Glance filters by their column: integers and hex digests. */
  exact?: Partial<Record<ExactColumn, string | number>>;
  /** Glance's `in:` operator: the column is one of the values. */
  anyOf?: Partial<Record<InColumn, string[]>>;
  times?: TimeFilter[];
  tags: string[];
  properties: Record<string, string>;
  memberStatus: MemberStatus | 'all';
  sort: { key: SortKey; dir: 'asc' | 'desc' }[];
  marker?: string;
  limit: number;
}
