import { Type } from '@sinclair/typebox';

/** Request schemas of the container API, strict as Zun's: unknown fields are refused. */

const NAME_PATTERN = '^[a-zA-Z0-9][a-zA-Z0-9_.-]+$';
export const ContainerName = Type.String({ minLength: 2, maxLength: 255, pattern: NAME_PATTERN });
const KeyValues = Type.Record(Type.String({ minLength: 1, maxLength: 255 }), Type.String({ maxLength: 65535 }));
const StringOrList = Type.Union([Type.String({ maxLength: 65535 }), Type.Array(Type.String({ maxLength: 65535 }), { maxItems: 1000 })]);

export const ContainerCreate = Type.Object({
  name: Type.Optional(Type.Union([ContainerName, Type.Null()])),
  image: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\s]+$' }),
  command: Type.Optional(Type.Union([StringOrList, Type.Null()])),
  entrypoint: Type.Optional(Type.Union([StringOrList, Type.Null()])),
  cpu: Type.Optional(Type.Union([Type.Number(), Type.String({ pattern: '^\\s*[0-9]*\\.?[0-9]+\\s*$' }), Type.Null()])),
  memory: Type.Optional(Type.Union([Type.Integer(), Type.String({ pattern: '^[0-9]+[bkmgBKMG]?$' }), Type.Null()])),
  disk: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 16384 }), Type.Null()])),
  workdir: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
  environment: Type.Optional(Type.Union([KeyValues, Type.Null()])),
  labels: Type.Optional(Type.Union([KeyValues, Type.Null()])),
  image_pull_policy: Type.Optional(Type.Union([Type.Enum({ a: 'always', n: 'never', i: 'ifnotpresent' }), Type.Null()])),
  image_driver: Type.Optional(Type.Union([Type.Enum({ d: 'docker', g: 'glance' }), Type.Null()])),
  restart_policy: Type.Optional(Type.Union([Type.Object({
    Name: Type.Enum({ n: 'no', a: 'always', o: 'on-failure', u: 'unless-stopped' }),
    MaximumRetryCount: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1000 }), Type.String({ pattern: '^[0-9]{1,4}$' })])),
  }, { additionalProperties: false }), Type.Null()])),
  interactive: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  tty: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  auto_remove: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  auto_heal: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  privileged: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  security_groups: Type.Optional(Type.Union([Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100 }), Type.Null()])),
  nets: Type.Optional(Type.Union([Type.Array(Type.Record(Type.String(), Type.String()), { maxItems: 100 }), Type.Null()])),
  mounts: Type.Optional(Type.Union([Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 100 }), Type.Null()])),
  runtime: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])),
  hostname: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$' }), Type.Null()])),
  availability_zone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])),
  hints: Type.Optional(Type.Union([Type.Record(Type.String({ maxLength: 255 }), Type.String({ maxLength: 4096 })), Type.Null()])),
  healthcheck: Type.Optional(Type.Union([Type.Object({
    cmd: Type.Optional(Type.String({ maxLength: 4096 })),
    test: Type.Optional(Type.String({ maxLength: 4096 })),
    interval: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 86400 }), Type.String({ pattern: '^[0-9]{1,5}$' })])),
    retries: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 1000 }), Type.String({ pattern: '^[0-9]{1,4}$' })])),
    timeout: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 86400 }), Type.String({ pattern: '^[0-9]{1,5}$' })])),
  }, { additionalProperties: false }), Type.Null()])),
  exposed_ports: Type.Optional(Type.Union([Type.Record(Type.String({ pattern: '^[0-9]{1,5}(/(tcp|udp|TCP|UDP))?$' }), Type.Object({})), Type.Null()])),
  cpu_policy: Type.Optional(Type.Union([Type.Enum({ s: 'shared', d: 'dedicated' }), Type.Null()])),
  registry: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
  host: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])),
}, { additionalProperties: false });

