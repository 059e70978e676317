import { Type } from '@sinclair/typebox';

const AnyMap = Type.Record(Type.String(), Type.Unknown());
const Tags = Type.Union([Type.String(), Type.Array(Type.String())]);

/** A template inline: heatclient sends it parsed (an object); a YAML or JSON text is accepted too. */
const TemplateField = Type.Union([AnyMap, Type.String()]);

export const StackCreate = Type.Object({
  stack_name: Type.String({ minLength: 1, maxLength: 255 }),
  template: Type.Optional(TemplateField),
  template_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  parameters: Type.Optional(AnyMap),
  environment: Type.Optional(Type.Union([AnyMap, Type.String()])),
  environment_files: Type.Optional(Type.Array(Type.String())),
  files: Type.Optional(AnyMap),
  timeout_mins: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  disable_rollback: Type.Optional(Type.Boolean()),
  tags: Type.Optional(Tags),
}, { additionalProperties: true });

export const StackUpdate = Type.Object({
  template: Type.Optional(TemplateField),
  template_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  parameters: Type.Optional(AnyMap),
  environment: Type.Optional(Type.Union([AnyMap, Type.String()])),
  environment_files: Type.Optional(Type.Array(Type.String())),
  files: Type.Optional(AnyMap),
  timeout_mins: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  disable_rollback: Type.Optional(Type.Boolean()),
  tags: Type.Optional(Tags),
  existing: Type.Optional(Type.Boolean()),
  clear_parameters: Type.Optional(Type.Array(Type.String())),
}, { additionalProperties: true });

export const Validate = Type.Object({
  template: Type.Optional(TemplateField),
  template_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  parameters: Type.Optional(AnyMap),
  environment: Type.Optional(Type.Union([AnyMap, Type.String()])),
  environment_files: Type.Optional(Type.Array(Type.String())),
  files: Type.Optional(AnyMap),
}, { additionalProperties: true });

const Many = Type.Union([Type.String(), Type.Array(Type.String())]);

export const ListQuery = Type.Object({
  stack_name: Type.Optional(Many),
  name: Type.Optional(Many),
  id: Type.Optional(Many),
  status: Type.Optional(Many),
  action: Type.Optional(Many),
  tags: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  marker: Type.Optional(Type.String()),
  sort_keys: Type.Optional(Many),
  sort_dir: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  global_tenant: Type.Optional(Type.Boolean()),
}, { additionalProperties: true });

export const EventQuery = Type.Object({
  marker: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  sort_dir: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  sort_keys: Type.Optional(Many),
  resource_status: Type.Optional(Many),
  resource_action: Type.Optional(Many),
  resource_name: Type.Optional(Many),
  nested_depth: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: true });

export const ResourceQuery = Type.Object({
  nested_depth: Type.Optional(Type.Integer({ minimum: 0 })),
  with_detail: Type.Optional(Type.Boolean()),
}, { additionalProperties: true });

export const ResourceTypesQuery = Type.Object({
  name: Type.Optional(Type.String()),
  with_description: Type.Optional(Type.Boolean()),
}, { additionalProperties: true });

export const TypeTemplateQuery = Type.Object({ template_type: Type.Optional(Type.String()) }, { additionalProperties: true });
export const FunctionsQuery = Type.Object({ with_condition_func: Type.Optional(Type.Boolean()) }, { additionalProperties: true });

export const Ident = Type.Object({ ident: Type.String() });
export const NameId = Type.Object({ name: Type.String(), id: Type.String() });
