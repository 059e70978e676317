import type { Generated } from 'kysely';
/**
 * Row types of every table, as stored. Times are ISO 8601 text and booleans 0/1 integers on both
 * dialects, JSON columns text, so repositories read the same values from SQLite and PostgreSQL.
 */
export interface DomainRow { id: string; name: string; description: string; enabled: number; created_at: string }
export interface ProjectRow {
  id: string; name: string; domain_id: string; parent_id: string | null; description: string;
  enabled: number; tags: string; created_at: string;
  /** Attributes Berth has no column for, as Keystone keeps them: a JSON object. */
  extra: string;
}
export interface UserRow {
  id: string; name: string; domain_id: string; default_project_id: string | null; password_hash: string | null;
  enabled: number; email: string | null; description: string; password_changed_at: string | null; created_at: string;
  /** Attributes Berth has no column for, as Keystone keeps them: a JSON object. */
  extra: string;
  /** Security compliance (migration 20): wrong passwords since the last good login, and the last one's time. */
  failed_logins?: number; last_failed_at?: string | null;
  /** 1 when the user set the current password themself. */
  password_self_service?: number;
}
/** One of a user's passwords, as its scrypt hash (migration 20). */
export interface PasswordHistoryRow { user_id: string; hash: string; created_at: string }
export interface GroupRow { id: string; name: string; domain_id: string; description: string; created_at: string }
export interface GroupMemberRow { group_id: string; user_id: string }
export interface GroupAssignmentRow { group_id: string; target_type: 'project' | 'domain'; target_id: string; role_id: string }
/** `domain_id` is null for a global role; a domain-specific role is never in a token itself, only what it implies. */
export interface RoleRow { id: string; name: string; description: string; created_at: string; domain_id?: string | null }
/** Holding `prior_role_id` also grants `implied_role_id`. */
export interface RoleInferenceRow { prior_role_id: string; implied_role_id: string }
/** A role on the system scope, held by a user or a group. */
export interface SystemAssignmentRow { actor_type: 'user' | 'group'; actor_id: string; role_id: string }
/** A Keystone credential; `blob` is the ciphertext of the client's blob, never the blob itself. */
/** An application credential; `roles` a JSON array of role ids, `expires_at` as the client gave it (UTC). */
export interface ApplicationCredentialRow {
  id: string; name: string; user_id: string; project_id: string; description: string | null; secret_hash: string;
  expires_at: string | null; unrestricted: number; roles: string; created_at: string;
}
/** A user's application credential access rule (migration 21), and which credentials are limited to it. */
export interface AccessRuleRow { id: string; user_id: string; service: string; method: string; path: string; created_at: string }
export interface AppCredAccessRuleRow { app_cred_id: string; access_rule_id: string; position: number }
export interface CredentialRow { id: string; user_id: string; project_id: string | null; type: string; blob: string; extra: string; created_at: string }
/** An OS-INHERIT assignment: it applies to the projects under its target, not to the target. */
export interface InheritedAssignmentRow { actor_type: 'user' | 'group'; actor_id: string; target_type: 'project' | 'domain'; target_id: string; role_id: string }
export interface AssignmentRow { user_id: string; target_type: 'project' | 'domain'; target_id: string; role_id: string }
export interface TokenRow {
  hash: string; user_id: string; project_id: string | null; domain_id: string | null; methods: string;
  audit_id: string; issued_at: string; expires_at: string;
  /** The application credential the token was made with (migration 12). */
  app_cred_id?: string | null;
}
export interface SettingRow { key: string; value: string }
export interface MigrationRow { version: number; name: string; applied_at: string }

