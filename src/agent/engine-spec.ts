/**
 * @module
 * Berth's container spec in the engine adapter's words, with the labels that tie the engine container
 * back to its row (Principle 2). Pure.
 */
import type { EngineContainerSpec } from '../engine/index.js';
import { LABEL_CLOUD, LABEL_HOST, LABEL_NAME, LABEL_PROJECT, LABEL_UUID, type DesiredContainer } from './protocol.js';

export function engineName(uuid: string): string {
  return `berth-${uuid}`;
}

export function berthLabels(d: DesiredContainer, ctx: { cloudId: string; hostName: string }): Record<string, string> {
  return {
    [LABEL_CLOUD]: ctx.cloudId,
    [LABEL_UUID]: d.uuid,
    [LABEL_PROJECT]: d.projectId,
    [LABEL_NAME]: d.name,
    [LABEL_HOST]: ctx.hostName,
  };
}

export function toEngineSpec(d: DesiredContainer, ctx: { cloudId: string; hostName: string }): EngineContainerSpec {
  const s = d.spec;
  const spec: EngineContainerSpec = {
    name: engineName(d.uuid),
    image: s.image,
    // NOTE: Berth's labels come last so a tenant's own labels can never pose as another row or cloud.
    labels: { ...(s.labels ?? {}), ...berthLabels(d, ctx) },
    cpu: s.cpu,
    memoryMb: s.memoryMb,
    publishPorts: true,
  };
  if (s.command) spec.command = s.command;
  if (s.entrypoint) spec.entrypoint = s.entrypoint;
  if (s.env) spec.env = s.env;
  if (s.workdir) spec.workdir = s.workdir;
  if (s.hostname) spec.hostname = s.hostname;
  if (s.user) spec.user = s.user;
  if (s.tty !== undefined) spec.tty = s.tty;
  if (s.interactive !== undefined) spec.interactive = s.interactive;
  if (s.stdinOnce) spec.stdinOnce = true;
  if (s.restartPolicy) spec.restartPolicy = s.restartPolicy;
  if (s.autoRemove !== undefined) spec.autoRemove = s.autoRemove;
  if (s.privileged) spec.privileged = true;
  if (s.exposedPorts) spec.exposedPorts = s.exposedPorts;
  if (s.healthcheck) spec.healthcheck = s.healthcheck;
  return spec;
}