/** The microversion each create field arrived in; earlier versions refuse it as Zun does. */
export const fieldVersions: Record<string, string> = {
  nets: '1.2', auto_remove: '1.3', runtime: '1.5', hostname: '1.9', mounts: '1.11', auto_heal: '1.16',
  privileged: '1.21', healthcheck: '1.22', exposed_ports: '1.24', cpu_policy: '1.28', registry: '1.31',
  tty: '1.36', host: '1.39', entrypoint: '1.40',
};

export const ContainerUpdate = Type.Object({
  name: Type.Optional(ContainerName),
  cpu: Type.Optional(Type.Union([Type.Number(), Type.String({ pattern: '^\\s*[0-9]*\\.?[0-9]+\\s*$' })])),
  memory: Type.Optional(Type.Union([Type.Integer(), Type.String({ pattern: '^[0-9]+[bkmgBKMG]?$' })])),
  auto_heal: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });

export const Ident = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const BoolText = Type.Optional(Type.Union([Type.Boolean(), Type.String({ pattern: '^(true|false|True|False|1|0|yes|no)$' })]));
export const CreateQuery = Type.Object({ run: BoolText });
export const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
  marker: Type.Optional(Type.String({ maxLength: 255 })),
  sort_key: Type.Optional(Type.Enum({ a: 'uuid', b: 'name', c: 'created_at', d: 'updated_at', e: 'status', f: 'image', g: 'cpu', h: 'memory', i: 'project_id', j: 'host' })),
  sort_dir: Type.Optional(Type.Enum({ a: 'asc', d: 'desc' })),
  all_projects: BoolText,
  name: Type.Optional(Type.String()), image: Type.Optional(Type.String()), status: Type.Optional(Type.String()),
  project_id: Type.Optional(Type.String()), user_id: Type.Optional(Type.String()), host: Type.Optional(Type.String()),
  task_state: Type.Optional(Type.String()), memory: Type.Optional(Type.String()), auto_remove: Type.Optional(Type.String()),
});
export const ShowQuery = Type.Object({ all_projects: BoolText });
export const DeleteQuery = Type.Object({ force: BoolText, stop: BoolText, all_projects: BoolText });
export const TimeoutQuery = Type.Object({ timeout: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })) });
export const KillQuery = Type.Object({ signal: Type.Optional(Type.String({ pattern: '^(SIG)?[A-Z0-9]{1,10}$|^[0-9]{1,2}$' })) });
export const RenameQuery = Type.Object({ name: ContainerName });
export const LogsQuery = Type.Object({
  stdout: BoolText, stderr: BoolText, timestamps: BoolText,
  tail: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Literal('all')])),
  since: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*$' })])),
});
export const ExecQuery = Type.Object({
  command: Type.String({ minLength: 1, maxLength: 65535 }),
  run: BoolText,
  interactive: BoolText,
});
export const ResizeQuery = Type.Object({ w: Type.Integer({ minimum: 1, maximum: 10000 }), h: Type.Integer({ minimum: 1, maximum: 10000 }) });
export const ExecResizeQuery = Type.Object({ exec_id: Type.String({ minLength: 1, maxLength: 255 }), w: Type.Integer({ minimum: 1, maximum: 10000 }), h: Type.Integer({ minimum: 1, maximum: 10000 }) });
export const TopQuery = Type.Object({ ps_args: Type.Optional(Type.String({ maxLength: 255, pattern: '^[a-zA-Z0-9 ,=-]*$' })) });
export const ArchiveQuery = Type.Object({ path: Type.String({ minLength: 1, maxLength: 4096, pattern: '^/' }) });
export const PutArchiveBody = Type.Object({ data: Type.String({ maxLength: 48 * 1024 * 1024 }) }, { additionalProperties: false });
export const CommitQuery = Type.Object({
  repository: Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-z0-9]+([._/-][a-z0-9]+)*$' }),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' })),
});
export const ActionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }), request_id: Type.String({ minLength: 1, maxLength: 255 }) });

export const truthy = (v: unknown) => v === true || (typeof v === 'string' && /^(true|1|yes)$/i.test(v));
