/** @module The resource types the stack service offers, by type name. */
import type { ResourceRegistry, ResourceTypeSchema } from '../template/index.js';
import { dockerContainer } from './docker-container.js';
import { noneType, randomStringType, valueType } from './helpers.js';
import { GROUP_TYPE, resourceGroupSchema } from './resource-group.js';
import { testResourceType } from './test-resource.js';
import type { ResourceType } from './types.js';
import { zunContainer } from './zun-container.js';

export const resourceTypes: Readonly<Record<string, ResourceType>> = {
  'OS::Zun::Container': zunContainer,
  'DockerInc::Docker::Container': dockerContainer,
  'OS::Heat::RandomString': randomStringType,
  'OS::Heat::Value': valueType,
  'OS::Heat::None': noneType,
  'OS::Heat::TestResource': testResourceType,
};

/** Every type name, the group's included, in order. */
export const typeNames = (): string[] => [...Object.keys(resourceTypes), GROUP_TYPE].sort();

export function schemaOf(type: string): ResourceTypeSchema | undefined {
  if (type === GROUP_TYPE) return resourceGroupSchema;
  return Object.hasOwn(resourceTypes, type) ? resourceTypes[type].schema : undefined;
}

/** The registry the template engine validates against. */
export const registry: ResourceRegistry = schemaOf;
