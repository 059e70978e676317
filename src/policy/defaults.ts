/**
 * Berth's built-in policy rules. An operator policy file (YAML or JSON, oslo.policy format) overrides these
 * rule by rule; rules it does not mention keep the values below.
 *
 * Roles: `admin` may do everything everywhere. `member` may manage containers in its own project. `reader`
 * may only look at containers in its own project. Identity administration is admin-only, except what a
 * normal user needs for itself: reading its own user and projects, changing its own password, and
 * validating or revoking its own tokens.
 *
 * Targets the HTTP layer is expected to pass:
 * - containers: `project_id` (owning project of the container, or the request's project for create/list),
 *   `user_id` where relevant;
 * - identity: `target.project.id`, `target.user.id`, `target.token.user_id`, and `user_id` for
 *   change_password (the user in the URL).
 */

const ADMIN = 'rule:admin_required';
const OWN_PROJECT_READER = 'rule:admin_required or (rule:reader and project_id:%(project_id)s)';
const OWN_PROJECT_MEMBER = 'rule:admin_required or (rule:member and project_id:%(project_id)s)';
const SELF_USER = 'rule:admin_required or user_id:%(target.user.id)s';
const OWN_TOKEN = 'rule:admin_required or user_id:%(target.token.user_id)s';

/** Rules other rules build on. */
export const BASE_RULES: Readonly<Record<string, string>> = {
  admin_required: 'role:admin',
  admin_or_owner: 'role:admin or project_id:%(project_id)s',
  owner: 'project_id:%(project_id)s',
  reader: 'role:reader or role:member or role:admin',
  member: 'role:member or role:admin',
  default: 'rule:admin_required',
};

/** Keystone v3 identity API rules. */
export const IDENTITY_RULES: Readonly<Record<string, string>> = {
  'identity:get_domain': ADMIN,
  'identity:list_domains': ADMIN,
  'identity:create_domain': ADMIN,
  'identity:update_domain': ADMIN,
  'identity:delete_domain': ADMIN,

  'identity:get_project': 'rule:admin_required or project_id:%(target.project.id)s',
  'identity:list_projects': ADMIN,
  'identity:list_user_projects': SELF_USER,
  'identity:create_project': ADMIN,
  'identity:update_project': ADMIN,
  'identity:delete_project': ADMIN,

  'identity:get_user': SELF_USER,
  'identity:list_users': ADMIN,
  'identity:create_user': ADMIN,
  'identity:update_user': ADMIN,
  'identity:delete_user': ADMIN,
  'identity:change_password': 'user_id:%(user_id)s',

  'identity:get_role': ADMIN,
  'identity:list_roles': ADMIN,
  'identity:create_role': ADMIN,
  'identity:update_role': ADMIN,
  'identity:delete_role': ADMIN,

  'identity:list_role_assignments': ADMIN,
  'identity:check_grant': ADMIN,
  'identity:list_grants': ADMIN,
  'identity:create_grant': ADMIN,
  'identity:revoke_grant': ADMIN,

  'identity:get_service': ADMIN,
  'identity:list_services': ADMIN,
  'identity:create_service': ADMIN,
  'identity:update_service': ADMIN,
  'identity:delete_service': ADMIN,
  'identity:get_endpoint': ADMIN,
  'identity:list_endpoints': ADMIN,
  'identity:create_endpoint': ADMIN,
  'identity:update_endpoint': ADMIN,
  'identity:delete_endpoint': ADMIN,
  'identity:get_region': ADMIN,
  'identity:list_regions': ADMIN,
  'identity:create_region': ADMIN,
  'identity:update_region': ADMIN,
  'identity:delete_region': ADMIN,

  'identity:validate_token': OWN_TOKEN,
  'identity:check_token': OWN_TOKEN,
  'identity:revoke_token': OWN_TOKEN,
  'identity:get_auth_catalog': '@',
  'identity:get_auth_projects': '@',
  'identity:get_auth_domains': '@',
};

/** Zun container API rules (Zun's action names), plus Berth's own. */
export const CONTAINER_RULES: Readonly<Record<string, string>> = {
  'container:create': OWN_PROJECT_MEMBER,
  'container:create:runtime': ADMIN,
  'container:create:privileged': ADMIN,
  'container:create:host_mounts': ADMIN,
  'container:create:host_namespaces': ADMIN,
  'container:create:capabilities': ADMIN,
  'container:create:devices': ADMIN,
  'container:create:requested_destination': ADMIN,

  'container:delete': OWN_PROJECT_MEMBER,
  'container:delete_all_projects': ADMIN,
  'container:delete_force': OWN_PROJECT_MEMBER,

  'container:get_one': OWN_PROJECT_READER,
  'container:get_one:host': ADMIN,
  'container:get_all': OWN_PROJECT_READER,
  'container:get_all_all_projects': ADMIN,

  'container:update': OWN_PROJECT_MEMBER,
  'container:start': OWN_PROJECT_MEMBER,
  'container:stop': OWN_PROJECT_MEMBER,
  'container:reboot': OWN_PROJECT_MEMBER,
  'container:pause': OWN_PROJECT_MEMBER,
  'container:unpause': OWN_PROJECT_MEMBER,
  'container:kill': OWN_PROJECT_MEMBER,
  'container:rename': OWN_PROJECT_MEMBER,
  'container:resize': OWN_PROJECT_MEMBER,
  'container:commit': OWN_PROJECT_MEMBER,

  // Logs, archives and interactive access can expose secrets held inside the container, so they need
  // member; readers get metadata, process lists, resource usage and the action history.
  'container:logs': OWN_PROJECT_MEMBER,
  'container:execute': OWN_PROJECT_MEMBER,
  'container:execute_resize': OWN_PROJECT_MEMBER,
  'container:attach': OWN_PROJECT_MEMBER,
  'container:get_archive': OWN_PROJECT_MEMBER,
  'container:put_archive': OWN_PROJECT_MEMBER,
  'container:top': OWN_PROJECT_READER,
  'container:stats': OWN_PROJECT_READER,
  'container:actions': OWN_PROJECT_READER,

  'host:get_all': ADMIN,
  'host:get': ADMIN,
  'zun-service:get_all': ADMIN,
  'zun-service:delete': ADMIN,
  'zun-service:update': ADMIN,
  'berth:host_credentials': ADMIN,

  'container:quota:get': OWN_PROJECT_READER,
  'container:quota:update': ADMIN,
  'container:quota:delete': ADMIN,
  // Zun's default: any project-scoped caller may read a quota class.
  'container:quota_class:get': 'rule:admin_or_owner',
  'container:quota_class:update': ADMIN,
  'container:quota_tree:get': OWN_PROJECT_READER,
  'container:quota_tree:update': ADMIN,
};

/** Every built-in rule, base rules first. */
export const DEFAULT_RULES: Readonly<Record<string, string>> = Object.freeze({
  ...BASE_RULES,
  ...IDENTITY_RULES,
  ...CONTAINER_RULES,
});
