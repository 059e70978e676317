/**
 * Berth's built-in policy rules. An operator policy file (YAML or JSON, oslo.policy format) overrides these
 * rule by rule; rules it does not mention keep the values below.
 *
 * Roles: `admin` may do everything everywhere. `member` may manage containers in its own project. `reader`
 * may only look at containers in its own project. Identity administration is admin-only, except what a
 * normal user needs for itself: reading its own user, projects and domain, changing its own password (with
 * the original one), and validating or revoking its own tokens.
 *
 * Targets the HTTP layer is expected to pass:
 * - containers: `project_id` (owning project of the container, or the request's project for create/list),
 *   `user_id` where relevant;
 * - identity: `target.project.id`, `target.user.id`, `target.domain.id`, `target.domain_id` (the domain a
 *   project listing asks for), `target.token.user_id`, and `user_id` for change_password (the user in the URL).
 */

const ADMIN = 'rule:admin_required';
const OWN_PROJECT_READER = 'rule:admin_required or (rule:reader and project_id:%(project_id)s)';
const OWN_PROJECT_MEMBER = 'rule:admin_required or (rule:member and project_id:%(project_id)s)';
const SELF_USER = 'rule:admin_required or user_id:%(target.user.id)s';
const OWN_TOKEN = 'rule:admin_required or user_id:%(target.token.user_id)s';
const OWN_CREDENTIAL = 'rule:admin_required or user_id:%(target.credential.user_id)s';

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
  // Keystone: a token scoped to a domain, or to a project in it, may read that domain.
  'identity:get_domain': 'rule:admin_required or domain_id:%(target.domain.id)s or project_domain_id:%(target.domain.id)s',
  'identity:list_domains': ADMIN,
  'identity:create_domain': ADMIN,
  'identity:update_domain': ADMIN,
  'identity:delete_domain': ADMIN,

  'identity:get_project': 'rule:admin_required or project_id:%(target.project.id)s',
  // Keystone: admins, and readers scoped to the domain they list (`openstack project list --my-projects`
  // is how a project member sees its own).
  'identity:list_projects': 'rule:admin_required or (rule:reader and domain_id:%(target.domain_id)s)',
  'identity:list_user_projects': SELF_USER,
  'identity:create_project': ADMIN,
  'identity:update_project': ADMIN,
  'identity:delete_project': ADMIN,
  'identity:list_project_tags': 'rule:admin_required or project_id:%(target.project.id)s',
  'identity:get_project_tag': 'rule:admin_required or project_id:%(target.project.id)s',
  'identity:update_project_tags': ADMIN,
  'identity:create_project_tag': ADMIN,
  'identity:delete_project_tag': ADMIN,
  'identity:delete_project_tags': ADMIN,

  'identity:get_user': SELF_USER,
  'identity:list_users': ADMIN,
  'identity:create_user': ADMIN,
  'identity:update_user': ADMIN,
  'identity:delete_user': ADMIN,
  // Keystone enforces no rule here: the original password in the request is the proof of being that user.
  'identity:change_password': '@',

  'identity:get_group': ADMIN,
  'identity:list_groups': ADMIN,
  'identity:list_groups_for_user': SELF_USER,
  'identity:create_group': ADMIN,
  'identity:update_group': ADMIN,
  'identity:delete_group': ADMIN,
  'identity:list_users_in_group': ADMIN,
  'identity:add_user_to_group': ADMIN,
  'identity:check_user_in_group': ADMIN,
  'identity:remove_user_from_group': ADMIN,

  'identity:get_role': ADMIN,
  'identity:list_roles': ADMIN,
  'identity:create_role': ADMIN,
  'identity:update_role': ADMIN,
  'identity:delete_role': ADMIN,

  'identity:get_domain_role': ADMIN,
  'identity:list_domain_roles': ADMIN,
  'identity:create_domain_role': ADMIN,
  'identity:update_domain_role': ADMIN,
  'identity:delete_domain_role': ADMIN,
  'identity:get_implied_role': ADMIN,
  'identity:list_implied_roles': ADMIN,
  'identity:create_implied_role': ADMIN,
  'identity:delete_implied_role': ADMIN,
  'identity:check_implied_role': ADMIN,
  'identity:list_role_inference_rules': ADMIN,

  'identity:list_role_assignments': ADMIN,
  'identity:check_grant': ADMIN,
  'identity:list_grants': ADMIN,
  'identity:create_grant': ADMIN,
  'identity:revoke_grant': ADMIN,
  'identity:create_system_grant_for_user': ADMIN,
  'identity:check_system_grant_for_user': ADMIN,
  'identity:list_system_grants_for_user': ADMIN,
  'identity:revoke_system_grant_for_user': ADMIN,
  'identity:create_system_grant_for_group': ADMIN,
  'identity:check_system_grant_for_group': ADMIN,
  'identity:list_system_grants_for_group': ADMIN,
  'identity:revoke_system_grant_for_group': ADMIN,

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
  // OS-EP-FILTER: endpoint groups and project endpoint filters.
  'identity:create_endpoint_group': ADMIN,
  'identity:list_endpoint_groups': ADMIN,
  'identity:get_endpoint_group': ADMIN,
  'identity:update_endpoint_group': ADMIN,
  'identity:delete_endpoint_group': ADMIN,
  'identity:list_endpoints_associated_with_endpoint_group': ADMIN,
  'identity:list_projects_associated_with_endpoint_group': ADMIN,
  'identity:add_endpoint_group_to_project': ADMIN,
  'identity:get_endpoint_group_in_project': ADMIN,
  'identity:remove_endpoint_group_from_project': ADMIN,
  'identity:list_endpoint_groups_for_project': ADMIN,
  'identity:add_endpoint_to_project': ADMIN,
  'identity:check_endpoint_in_project': ADMIN,
  'identity:remove_endpoint_from_project': ADMIN,
  'identity:list_endpoints_for_project': ADMIN,
  'identity:list_projects_for_endpoint': ADMIN,

  // Keystone: a user manages their own credentials; admins manage everyone's.
  'identity:get_credential': OWN_CREDENTIAL,
  'identity:list_credentials': OWN_CREDENTIAL,
  'identity:create_credential': OWN_CREDENTIAL,
  'identity:update_credential': OWN_CREDENTIAL,
  'identity:delete_credential': OWN_CREDENTIAL,

  // Keystone: only the user makes their application credentials; admins may also read and delete them.
  'identity:create_application_credential': 'user_id:%(target.user.id)s',
  'identity:get_application_credential': SELF_USER,
  'identity:list_application_credentials': SELF_USER,
  'identity:delete_application_credential': SELF_USER,
  'identity:get_access_rule': SELF_USER,
  'identity:list_access_rules': SELF_USER,
  'identity:delete_access_rule': SELF_USER,

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
  // Zun's image API: admin only by default, as in Zun.
  'container:image:pull': ADMIN,
  'container:image:get_all': ADMIN,
  'container:image:get_one': ADMIN,
  'container:image:delete': ADMIN,

  'container:quota:get': OWN_PROJECT_READER,
  'container:quota:update': ADMIN,
  'container:quota:delete': ADMIN,
  // Zun's default: any project-scoped caller may read a quota class.
  'container:quota_class:get': 'rule:admin_or_owner',
  'container:quota_class:update': ADMIN,
  'container:quota_tree:get': OWN_PROJECT_READER,
  'container:quota_tree:update': ADMIN,
};

