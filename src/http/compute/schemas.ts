import { Type } from '@sinclair/typebox';
import { SERVER_NAME_PATTERN } from '../../compute/status.js';

/** Nova's metadata: string pairs, keys 1–255 characters, values up to 255 (the 128-item limit is a 403, checked by the handlers). */
export const Metadata = Type.Record(Type.String(), Type.String({ maxLength: 255 }), { propertyNames: { minLength: 1, maxLength: 255 } });

/** A server's name as Nova takes it: 1–255 printable characters, no whitespace at either end. */
const ServerName = Type.String({ minLength: 1, maxLength: 255, pattern: SERVER_NAME_PATTERN });
/** An access address; checked as an IPv4 or IPv6 address by the handler. */
const AccessIp = Type.String({ maxLength: 64 });

const Count = Type.Union([Type.Integer({ minimum: 1, maximum: 1000 }), Type.String({ pattern: '^[1-9][0-9]{0,2}$' })]);

export const ServerCreate = Type.Object({
  server: Type.Object({
    name: ServerName,
    imageRef: Type.String({ minLength: 1, maxLength: 1024 }),
    flavorRef: Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Integer({ minimum: 0 })]),
    metadata: Type.Optional(Metadata),
    key_name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])),
    min_count: Type.Optional(Count),
    max_count: Type.Optional(Count),
    availability_zone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 255 }), Type.Null()])),
    networks: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('none'), Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 0 })])),
    security_groups: Type.Optional(Type.Array(Type.Object({ name: Type.Literal('default') }, { additionalProperties: false }), { maxItems: 1 })),
    adminPass: Type.Optional(Type.String({ maxLength: 255 })),
    'OS-DCF:diskConfig': Type.Optional(Type.Union([Type.Literal('AUTO'), Type.Literal('MANUAL')])),
    config_drive: Type.Optional(Type.Union([Type.Boolean(), Type.String({ pattern: '^(|[Tt]rue|[Ff]alse|TRUE|FALSE|[01]|[Yy]es|[Nn]o|[Oo]n|[Oo]ff|[TtFfYyNn])$' })])),
    return_reservation_id: Type.Optional(Type.Union([Type.Boolean(), Type.String({ maxLength: 8 })])),
    accessIPv4: Type.Optional(AccessIp),
    accessIPv6: Type.Optional(AccessIp),
    user_data: Type.Optional(Type.String({ maxLength: 65535 })),
  }, { additionalProperties: false }),
  // Scheduler hints are taken and not acted on (Berth places by room and zone).
  'os:scheduler_hints': Type.Optional(Type.Object({}, { additionalProperties: true })),
}, { additionalProperties: false });

export const ServerUpdate = Type.Object({
  server: Type.Object({
    name: Type.Optional(ServerName),
    accessIPv4: Type.Optional(AccessIp),
    accessIPv6: Type.Optional(AccessIp),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

export const ServerId = Type.Object({ server_id: Type.String({ minLength: 1, maxLength: 255 }) });

/** Nova's list filters Berth serves; other query parameters are ignored, as Nova does for non-admins. */
export const ServerListQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 255 })),
  status: Type.Optional(Type.String({ maxLength: 32 })),
  image: Type.Optional(Type.String({ maxLength: 1024 })),
  flavor: Type.Optional(Type.String({ maxLength: 255 })),
  host: Type.Optional(Type.String({ maxLength: 255 })),
  'changes-since': Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 0 })),
  marker: Type.Optional(Type.String({ maxLength: 255 })),
  all_tenants: Type.Optional(Type.String({ maxLength: 16 })),
  project_id: Type.Optional(Type.String({ maxLength: 255 })),
  tenant_id: Type.Optional(Type.String({ maxLength: 255 })),
  deleted: Type.Optional(Type.String({ maxLength: 16 })),
}, { additionalProperties: true });

/** The body of the createImage action: the snapshot's name and its image properties. */
export const CreateImageBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  metadata: Type.Optional(Metadata),
}, { additionalProperties: false });

/** The body of the rebuild action; the name and metadata, when given, replace the server's. */
export const RebuildBody = Type.Object({
  imageRef: Type.String({ minLength: 1, maxLength: 1024 }),
  name: Type.Optional(ServerName),
  metadata: Type.Optional(Metadata),
  adminPass: Type.Optional(Type.String({ maxLength: 255 })),
  preserve_ephemeral: Type.Optional(Type.Boolean()),
  'OS-DCF:diskConfig': Type.Optional(Type.Union([Type.Literal('AUTO'), Type.Literal('MANUAL')])),
  accessIPv4: Type.Optional(Type.String({ maxLength: 64 })),
  accessIPv6: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false });

/** The body of the resize action. */
export const ResizeBody = Type.Object({
  flavorRef: Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Integer({ minimum: 0 })]),
  'OS-DCF:diskConfig': Type.Optional(Type.Union([Type.Literal('AUTO'), Type.Literal('MANUAL')])),
}, { additionalProperties: false });