export interface HostRow {
  id: string; name: string; zone: string; enabled: number; forced_down: number; disabled_reason: string | null;
  cpus: number; memory_mb: number; disk_gb: number; max_containers: number; labels: string; runtimes: string;
  engine_version: string; os: string; credential_hash: string | null; last_seen_at: string | null;
  used_cpu: number; used_memory_mb: number; used_disk_gb: number; used_containers: number;
  created_at: string; updated_at: string;
}
export interface ContainerRow {
  uuid: string; name: string; project_id: string; user_id: string; host_id: string | null; image: string;
  image_driver: string; cpu: number; memory_mb: number; disk_gb: number; spec: string;
  desired: string; status: string; status_reason: string | null; status_detail: string | null; task_state: string | null;
  generation: number; observed_generation: number; restart_generation: number; engine_id: string | null;
  observed: string; deleted: number; created_at: string; updated_at: string;
  /** The `berth.priority` label (lower is reclaimed first); null: the project's priority applies. */
  priority: number | null;
  /** When its quota was last taken; null while it has none (queued, or never admitted). */
  admitted_at: string | null;
  /** Set while preempted and waiting for capacity (its quota given back). */
  queued_at: string | null;
}
export interface ContainerActionRow {
  id: string; container_uuid: string; project_id: string; user_id: string; action: string; request_id: string;
  message: string | null; start_time: string; finish_time: string | null; result: string | null;
}
/** A running server and the URL the other servers reach it on; `last_seen_at` is its heartbeat. */
export interface ServerRow { id: string; url: string; started_at: string; last_seen_at: string }
/** The server that holds a host's agent connection. */
export interface AgentRouteRow { host_id: string; server_id: string; connection_id: string; connected_at: string }

/** Per-project settings of the quota model; amounts are JSON objects of resource → number. */
export interface QuotaSettingsRow {
  project_id: string; mode: string; guarantee: string; borrow_limit: string; lend_limit: string;
  weight: number; priority: number; updated_at: string;
}
/** A Zun quota class (only `default` is used): JSON resource → limit. */
export interface QuotaClassRow { name: string; limits: string; updated_at: string }
/** What a scope (a project, or a lend pool `pool:...`) uses. */
/** A usage row; vCPUs in thousandths, so that sums stay exact. */
export interface QuotaUsageRow { scope: string; containers: number; cpu_milli: number; memory: number; disk: number }

/** An image (Glance v2); tags a JSON array, properties a JSON object of strings, location the image store's key. */
export interface ImageRow {
  id: string; name: string | null; status: string; container_format: string | null; disk_format: string | null;
  visibility: string; protected: number; hidden: number; owner: string | null; size: number | null; virtual_size: number | null;
  checksum: string | null; os_hash_algo: string | null; os_hash_value: string | null; min_disk: number; min_ram: number;
  tags: string; properties: string; location: string | null; generation: number; created_at: string; updated_at: string;
}
/** A project an image is shared with, and whether that project accepted it. */
export interface ImageMemberRow { image_id: string; member_id: string; status: string; created_at: string; updated_at: string }

export interface Tables {
  domains: DomainRow;
  projects: ProjectRow;
  users: UserRow;
  password_history: PasswordHistoryRow;
  roles: RoleRow;
  assignments: AssignmentRow;
  groups: GroupRow;
  group_members: GroupMemberRow;
  group_assignments: GroupAssignmentRow;
  inherited_assignments: InheritedAssignmentRow;
  role_inferences: RoleInferenceRow;
  system_assignments: SystemAssignmentRow;
  credentials: CredentialRow;
  application_credentials: ApplicationCredentialRow;
  access_rules: AccessRuleRow;
  application_credential_access_rules: AppCredAccessRuleRow;
  tokens: TokenRow;
  settings: SettingRow;
  berth_migrations: MigrationRow;
  hosts: HostRow;
  containers: ContainerRow;
  container_actions: ContainerActionRow;
  servers: ServerRow;
  agent_routes: AgentRouteRow;
  quota_settings: QuotaSettingsRow;
  quota_classes: QuotaClassRow;
  quota_usage: QuotaUsageRow;
  images: ImageRow;
  image_members: ImageMemberRow;
  host_images: HostImageRow;
  stacks: StackRow;
  stack_resources: StackResourceRow;
  stack_events: StackEventRow;
  software_configs: SoftwareConfigRow;
  software_deployments: SoftwareDeploymentRow;
  flavors: FlavorRow;
  flavor_access: FlavorAccessRow;
  flavor_extra_specs: FlavorExtraSpecRow;
  compute_servers: ComputeServerRow;
  keypairs: KeypairRow;
  catalog_regions: CatalogRegionRow;
  catalog_services: CatalogServiceRow;
  catalog_endpoints: CatalogEndpointRow;
  catalog_endpoint_groups: EndpointGroupRow;
  project_endpoints: ProjectEndpointRow;
  project_endpoint_groups: ProjectEndpointGroupRow;
}

