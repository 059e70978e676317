import { hostname } from 'node:os';
import { resolve } from 'node:path';

/**
 * Every setting of `berth server`: one row each, read from a flag or the environment (flag wins).
 * An invalid value stops the start with a message naming the variable.
 */
export interface Config {
  dataDir: string;
  listen: { host: string; port: number };
  dockerListen: { host: string; port: number };
  /** PEM files of the Docker endpoint's TLS listener; with `dockerTlsCa`, clients must show a certificate it signed. */
  dockerTlsCert: string | undefined;
  dockerTlsKey: string | undefined;
  dockerTlsCa: string | undefined;
  database: string;
  adminPassword: string | undefined;
  tokenTtlSeconds: number;
  logLevel: string;
  policyFile: string | undefined;
  requireProjectHeader: boolean;
  region: string;
  engine: string;
  localAgent: boolean;
  hostName: string;
  scheduler: 'fill-first' | 'spread' | 'binpack';
  /** The URL other servers of the cloud reach this one on; undefined: derived from `listen`. */
  advertiseUrl: string | undefined;
  /** Count quota usage and refuse creates over quota (false only to measure what quotas cost). */
  quotas: boolean;
  /** Where the image service keeps image data. */
  imageDir: string;
  /** The largest image upload accepted, in bytes. */
  imageMaxBytes: number;
  /** Keystone's [security_compliance]: all 0/undefined (off) unless set. */
  lockoutFailureAttempts: number;
  lockoutDurationSeconds: number;
  passwordExpiresDays: number;
  uniqueLastPasswordCount: number;
  minimumPasswordAgeDays: number;
  passwordRegex: string | undefined;
  passwordRegexDescription: string | undefined;
}

interface Setting {
  env: string;
  flag: string;
  key: keyof Config;
  help: string;
  default: (c: Partial<Config>) => unknown;
  parse: (v: string, name: string) => unknown;
}

export class ConfigError extends Error {}

function hostPort(v: string, name: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 0 || port > 65535) throw new ConfigError(`${name} must be HOST:PORT (got "${v}")`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}
function positiveInt(v: string, name: string): number {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new ConfigError(`${name} must be a positive whole number (got "${v}")`);
  return Number(v);
}
function bool(v: string, name: string): boolean {
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(`${name} must be true or false (got "${v}")`);
}
function oneOf<T extends string>(values: readonly T[]) {
  return (v: string, name: string): T => {
    if (!(values as readonly string[]).includes(v)) throw new ConfigError(`${name} must be one of ${values.join(', ')} (got "${v}")`);
    return v as T;
  };
}
function httpUrl(v: string, name: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(`${name} must be an http:// or https:// URL (got "${v}")`);
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash) throw new ConfigError(`${name} must be an http:// or https:// URL without query (got "${v}")`);
  return u.toString().replace(/\/+$/, '');
}
function wholeNumber(v: string, name: string): number {
  if (!/^\d+$/.test(v)) throw new ConfigError(`${name} must be a whole number, 0 or more (got "${v}")`);
  return Number(v);
}
function regex(v: string, name: string): string {
  try {
    new RegExp(v, 'u');
  } catch {
    throw new ConfigError(`${name} must be a valid regular expression (got "${v}")`);
  }
  return v;
}
const text = (v: string, name: string) => {
  if (v.trim() === '') throw new ConfigError(`${name} must not be empty`);
  return v;
};