/**
 * Glance v2 image API rules: Glance's defaults (its rule names, prefixed `image:` as Berth's other
 * services prefix theirs). Targets: `project_id` and `owner` (the image's owner), `visibility`, and
 * `member_id` (the caller's project when it is a member of the image; the member in the URL for
 * modify_member). Which images a caller can see at all is decided before these rules: others' private
 * images are a 404 whatever the policy says.
 */
const IMAGE_MEMBER = 'project_id:%(member_id)s';
const IMAGE_VISIBLE = `project_id:%(project_id)s or ${IMAGE_MEMBER} or 'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s`;
export const IMAGE_RULES: Readonly<Record<string, string>> = {
  'image:add_image': 'rule:admin_required or (rule:member and project_id:%(project_id)s and project_id:%(owner)s)',
  'image:delete_image': OWN_PROJECT_MEMBER,
  'image:get_image': `rule:admin_required or (rule:reader and (${IMAGE_VISIBLE}))`,
  'image:get_images': OWN_PROJECT_READER,
  'image:modify_image': OWN_PROJECT_MEMBER,
  'image:publicize_image': ADMIN,
  'image:communitize_image': OWN_PROJECT_MEMBER,
  'image:download_image': `rule:admin_required or (rule:member and (${IMAGE_VISIBLE}))`,
  'image:upload_image': OWN_PROJECT_MEMBER,
  'image:deactivate': OWN_PROJECT_MEMBER,
  'image:reactivate': OWN_PROJECT_MEMBER,
  'image:add_member': OWN_PROJECT_MEMBER,
  'image:delete_member': OWN_PROJECT_MEMBER,
  'image:get_member': `rule:admin_required or (rule:reader and (project_id:%(project_id)s or ${IMAGE_MEMBER}))`,
  'image:get_members': `rule:admin_required or (rule:reader and (project_id:%(project_id)s or ${IMAGE_MEMBER}))`,
  'image:modify_member': `rule:admin_required or (rule:member and ${IMAGE_MEMBER})`,
};

