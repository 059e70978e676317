import type { Kysely } from 'kysely';

/**
 * What a server has beyond its container: `display_name` is its Nova name (any text, not unique; the
 * container keeps a Docker-valid, unique name and gets a generated one when the server's name is not
 * such), `access_ipv4` / `access_ipv6` the user-set access addresses, and `reset_state` the vm_state an
 * admin forced with os-resetState ('error'; null when none is forced), and `resize_from_size` the cpu and
 * memory a resize waiting for confirmation started from (JSON {vcpus, ram}; a revert restores them even
 * when the old flavor was deleted meanwhile).
 */
export async function computeServerFieldsSchema(db: Kysely<any>): Promise<void> {
  for (const column of ['display_name', 'access_ipv4', 'access_ipv6', 'reset_state', 'resize_from_size']) {
    await db.schema.alterTable('compute_servers').addColumn(column, 'text').execute();
  }
}
