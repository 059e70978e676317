import { Type } from '@sinclair/typebox';

/** Request schemas of the identity API. Unknown attributes are tolerated as Keystone does. */

const Id = Type.String({ minLength: 1, maxLength: 64 });
const Name = Type.String({ minLength: 1, maxLength: 255 });
/** Keystone's limit for project, domain and group names (users and roles may have 255). */
const ShortName = Type.String({ minLength: 1, maxLength: 64 });
/** A project tag as Keystone takes it: at most 255 characters, no '/' or ','; at most 80 per project. */
export const Tag = Type.String({ minLength: 1, maxLength: 255, pattern: '^[^/,]+$' });
export const Tags = Type.Array(Tag, { maxItems: 80 });
const DomainRef = Type.Object({ id: Type.Optional(Id), name: Type.Optional(Name) });

export const AuthBody = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
      password: Type.Optional(Type.Object({
        user: Type.Object({
          id: Type.Optional(Id),
          name: Type.Optional(Name),
          domain: Type.Optional(DomainRef),
          password: Type.String({ maxLength: 4096 }),
        }),
      })),
      token: Type.Optional(Type.Object({ id: Type.String({ minLength: 1, maxLength: 1024 }) })),
      application_credential: Type.Optional(Type.Object({
        id: Type.Optional(Id),
        name: Type.Optional(Name),
        secret: Type.String({ minLength: 1, maxLength: 4096 }),
        user: Type.Optional(Type.Object({ id: Type.Optional(Id), name: Type.Optional(Name), domain: Type.Optional(DomainRef) })),
      })),
    }),
    scope: Type.Optional(Type.Union([
      Type.Literal('unscoped'),
      Type.Object({
        project: Type.Optional(Type.Object({ id: Type.Optional(Id), name: Type.Optional(Name), domain: Type.Optional(DomainRef) })),
        domain: Type.Optional(DomainRef),
        system: Type.Optional(Type.Object({})),
      }),
    ])),
  }),
});

export const ProjectCreate = Type.Object({
  project: Type.Object({
    name: ShortName,
    domain_id: Type.Optional(Type.Union([Id, Type.Null()])),
    parent_id: Type.Optional(Type.Union([Id, Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    is_domain: Type.Optional(Type.Boolean()),
    tags: Type.Optional(Tags),
  }),
});
export const ProjectUpdate = Type.Object({
  project: Type.Object({
    name: Type.Optional(ShortName),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    tags: Type.Optional(Tags),
    parent_id: Type.Optional(Type.Union([Id, Type.Null()])),
    domain_id: Type.Optional(Type.Union([Id, Type.Null()])),
  }),
});

export const UserCreate = Type.Object({
  user: Type.Object({
    name: Name,
    domain_id: Type.Optional(Id),
    default_project_id: Type.Optional(Type.Union([Id, Type.Null()])),
    password: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    email: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
  }),
});
export const UserUpdate = Type.Object({
  user: Type.Object({
    name: Type.Optional(Name),
    default_project_id: Type.Optional(Type.Union([Id, Type.Null()])),
    password: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    email: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
    domain_id: Type.Optional(Id),
  }),
});
export const PasswordChange = Type.Object({
  user: Type.Object({ password: Type.String({ minLength: 1, maxLength: 4096 }), original_password: Type.String({ maxLength: 4096 }) }),
});

export const RoleCreate = Type.Object({
  role: Type.Object({
    name: Name,
    description: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    domain_id: Type.Optional(Type.Union([Id, Type.Null()])),
  }),
});
export const RoleUpdate = Type.Object({
  role: Type.Object({ name: Type.Optional(Name), description: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])) }),
});

export const DomainCreate = Type.Object({
  domain: Type.Object({
    name: ShortName,
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
  }),
});
export const DomainUpdate = Type.Object({
  domain: Type.Object({
    name: Type.Optional(ShortName),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
  }),
});

export const GroupCreate = Type.Object({
  group: Type.Object({
    name: ShortName,
    domain_id: Type.Optional(Id),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
  }),
});
export const GroupUpdate = Type.Object({
  group: Type.Object({
    name: Type.Optional(ShortName),
    domain_id: Type.Optional(Id),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 65535 }), Type.Null()])),
  }),
});

export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const Bool = Type.Optional(Type.Union([Type.Boolean(), Type.String()]));
export const NameQuery = Type.Object({
  name: Type.Optional(Type.String()), domain_id: Type.Optional(Type.String()), parent_id: Type.Optional(Type.String()),
  enabled: Type.Optional(Type.String()), is_domain: Type.Optional(Type.String()),
});
/** The project listing's filters: NameQuery's and Keystone's tag filters (comma-separated tags). */
export const ProjectQuery = Type.Object({
  ...NameQuery.properties,
  tags: Type.Optional(Type.String()), 'tags-any': Type.Optional(Type.String()),
  'not-tags': Type.Optional(Type.String()), 'not-tags-any': Type.Optional(Type.String()),
});
export const TagParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }), tag: Type.String({ minLength: 1, maxLength: 255 }) });
export const TagsBody = Type.Object({ tags: Tags });
export const ProjectShowQuery = Type.Object({ parents_as_list: Bool, subtree_as_list: Bool, parents_as_ids: Bool, subtree_as_ids: Bool, include_limits: Bool });
export const AssignmentQuery = Type.Object({
  'user.id': Type.Optional(Type.String()), 'group.id': Type.Optional(Type.String()), 'role.id': Type.Optional(Type.String()),
  'scope.project.id': Type.Optional(Type.String()), 'scope.domain.id': Type.Optional(Type.String()),
  'scope.system': Type.Optional(Type.String()), 'scope.OS-INHERIT:inherited_to': Type.Optional(Type.String()),
  effective: Type.Optional(Type.String()), include_names: Type.Optional(Type.String()), include_subtree: Type.Optional(Type.String()),
});
export const TokenQuery = Type.Object({ nocatalog: Type.Optional(Type.String()), allow_expired: Type.Optional(Type.String()) });

/** Keystone treats a present flag with no value, "true", "1" or "yes" as true. */
export function flag(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (v === true || v === '' || v === 1) return true;
  return typeof v === 'string' && /^(true|1|yes|on)$/i.test(v);
}

/**
 * Response schemas: the route's answer is serialised from these (fast-json-stringify) instead of by
 * JSON.stringify. Every field the renderer writes must be listed, since fields not listed are dropped.
 */
const Links = Type.Object({ self: Type.String() });
const ProjectBody = Type.Object({
  id: Type.String(), name: Type.String(), domain_id: Type.Union([Type.String(), Type.Null()]), description: Type.String(), enabled: Type.Boolean(),
  parent_id: Type.Union([Type.String(), Type.Null()]), is_domain: Type.Boolean(), tags: Type.Array(Type.String()),
  options: Type.Object({}, { additionalProperties: true }), links: Links,
}, { additionalProperties: true });
export const ProjectList = Type.Object({
  projects: Type.Array(ProjectBody),
  links: Type.Object({ self: Type.String(), previous: Type.Null(), next: Type.Null() }),
});
