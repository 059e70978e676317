/**
 * @module
 * Docker's views of the project's images (pure): the summary of `docker images`, the inspect document
 * and the history, from the image service's records and what their archives say. Several Glance images
 * that hold the same Docker image (one per tag) are one Docker image with several repo tags.
 */
import type { ArchiveImage, ImageConfig } from './image-archive.js';
import { dockerTagOf } from './refs.js';

/** A Glance image as Docker sees it: its record's name, times and owner, and its archive's image. */
export interface DockerImage {
  glanceId: string;
  /** The Glance name (`busybox`, `app:v1`), or null for an image known by its id only. */
  name: string | null;
  owner: string | null;
  createdAt: string;
  updatedAt: string;
  archive: ArchiveImage;
}

/** A Docker image with all its tags: the Glance images that hold it, newest record first. */
export interface ImageGroup {
  id: string;
  repoTags: string[];
  archive: ArchiveImage;
  members: DockerImage[];
}

const unix = (iso: string | undefined, fallback: string) => {
  const t = Date.parse(iso ?? '');
  return Math.floor((Number.isNaN(t) ? Date.parse(fallback) : t) / 1000);
};

/** The Glance images grouped by Docker id, in the order of their first appearance. */
export function groupImages(images: readonly DockerImage[]): ImageGroup[] {
  const groups = new Map<string, ImageGroup>();
  for (const i of images) {
    let g = groups.get(i.archive.id);
    if (!g) {
      g = { id: i.archive.id, repoTags: [], archive: i.archive, members: [] };
      groups.set(g.id, g);
    }
    g.members.push(i);
    const tag = dockerTagOf(i.name);
    if (tag && !g.repoTags.includes(tag)) g.repoTags.push(tag);
  }
  return [...groups.values()];
}

/** The created time of a group in unix seconds (the config's, else the oldest record's). */
export function createdOf(g: ImageGroup): number {
  const oldest = g.members.map((m) => m.createdAt).sort()[0];
  return unix(g.archive.config.created, oldest);
}

const labelsOf = (c: ImageConfig): Record<string, string> => {
  const l = c.config?.Labels;
  return l && typeof l === 'object' ? (l as Record<string, string>) : {};
};

/** The `GET /images/json` entry of a group. */
export function renderSummary(g: ImageGroup) {
  return {
    Id: g.id,
    ParentId: '',
    RepoTags: g.repoTags,
    RepoDigests: [],
    Created: createdOf(g),
    Size: g.archive.size,
    SharedSize: -1,
    Labels: labelsOf(g.archive.config),
    Containers: -1,
  };
}

/** The `GET /images/{name}/json` document of a group. */
export function renderInspect(g: ImageGroup) {
  const c = g.archive.config;
  const config = c.config ?? {};
  const lastTag = g.members.map((m) => m.updatedAt).sort().at(-1);
  return {
    Id: g.id,
    RepoTags: g.repoTags,
    RepoDigests: [],
    Parent: '',
    Comment: c.comment ?? '',
    Created: c.created ?? g.members[0]?.createdAt ?? '',
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: {
      Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false,
      OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null, WorkingDir: '', Entrypoint: null,
      OnBuild: null, Labels: null, ...config,
    },
    Architecture: c.architecture ?? '',
    ...(c.variant ? { Variant: c.variant } : {}),
    Os: c.os ?? 'linux',
    Size: g.archive.size,
    GraphDriver: { Name: 'berth', Data: { GlanceImages: g.members.map((m) => m.glanceId).join(',') } },
    RootFS: { Type: c.rootfs?.type ?? 'layers', Layers: c.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: lastTag ?? '0001-01-01T00:00:00Z' },
  };
}

/** The `GET /images/{name}/history` entries of a group, newest first, as Docker lists them. */
export function renderHistory(g: ImageGroup) {
  const { archive } = g;
  let layer = 0;
  const out = (archive.config.history ?? []).map((h) => ({
    Id: '<missing>',
    Created: unix(h.created, archive.config.created ?? new Date(0).toISOString()),
    CreatedBy: h.created_by ?? '',
    Tags: null as string[] | null,
    Size: h.empty_layer ? 0 : archive.layerSizes[layer++] ?? 0,
    Comment: h.comment ?? '',
  })).reverse();
  if (out.length === 0) out.push({ Id: g.id, Created: createdOf(g), CreatedBy: '', Tags: null, Size: archive.size, Comment: '' });
  out[0] = { ...out[0], Id: g.id, Tags: g.repoTags.length ? g.repoTags : null };
  return out;
}