/** One reference (image id or repo tag) to an image a host's engine holds; see migrations 7 and 9. */
export interface HostImageRow {
  host_id: string; image_ref: string; glance_image_id: string | null; size: number; updated_at: string;
  /** The engine id (`sha256:…`) of the image this reference names; null in rows older than migration 9. */
  image_id?: string | null;
}

/**
 * A stack (migration 13): JSON text for template, files, environment, parameters (as given), roles (of
 * the user who made the last change, which the controller acts with) and tags; `previous` the template
 * and parameters before an update, for rollback. `generation` grows with every request that changes it.
 */
export interface StackRow {
  id: string; name: string; project_id: string; user_id: string; roles: string; template: string; files: string;
  environment: string; parameters: string; previous: string | null; action: string; status: string; reason: string;
  timeout_mins: number | null; disable_rollback: number; tags: string; generation: number;
  owner: string | null; lease_until: string | null; created_at: string; updated_at: string | null;
}
/** What a stack made, or means to make, for one resource of its template. JSON: definition, properties, attributes, required_by. */
export interface StackResourceRow {
  stack_id: string; name: string; id: string; type: string; physical_id: string | null; intended: string | null;
  action: string; status: string; reason: string; definition: string; properties: string; attributes: string;
  required_by: string; created_at: string; updated_at: string | null;
}
/** One step of a stack or of one of its resources; `seq` orders them. */
export interface StackEventRow {
  seq: Generated<number>; id: string; stack_id: string; resource_name: string; resource_type: string; physical_id: string;
  action: string; status: string; reason: string; created_at: string;
}
/** Heat software configs and deployments (migration 14): `body` holds config, inputs, outputs and options as JSON. */
export interface SoftwareConfigRow { id: string; project_id: string; name: string; group_name: string; body: string; created_at: string }
export interface SoftwareDeploymentRow {
  id: string; project_id: string; config_id: string; server_id: string; input_values: string; output_values: string;
  action: string; status: string; status_reason: string; created_at: string; updated_at: string | null;
}

/** A compute flavor (migration 17): vcpus, ram (MiB) and disk (GiB) become a server's cpu, memory and disk; extra_specs JSON. */
export interface FlavorRow {
  id: string; name: string; vcpus: number; ram: number; disk: number; ephemeral: number; swap: number; rxtx_factor: number;
  is_public: number; description: string | null; extra_specs: string; created_at: string;
}
/** A project's access to a private flavor (migration 25). */
export interface FlavorAccessRow { flavor_id: string; project_id: string; created_at: string }
/** One extra spec of a flavor (migration 25); supersedes flavors.extra_specs. */
export interface FlavorExtraSpecRow { flavor_id: string; key: string; value: string }
/** What a server adds to its container (same uuid): flavor, image, key name, metadata (JSON), suspended/locked flags. */
export interface ComputeServerRow {
  uuid: string; project_id: string; flavor_id: string; image_id: string; key_name: string | null; metadata: string;
  suspended: number; locked: number; created_at: string;
  /** The flavor before a resize that waits for confirmation (migration 22); null otherwise. */
  resize_from?: string | null;
  /** A resize that moved the server: the host it left, and the claim held there until confirm or revert (migration 23). */
  move_source_host?: string | null;
  move_source_claim?: string | null;
  /** The server's Nova name, access addresses and an admin-forced vm_state (migration 24). */
  display_name?: string | null;
  access_ipv4?: string | null;
  access_ipv6?: string | null;
  reset_state?: string | null;
  /** The Berth server (`servers` id) running a snapshot of the server (migration 26); null when none runs. */
  snapshot_by?: string | null;
  resize_from_size?: string | null;
}
/** A user's keypair. */
export interface KeypairRow { user_id: string; name: string; type: string; public_key: string; fingerprint: string; created_at: string }

/** Admin-registered catalog entries (migration 19); `extra` and `filters` JSON objects, `enabled` 0/1. */
export interface CatalogRegionRow { id: string; description: string; parent_region_id: string | null; extra: string }
export interface CatalogServiceRow { id: string; type: string; name: string; enabled: number; description: string; extra: string }
export interface CatalogEndpointRow { id: string; service_id: string; region_id: string | null; interface: string; url: string; enabled: number; extra: string }
export interface EndpointGroupRow { id: string; name: string; description: string; filters: string }
export interface ProjectEndpointRow { project_id: string; endpoint_id: string }
export interface ProjectEndpointGroupRow { project_id: string; endpoint_group_id: string }
