/**
 * @module A small OpenStack client session for Berth's own commands: the OS_* variables of an openrc
 * file (as Berth writes it), a password login to Keystone, the catalog's endpoints, and JSON calls whose
 * failures carry the server's message.
 */

/** A failure to report: its message goes to stderr and the command exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export interface OsCredentials {
  authUrl: string;
  username: string;
  password: string;
  userDomain: { id: string } | { name: string };
  project: { id: string } | { name: string; domain: { id: string } | { name: string } };
  region: string | undefined;
  interface: string;
}

/** The credentials from OS_* variables; a missing one is a usage error (exit 2). */
export function credentialsFrom(env: NodeJS.ProcessEnv): OsCredentials {
  const need = (k: string) => {
    const v = env[k];
    if (!v) throw new CliError(`${k} is not set; source the openrc file of your cloud (Berth writes one in its data directory)`, 2);
    return v;
  };
  const authUrl = need('OS_AUTH_URL').replace(/\/+$/, '');
  const username = need('OS_USERNAME');
  const password = need('OS_PASSWORD');
  const domain = (prefix: string) => (env[`${prefix}_ID`] ? { id: env[`${prefix}_ID`]! } : { name: env[`${prefix}_NAME`] || 'Default' });
  const project = env.OS_PROJECT_ID
    ? { id: env.OS_PROJECT_ID }
    : { name: env.OS_PROJECT_NAME || env.OS_TENANT_NAME || need('OS_PROJECT_NAME'), domain: domain('OS_PROJECT_DOMAIN') };
  return {
    authUrl: /\/v3$/.test(authUrl) ? authUrl : `${authUrl}/v3`, username, password, userDomain: domain('OS_USER_DOMAIN'), project,
    region: env.OS_REGION_NAME || undefined, interface: (env.OS_INTERFACE || 'public').replace(/URL$/, ''),
  };
}

interface CatalogEntry { type: string; endpoints: { interface: string; region?: string; region_id?: string; url: string }[] }
interface TokenBody { project?: { id: string; name: string }; catalog?: CatalogEntry[] }

/** What an error answer says: Keystone's error.message, Zun's errors[0].detail, or a plain message. */
function messageOf(status: number, text: string): string {
  try {
    const b = JSON.parse(text) as { error?: { message?: string }; errors?: { detail?: string; title?: string }[]; message?: string };
    const m = b.error?.message ?? b.errors?.[0]?.detail ?? b.errors?.[0]?.title ?? b.message;
    if (m) return `${m} (HTTP ${status})`;
  } catch {
    // not JSON: the text itself
  }
  return `HTTP ${status}${text ? `: ${text.slice(0, 500)}` : ''}`;
}

async function send(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<Response> {
  try {
    return await fetch(url, {
      method, headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
    throw new CliError(`cannot reach ${new URL(url).origin}: ${cause}`);
  }
}

export class OsSession {
  readonly token: string;
  readonly projectId: string;
  readonly projectName: string;
  readonly identityUrl: string;
  readonly #catalog: CatalogEntry[];
  readonly #creds: OsCredentials;

  private constructor(creds: OsCredentials, token: string, body: TokenBody) {
    this.#creds = creds;
    this.token = token;
    this.projectId = body.project?.id ?? '';
    this.projectName = body.project?.name ?? '';
    this.identityUrl = creds.authUrl;
    this.#catalog = body.catalog ?? [];
  }

  /** Logs in with the password and project of `creds` (POST /v3/auth/tokens). */
  static async login(creds: OsCredentials): Promise<OsSession> {
    const auth = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: creds.username, domain: creds.userDomain, password: creds.password } } },
        scope: { project: creds.project },
      },
    };
    const res = await send('POST', `${creds.authUrl}/auth/tokens`, {}, auth);
    const text = await res.text();
    const token = res.headers.get('x-subject-token');
    if (!res.ok || !token) throw new CliError(`login as ${creds.username} failed: ${messageOf(res.status, text)}`);
    return new OsSession(creds, token, (JSON.parse(text) as { token: TokenBody }).token);
  }

  /** The URL of a service of the catalog, for the interface and region of the credentials. */
  endpoint(type: string): string {
    const eps = this.#catalog.find((c) => c.type === type)?.endpoints ?? [];
    const ep = eps.find((e) => e.interface === this.#creds.interface && (!this.#creds.region || (e.region_id ?? e.region) === this.#creds.region));
    if (!ep) throw new CliError(`the catalog has no ${this.#creds.interface} ${type} endpoint${this.#creds.region ? ` in region ${this.#creds.region}` : ''}`);
    return ep.url.replace(/\/+$/, '');
  }

  /** A JSON call with the session's token; an error answer throws with the server's message. */
  async call(method: string, url: string, body?: unknown): Promise<unknown> {
    const res = await this.raw(method, url, body);
    const text = await res.text();
    if (!res.ok) throw new CliError(messageOf(res.status, text));
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }

  raw(method: string, url: string, body?: unknown): Promise<Response> {
    return send(method, url, { 'X-Auth-Token': this.token }, body);
  }

  /**
   * A project's id from its name or id: the session's own project, else a project of that name (an
   * admin may list them), else the text itself, taken as an id (the server says when none has it).
   */
  async projectIdOf(nameOrId: string): Promise<string> {
    if (nameOrId === this.projectId || nameOrId === this.projectName) return this.projectId;
    const res = await this.raw('GET', `${this.identityUrl}/projects?name=${encodeURIComponent(nameOrId)}`);
    if (!res.ok) return nameOrId;
    const found = ((await res.json()) as { projects?: { id: string }[] }).projects ?? [];
    if (found.length > 1) throw new CliError(`${found.length} projects are named ${nameOrId}; give the id of the one you mean`);
    return found[0]?.id ?? nameOrId;
  }
}