export const settings: Setting[] = [
  { env: 'BERTH_DATA_DIR', flag: '--data-dir', key: 'dataDir', help: 'where the SQLite file, openrc and Berth-owned engine data live', default: () => resolve('.berth'), parse: (v, n) => resolve(text(v, n)) },
  { env: 'BERTH_LISTEN', flag: '--listen', key: 'listen', help: 'address of the OpenStack-style APIs (all under path prefixes)', default: () => ({ host: '127.0.0.1', port: 8780 }), parse: hostPort },
  { env: 'BERTH_DOCKER_LISTEN', flag: '--docker-listen', key: 'dockerListen', help: 'address of the Docker Engine API endpoint', default: () => ({ host: '127.0.0.1', port: 8375 }), parse: hostPort },
  { env: 'BERTH_DOCKER_TLS_CERT', flag: '--docker-tls-cert', key: 'dockerTlsCert', help: 'PEM certificate of the Docker endpoint: it then serves TLS only', default: () => undefined, parse: (v, n) => resolve(text(v, n)) },
  { env: 'BERTH_DOCKER_TLS_KEY', flag: '--docker-tls-key', key: 'dockerTlsKey', help: 'PEM private key of that certificate', default: () => undefined, parse: (v, n) => resolve(text(v, n)) },
  { env: 'BERTH_DOCKER_TLS_CA', flag: '--docker-tls-ca', key: 'dockerTlsCa', help: 'PEM CA certificate: clients of the Docker endpoint must present a certificate it signed (as dockerd --tlsverify)', default: () => undefined, parse: (v, n) => resolve(text(v, n)) },
  { env: 'BERTH_DATABASE', flag: '--database', key: 'database', help: 'sqlite:PATH or postgres://... (default: SQLite file in the data dir)', default: (c) => `sqlite:${resolve(c.dataDir ?? '.berth', 'berth.db')}`, parse: (v, n) => {
    if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(v)) throw new ConfigError(`${n} must start with sqlite: or postgres:// (got "${v}")`);
    return v;
  } },
  { env: 'BERTH_ADMIN_PASSWORD', flag: '--admin-password', key: 'adminPassword', help: 'password of the bootstrap admin (generated on first start when unset)', default: () => undefined, parse: text },
  { env: 'BERTH_TOKEN_TTL', flag: '--token-ttl', key: 'tokenTtlSeconds', help: 'token lifetime in seconds', default: () => 3600, parse: positiveInt },
  { env: 'BERTH_LOG_LEVEL', flag: '--log-level', key: 'logLevel', help: 'fatal, error, warn, info, debug or trace', default: () => 'info', parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) },
  { env: 'BERTH_POLICY_FILE', flag: '--policy-file', key: 'policyFile', help: 'YAML or JSON file overriding policy rules', default: () => undefined, parse: (v, n) => resolve(text(v, n)) },
  { env: 'BERTH_REQUIRE_PROJECT_HEADER', flag: '--require-project-header', key: 'requireProjectHeader', help: 'refuse requests without X-Auth-Project-Id', default: () => false, parse: bool },
  { env: 'BERTH_REGION', flag: '--region', key: 'region', help: 'region name in the service catalog', default: () => 'RegionOne', parse: text },
  { env: 'BERTH_ENGINE', flag: '--engine', key: 'engine', help: 'Docker engine of the in-process agent (default: DOCKER_HOST or the local socket)', default: () => process.env.DOCKER_HOST || 'unix:///var/run/docker.sock', parse: text },
  { env: 'BERTH_LOCAL_AGENT', flag: '--local-agent', key: 'localAgent', help: 'run an agent for the local engine inside the server', default: () => true, parse: bool },
  { env: 'BERTH_HOST_NAME', flag: '--host-name', key: 'hostName', help: 'name of the in-process agent\'s compute host', default: () => hostname(), parse: text },
  { env: 'BERTH_SCHEDULER', flag: '--scheduler', key: 'scheduler', help: 'placement strategy: fill-first, spread or binpack', default: () => 'fill-first', parse: oneOf(['fill-first', 'spread', 'binpack'] as const) },
  { env: 'BERTH_ADVERTISE_URL', flag: '--advertise-url', key: 'advertiseUrl', help: 'URL the other servers of the cloud reach this one on, for agent calls they forward (default: from --listen)', default: () => undefined, parse: httpUrl },
  { env: 'BERTH_IMAGE_DIR', flag: '--image-dir', key: 'imageDir', help: 'where image data is kept (default: images/ in the data dir)', default: (c) => resolve(c.dataDir ?? '.berth', 'images'), parse: (v, n) => resolve(text(v, n)) },
  { env: 'BERTH_IMAGE_MAX_BYTES', flag: '--image-max-bytes', key: 'imageMaxBytes', help: 'largest image upload accepted, in bytes', default: () => 8 * 1024 ** 3, parse: positiveInt },
  { env: 'BERTH_LOCKOUT_FAILURE_ATTEMPTS', flag: '--lockout-failure-attempts', key: 'lockoutFailureAttempts', help: 'wrong passwords in a row that lock a user (0: never)', default: () => 0, parse: wholeNumber },
  { env: 'BERTH_LOCKOUT_DURATION', flag: '--lockout-duration', key: 'lockoutDurationSeconds', help: 'seconds a locked user stays locked (0: until re-enabled)', default: () => 0, parse: wholeNumber },
  { env: 'BERTH_PASSWORD_EXPIRES_DAYS', flag: '--password-expires-days', key: 'passwordExpiresDays', help: 'days a password is valid (0: forever)', default: () => 0, parse: wholeNumber },
  { env: 'BERTH_UNIQUE_LAST_PASSWORD_COUNT', flag: '--unique-last-password-count', key: 'uniqueLastPasswordCount', help: 'latest passwords, the current one included, a user may not reuse when changing their own (0: off)', default: () => 0, parse: wholeNumber },
  { env: 'BERTH_MINIMUM_PASSWORD_AGE', flag: '--minimum-password-age', key: 'minimumPasswordAgeDays', help: 'days a user must keep a password they set before changing it again (0: off)', default: () => 0, parse: wholeNumber },
  { env: 'BERTH_PASSWORD_REGEX', flag: '--password-regex', key: 'passwordRegex', help: 'pattern every new password must match from its start', default: () => undefined, parse: regex },
  { env: 'BERTH_PASSWORD_REGEX_DESCRIPTION', flag: '--password-regex-description', key: 'passwordRegexDescription', help: 'the pattern\'s requirements in words, shown when a password does not match', default: () => undefined, parse: text },
  { env: 'BERTH_QUOTAS', flag: '--quotas', key: 'quotas', help: 'enforce quotas (false only to measure what they cost)', default: () => true, parse: bool },
];

/** Builds the configuration from flags (already parsed, keyed by setting key) and the environment. */
export function loadConfig(env: NodeJS.ProcessEnv, flags: Partial<Record<keyof Config, string>> = {}): Config {
  const out: Partial<Config> = {};
  for (const s of settings) {
    const raw = flags[s.key] ?? env[s.env];
    const name = flags[s.key] !== undefined ? s.flag : s.env;
    (out as Record<string, unknown>)[s.key] = raw === undefined ? s.default(out) : s.parse(raw, name);
  }
  if ((out.dockerTlsCert === undefined) !== (out.dockerTlsKey === undefined))
    throw new ConfigError('BERTH_DOCKER_TLS_CERT and BERTH_DOCKER_TLS_KEY go together: set both for a TLS Docker endpoint, or neither');
  if (out.dockerTlsCa !== undefined && out.dockerTlsCert === undefined)
    throw new ConfigError('BERTH_DOCKER_TLS_CA needs BERTH_DOCKER_TLS_CERT and BERTH_DOCKER_TLS_KEY (client certificates are checked on a TLS endpoint only)');
  return out as Config;
}