/**
 * Nova compute API rules (Nova's names). A server is a container, so the container rules apply too:
 * each compute call also passes the `container:*` rule of what it does to the container.
 */
export const COMPUTE_RULES: Readonly<Record<string, string>> = {
  'os_compute_api:flavors:index': 'rule:reader',
  'os_compute_api:flavors:show': 'rule:reader',
  'os_compute_api:os-flavor-manage:create': ADMIN,
  'os_compute_api:os-flavor-manage:delete': ADMIN,
  'os_compute_api:os-flavor-extra-specs:index': 'rule:reader',
  'os_compute_api:os-flavor-extra-specs:show': 'rule:reader',
  'os_compute_api:servers:index': OWN_PROJECT_READER,
  'os_compute_api:servers:detail': OWN_PROJECT_READER,
  'os_compute_api:servers:index:get_all_tenants': ADMIN,
  'os_compute_api:servers:show': OWN_PROJECT_READER,
  'os_compute_api:os-extended-server-attributes': ADMIN,
  'os_compute_api:servers:create': OWN_PROJECT_MEMBER,
  'os_compute_api:servers:create:forced_host': ADMIN,
  'os_compute_api:servers:update': OWN_PROJECT_MEMBER,
  'os_compute_api:servers:delete': OWN_PROJECT_MEMBER,
  'os_compute_api:servers:start': OWN_PROJECT_MEMBER,
  'os_compute_api:servers:stop': OWN_PROJECT_MEMBER,
  'os_compute_api:servers:reboot': OWN_PROJECT_MEMBER,
  'os_compute_api:servers:create_image': OWN_PROJECT_MEMBER,
  'os_compute_api:servers:rebuild': OWN_PROJECT_MEMBER,
  'os_compute_api:servers:resize': OWN_PROJECT_MEMBER,
  'os_compute_api:servers:confirm_resize': OWN_PROJECT_MEMBER,
  'os_compute_api:servers:revert_resize': OWN_PROJECT_MEMBER,
  'os_compute_api:os-pause-server:pause': OWN_PROJECT_MEMBER,
  'os_compute_api:os-pause-server:unpause': OWN_PROJECT_MEMBER,
  'os_compute_api:os-suspend-server:suspend': OWN_PROJECT_MEMBER,
  'os_compute_api:os-suspend-server:resume': OWN_PROJECT_MEMBER,
  'os_compute_api:os-lock-server:lock': OWN_PROJECT_MEMBER,
  'os_compute_api:os-lock-server:unlock': OWN_PROJECT_MEMBER,
  'os_compute_api:os-lock-server:unlock:unlock_override': ADMIN,
  'os_compute_api:os-console-output': OWN_PROJECT_MEMBER,
  'os_compute_api:os-instance-actions:list': OWN_PROJECT_READER,
  'os_compute_api:os-instance-actions:show': OWN_PROJECT_READER,
  'os_compute_api:server-metadata:index': OWN_PROJECT_READER,
  'os_compute_api:server-metadata:show': OWN_PROJECT_READER,
  'os_compute_api:server-metadata:create': OWN_PROJECT_MEMBER,
  'os_compute_api:server-metadata:update': OWN_PROJECT_MEMBER,
  'os_compute_api:server-metadata:update_all': OWN_PROJECT_MEMBER,
  'os_compute_api:server-metadata:delete': OWN_PROJECT_MEMBER,
  'os_compute_api:os-availability-zone:list': 'rule:reader',
  'os_compute_api:os-availability-zone:detail': ADMIN,
  'os_compute_api:os-flavor-access': ADMIN,
  'os_compute_api:os-flavor-access:add_tenant_access': ADMIN,
  'os_compute_api:os-flavor-access:remove_tenant_access': ADMIN,
  'os_compute_api:os-flavor-extra-specs:create': ADMIN,
  'os_compute_api:os-flavor-extra-specs:update': ADMIN,
  'os_compute_api:os-flavor-extra-specs:delete': ADMIN,
  'os_compute_api:os-hypervisors:list': ADMIN,
  'os_compute_api:os-hypervisors:list-detail': ADMIN,
  'os_compute_api:os-hypervisors:show': ADMIN,
  'os_compute_api:os-hypervisors:statistics': ADMIN,
  'os_compute_api:os-hypervisors:uptime': ADMIN,
  'os_compute_api:os-hypervisors:search': ADMIN,
  'os_compute_api:os-hypervisors:servers': ADMIN,
  'os_compute_api:ips:index': OWN_PROJECT_READER,
  'os_compute_api:ips:show': OWN_PROJECT_READER,
  'os_compute_api:os-admin-actions:reset_state': ADMIN,
  'os_compute_api:os-migrate-server:migrate': ADMIN,
  'os_compute_api:os-deferred-delete:restore': OWN_PROJECT_MEMBER,
  'os_compute_api:os-deferred-delete:force': OWN_PROJECT_MEMBER,
  'os_compute_api:os-keypairs:index': 'rule:admin_required or user_id:%(user_id)s',
  'os_compute_api:os-keypairs:show': 'rule:admin_required or user_id:%(user_id)s',
  'os_compute_api:os-keypairs:create': 'rule:admin_required or user_id:%(user_id)s',
  'os_compute_api:os-keypairs:delete': 'rule:admin_required or user_id:%(user_id)s',
  'os_compute_api:os-quota-sets:show': OWN_PROJECT_READER,
  'os_compute_api:os-quota-sets:defaults': 'rule:reader',
  'os_compute_api:os-quota-sets:update': ADMIN,
  'os_compute_api:os-quota-sets:delete': ADMIN,
  'os_compute_api:limits': 'rule:reader',
};

