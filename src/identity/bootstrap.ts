import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Database } from '../store/db.js';
import { newId } from '../core/ids.js';
import * as repo from '../store/identity-repo.js';
import { hashPassword } from './password.js';

export const DEFAULT_DOMAIN_ID = 'default';
export const BOOTSTRAP_ROLES = ['admin', 'member', 'reader'] as const;

export interface BootstrapResult { created: boolean; adminPassword?: string }

/**
 * First start: domain Default, roles admin/member/reader, projects admin and service, user admin with
 * role admin on project admin. Later starts change nothing. Runs under a lock so two servers starting
 * on one PostgreSQL bootstrap once.
 */
export async function bootstrapIdentity(db: Database, adminPassword: string | undefined): Promise<BootstrapResult> {
  return db.tx(async (trx) => {
    await db.lock(trx, 'bootstrap');
    if (await repo.getSetting(trx, 'bootstrapped')) return { created: false };
    const now = new Date().toISOString();
    const password = adminPassword ?? randomBytes(18).toString('base64url');
    await repo.insertDomain(trx, { id: DEFAULT_DOMAIN_ID, name: 'Default', description: 'The default domain', enabled: 1, created_at: now });
    const roleIds: Record<string, string> = {};
    for (const name of BOOTSTRAP_ROLES) {
      roleIds[name] = newId();
      await repo.insertRole(trx, { id: roleIds[name], name, description: '', created_at: now });
    }
    const projects: Record<string, string> = {};
    for (const name of ['admin', 'service']) {
      projects[name] = newId();
      await repo.insertProject(trx, {
        id: projects[name], name, domain_id: DEFAULT_DOMAIN_ID, parent_id: null,
        description: name === 'admin' ? 'Bootstrap project for initializing the cloud.' : 'Project for Berth services',
        enabled: 1, tags: '[]', created_at: now, extra: '{}',
      });
    }
    const adminId = newId();
    await repo.insertUser(trx, {
      id: adminId, name: 'admin', domain_id: DEFAULT_DOMAIN_ID, default_project_id: projects.admin,
      password_hash: await hashPassword(password), enabled: 1, email: null, description: 'Cloud administrator',
      password_changed_at: now, created_at: now, extra: '{}',
    });
    await repo.insertAssignment(trx, { user_id: adminId, target_type: 'project', target_id: projects.admin, role_id: roleIds.admin });
    await repo.insertAssignment(trx, { user_id: adminId, target_type: 'domain', target_id: DEFAULT_DOMAIN_ID, role_id: roleIds.admin });
    await repo.putSetting(trx, 'bootstrapped', now);
    return { created: true, adminPassword: password };
  }).finally(repo.projectsChanged);
}

/**
 * Writes `<data dir>/openrc` (mode 0600) for the OpenStack CLI. The password is known only when it was
 * just set; on later starts only the auth URL and region lines are refreshed.
 */
export function writeOpenrc(dataDir: string, authUrl: string, region: string, adminPassword: string | undefined, dockerHost?: string): string {
  const file = join(dataDir, 'openrc');
  let password = adminPassword;
  if (password === undefined && existsSync(file)) {
    const m = /^export OS_PASSWORD='?([^'\n]*)'?$/m.exec(readFileSync(file, 'utf8'));
    password = m?.[1];
  }
  const lines = [
    '# Berth credentials for the OpenStack CLI: source this file, then run `openstack token issue`.',
    `export OS_AUTH_URL=${authUrl}`,
    'export OS_USERNAME=admin',
    `export OS_PASSWORD='${password ?? ''}'`,
    'export OS_PROJECT_NAME=admin',
    'export OS_USER_DOMAIN_NAME=Default',
    'export OS_PROJECT_DOMAIN_NAME=Default',
    'export OS_IDENTITY_API_VERSION=3',
    `export OS_REGION_NAME=${region}`,
    'export OS_INTERFACE=public',
    // The Docker endpoint, for `eval "$(berth docker-env)"`.
    ...(dockerHost ? [`export BERTH_DOCKER_HOST=${dockerHost}`] : []),
    '',
  ];
  writeFileSync(file, lines.join('\n'), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