/**
 * Orchestration (Heat) rules: Heat's rule names, prefixed `stacks:` as Heat names them. Members manage
 * their project's stacks, readers look at them; listing every project's stacks is admin-only. Target:
 * `project_id` (the project of the URL, the token's own unless the caller is an admin).
 */
export const STACK_RULES: Readonly<Record<string, string>> = {
  'stacks:create': OWN_PROJECT_MEMBER,
  'stacks:update': OWN_PROJECT_MEMBER,
  'stacks:update_patch': OWN_PROJECT_MEMBER,
  'stacks:delete': OWN_PROJECT_MEMBER,
  'stacks:index': OWN_PROJECT_READER,
  'stacks:global_index': ADMIN,
  'stacks:lookup': OWN_PROJECT_READER,
  'stacks:show': OWN_PROJECT_READER,
  'stacks:template': OWN_PROJECT_READER,
  'stacks:environment': OWN_PROJECT_READER,
  'stacks:files': OWN_PROJECT_READER,
  'stacks:list_outputs': OWN_PROJECT_READER,
  'stacks:show_output': OWN_PROJECT_READER,
  'stacks:index_resources': OWN_PROJECT_READER,
  'stacks:show_resource': OWN_PROJECT_READER,
  'stacks:index_events': OWN_PROJECT_READER,
  'stacks:show_event': OWN_PROJECT_READER,
  'stacks:validate_template': OWN_PROJECT_READER,
  'stacks:list_resource_types': OWN_PROJECT_READER,
  'stacks:resource_schema': OWN_PROJECT_READER,
  'stacks:list_template_versions': OWN_PROJECT_READER,
  'stacks:list_template_functions': OWN_PROJECT_READER,
  'stacks:generate_template': OWN_PROJECT_READER,
  'stacks:mark_unhealthy': OWN_PROJECT_MEMBER,
  'stacks:signal': OWN_PROJECT_MEMBER,
  'software_configs:index': OWN_PROJECT_READER,
  'software_configs:show': OWN_PROJECT_READER,
  'software_configs:create': OWN_PROJECT_MEMBER,
  'software_configs:delete': OWN_PROJECT_MEMBER,
  'software_deployments:index': OWN_PROJECT_READER,
  'software_deployments:show': OWN_PROJECT_READER,
  'software_deployments:metadata': OWN_PROJECT_READER,
  'software_deployments:create': OWN_PROJECT_MEMBER,
  'software_deployments:update': OWN_PROJECT_MEMBER,
  'software_deployments:delete': OWN_PROJECT_MEMBER,
};

/** Every built-in rule, base rules first. */
export const DEFAULT_RULES: Readonly<Record<string, string>> = Object.freeze({
  ...BASE_RULES,
  ...IDENTITY_RULES,
  ...CONTAINER_RULES,
  ...IMAGE_RULES,
  ...COMPUTE_RULES,
  ...STACK_RULES,
});
