/**
 * The container API's answers to bad input, over HTTP, with a real engine behind it: one table of
 * cases that covers every route the server registered under /container (each answered in Zun's error
 * format, never a 500), microversion negotiation, the action records, another project's containers
 * (404, not 403), admin listings, duplicate names and paging on each database, and secrets that never
 * reach the server's log or the action records.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { memoryLog, registeredRoutes, waitFor, type HttpAnswer } from './helpers.js';
import {
  ZUN, addUser, assertZunError, docker, tarOf, deleteAllContainers, eachEngineDialect, waitGone, engineSkipReason, startEngineServer,
  stopEngineServer, waitStatus, zunAs, type EngineServer, type TestUser, type Zun,
} from './containers-fixture.js';

const skip = await engineSkipReason();

type Who = 'alice' | 'bob' | 'carol' | 'admin' | 'none';

/** One bad request: `path` is under /container/v1 unless it starts with /container; {placeholders} are filled in. */
interface Case {
  name: string;
  method: string;
  path: string;
  as?: Who;
  body?: unknown;
  headers?: Record<string, string>;
  /** Microversion to send (default latest; null: none). */
  version?: string | null;
  status: number;
  detail?: RegExp | string;
}

const deny = (rule: string) => `Policy doesn't allow ${rule} to be performed.`;
const b64 = (n: number) => randomBytes(n).toString('base64');

/** The table. Placeholders: {target} running, {idle} created (never started), {foreign} another project's, {missing}, {host}. */
function table(): Case[] {
  const create = (name: string, body: unknown, status: number, detail?: RegExp | string, extra: Partial<Case> = {}): Case =>
    ({ name: `create: ${name}`, method: 'POST', path: '/containers', body, status, detail, ...extra });
  const img = { image: 'busybox' };
  return [
    // Version documents: only the version header can be wrong.
    { name: 'root document at an unsupported version', method: 'GET', path: '/container', as: 'none', version: '1.99', status: 406, detail: /not supported/ },
    { name: 'v1 document at a malformed version', method: 'GET', path: '/container/v1', as: 'none', version: '1.x', status: 400, detail: /Invalid API version/ },

    create('no token', img, 401, undefined, { as: 'none' }),
    create('malformed JSON', '{"image": "busybox",', 400, /Malformed JSON/),
    create('a JSON array', '[]', 400),
    create('a JSON string', '"busybox"', 400),
    create('no body', undefined, 400),
    create('a text/plain body', 'image=busybox', 400, undefined, { headers: { 'Content-Type': 'text/plain' } }),
    create('no image', { name: 'noimage' }, 400, /image/),
    create('an unknown field', { ...img, colour: 'red' }, 400, /colour|additional/),
    create('image of the wrong type', { image: 5 }, 400),
    create('command of the wrong type', { ...img, command: 5 }, 400),
    create('environment values of the wrong type', { ...img, environment: { A: 1 } }, 400),
    create('labels as a list', { ...img, labels: ['a=b'] }, 400),
    create('interactive as text', { ...img, interactive: 'yes' }, 400),
    create('cpu as a boolean', { ...img, cpu: true }, 400),
    create('negative cpu', { ...img, cpu: -1 }, 400, /Invalid cpu/),
    create('zero cpu', { ...img, cpu: 0 }, 400, /Invalid cpu/),
    create('absurd cpu', { ...img, cpu: 1e9 }, 400, /Invalid cpu/),
    create('cpu as words', { ...img, cpu: 'two' }, 400),
    create('negative cpu as text', { ...img, cpu: '-2' }, 400),
    create('negative memory', { ...img, memory: -5 }, 400, /Invalid memory/),
    create('zero memory', { ...img, memory: 0 }, 400, /Invalid memory/),
    create('memory below the engine minimum', { ...img, memory: 3 }, 400, /Invalid memory/),
    create('memory with an unknown unit', { ...img, memory: '1t' }, 400),
    create('fractional memory', { ...img, memory: 1.5 }, 400),
    create('absurd memory', { ...img, memory: 1e15 }, 400, /Invalid memory/),
    create('absurd memory with a unit', { ...img, memory: '99999999g' }, 400, /Invalid memory/),
    create('negative disk', { ...img, disk: -1 }, 400),
    create('a name starting with a dash', { ...img, name: '-x' }, 400),
    create('a one-character name', { ...img, name: 'x' }, 400),
    create('a name with a space', { ...img, name: 'a b' }, 400),
    create('an empty name', { ...img, name: '' }, 400),
    create('a name of 256 characters', { ...img, name: 'n'.repeat(256) }, 400),
    create('a name with NUL', { ...img, name: 'ab\u0000cd' }, 400, /NUL/),
    create('an image with a space', { image: 'busy box' }, 400),
    create('an empty image', { image: '' }, 400),
    create('an environment name with =', { ...img, environment: { 'A=B': 'x' } }, 400, /environment variable name/),
    create('a reserved label', { ...img, labels: { 'berth.cloud': 'other' } }, 400, /reserved/),
    create('a bad hostname', { ...img, hostname: 'bad_host!' }, 400),
    create('an unknown restart policy', { ...img, restart_policy: { Name: 'sometimes' } }, 400),
    create('an exposed port out of range', { ...img, exposed_ports: { '99999/tcp': {} } }, 400, /port/),
    create('run=maybe', img, 400, undefined, { path: '/containers?run=maybe' }),
    create('entrypoint before 1.40', { ...img, entrypoint: ['sh'] }, 400, /entrypoint/, { version: '1.39' }),
    create('tty before 1.36', { ...img, tty: true }, 400, /tty/, { version: '1.35' }),
    create('privileged by a member', { ...img, privileged: true }, 403, deny('container:create:privileged')),
    create('a host bind mount by a member', { ...img, mounts: [{ type: 'bind', source: '/etc', destination: '/host-etc' }] }, 403, deny('container:create:host_mounts')),
    create('another runtime by a member', { ...img, runtime: 'kata' }, 403, deny('container:create:runtime')),
    create('host pinning by a member', { ...img, host: '{host}' }, 403, deny('container:create:requested_destination')),
    create('nets', { ...img, nets: [{ network: 'private' }] }, 400, /nets/),
    create('security groups', { ...img, security_groups: ['default'] }, 400, /Security groups/),
    create('a volume mount', { ...img, mounts: [{ source: 'vol', destination: '/data' }] }, 400, /Mounts/),
    create('a host bind mount by an admin (allowed, not supported)', { ...img, mounts: [{ type: 'bind', source: '/etc', destination: '/x' }] }, 400, /Mounts/, { as: 'admin' }),
    create('image driver glance with an unknown image', { image: 'no-such-image', image_driver: 'glance' }, 404, 'Image no-such-image could not be found.'),
    create('an unknown image driver', { ...img, image_driver: 'other' }, 400),
    create('auto_heal', { ...img, auto_heal: true }, 400, /auto_heal/),
    create('a duplicate name in the project', { ...img, name: 'idle' }, 409, /A container with name idle already exists/),
    create('by a reader', img, 403, deny('container:create'), { as: 'carol' }),

    { name: 'list: no token', method: 'GET', path: '/containers', as: 'none', status: 401 },
    { name: 'list: negative limit', method: 'GET', path: '/containers?limit=-1', status: 400 },
    { name: 'list: limit as words', method: 'GET', path: '/containers?limit=ten', status: 400 },
    { name: 'list: unknown sort key', method: 'GET', path: '/containers?sort_key=password', status: 400 },
    { name: 'list: unknown sort direction', method: 'GET', path: '/containers?sort_dir=up', status: 400 },
    { name: 'list: unknown marker', method: 'GET', path: '/containers?marker={missing}', status: 404 },
    { name: "list: another project's container as marker", method: 'GET', path: '/containers?marker={foreign}', status: 404 },
    { name: 'list: all_projects by a member', method: 'GET', path: '/containers?all_projects=True', status: 403, detail: deny('container:get_all_all_projects') },
    { name: 'list: all_projects=perhaps', method: 'GET', path: '/containers?all_projects=perhaps', status: 400 },

    { name: 'show: unknown uuid', method: 'GET', path: '/containers/{missing}', status: 404, detail: /Container [0-9a-f-]{36} could not be found/ },
    { name: "show: another project's uuid", method: 'GET', path: '/containers/{foreign}', status: 404 },
    { name: 'show: unknown name', method: 'GET', path: '/containers/no-such-name', status: 404 },
    { name: 'show: an id of 300 characters', method: 'GET', path: `/containers/${'a'.repeat(300)}`, status: 400 },
    { name: 'show: all_projects=maybe', method: 'GET', path: '/containers/{target}?all_projects=maybe', status: 400 },
    { name: 'show: no token', method: 'GET', path: '/containers/{target}', as: 'none', status: 401 },

    { name: 'update: unknown container', method: 'PATCH', path: '/containers/{missing}', body: { cpu: 1 }, status: 404 },
    { name: "update: another project's container", method: 'PATCH', path: '/containers/{foreign}', body: { cpu: 1 }, status: 404 },
    { name: 'update: nothing to change', method: 'PATCH', path: '/containers/{idle}', body: {}, status: 400 },
    { name: 'update: negative cpu', method: 'PATCH', path: '/containers/{idle}', body: { cpu: -1 }, status: 400, detail: /Invalid cpu/ },
    { name: 'update: zero cpu', method: 'PATCH', path: '/containers/{idle}', body: { cpu: 0 }, status: 400, detail: /Invalid cpu/ },
    { name: 'update: memory as words', method: 'PATCH', path: '/containers/{idle}', body: { memory: 'lots' }, status: 400 },
    { name: 'update: absurd memory', method: 'PATCH', path: '/containers/{idle}', body: { memory: 1e15 }, status: 400, detail: /Invalid memory/ },
    { name: 'update: a bad name', method: 'PATCH', path: '/containers/{idle}', body: { name: '-x' }, status: 400 },
    { name: 'update: an unknown field', method: 'PATCH', path: '/containers/{idle}', body: { colour: 'red' }, status: 400 },
    { name: 'update: malformed JSON', method: 'PATCH', path: '/containers/{idle}', body: '{"cpu": ', status: 400, detail: /Malformed JSON/ },
    { name: 'update: auto_heal', method: 'PATCH', path: '/containers/{idle}', body: { auto_heal: true }, status: 400 },
    { name: "update: another container's name", method: 'PATCH', path: '/containers/{idle}', body: { name: 'target' }, status: 409, detail: /already exists/ },
    { name: 'update: by a reader', method: 'PATCH', path: '/containers/{idle}', body: { cpu: 1 }, as: 'carol', status: 403, detail: deny('container:update') },

    { name: 'delete: unknown container', method: 'DELETE', path: '/containers/{missing}', status: 404 },
    { name: "delete: another project's container", method: 'DELETE', path: '/containers/{foreign}', status: 404 },
    { name: 'delete: force and stop together', method: 'DELETE', path: '/containers/{target}?force=True&stop=True', status: 400 },
    { name: 'delete: force=maybe', method: 'DELETE', path: '/containers/{target}?force=maybe', status: 400 },
    { name: 'delete: a running container without force', method: 'DELETE', path: '/containers/{target}', status: 409, detail: 'Cannot delete container {target} in Running state.' },
    { name: 'delete: by a reader', method: 'DELETE', path: '/containers/{idle}', as: 'carol', status: 403, detail: deny('container:delete') },

    { name: 'start: a running container', method: 'POST', path: '/containers/{target}/start', status: 409, detail: 'Cannot start container {target} in Running state.' },
    { name: 'start: unknown container', method: 'POST', path: '/containers/{missing}/start', status: 404 },
    { name: "start: another project's container", method: 'POST', path: '/containers/{foreign}/start', status: 404 },
    { name: 'start: by a reader', method: 'POST', path: '/containers/{idle}/start', as: 'carol', status: 403, detail: deny('container:start') },
    { name: 'stop: negative timeout', method: 'POST', path: '/containers/{target}/stop?timeout=-1', status: 400 },
    { name: 'stop: timeout as words', method: 'POST', path: '/containers/{target}/stop?timeout=soon', status: 400 },
    { name: 'stop: a created container', method: 'POST', path: '/containers/{idle}/stop', status: 409, detail: 'Cannot stop container {idle} in Created state.' },
    { name: 'reboot: absurd timeout', method: 'POST', path: '/containers/{target}/reboot?timeout=99999', status: 400 },
    { name: 'reboot: unknown container', method: 'POST', path: '/containers/{missing}/reboot', status: 404 },
    { name: 'pause: a created container', method: 'POST', path: '/containers/{idle}/pause', status: 409, detail: 'Cannot pause container {idle} in Created state.' },
    { name: 'unpause: a running container', method: 'POST', path: '/containers/{target}/unpause', status: 409, detail: 'Cannot unpause container {target} in Running state.' },
    { name: 'kill: a signal with punctuation', method: 'POST', path: '/containers/{target}/kill?signal=NOPE!!', status: 400 },
    { name: 'kill: a negative signal', method: 'POST', path: '/containers/{target}/kill?signal=-9', status: 400 },
    { name: 'kill: an unknown signal name', method: 'POST', path: '/containers/{target}/kill?signal=SIGFOO', status: 400 },
    { name: 'kill: a created container', method: 'POST', path: '/containers/{idle}/kill', status: 409, detail: /in Created state/ },
    { name: 'rename: a bad name', method: 'POST', path: '/containers/{idle}/rename?name=-x', version: '1.1', status: 400 },
    { name: 'rename: no name', method: 'POST', path: '/containers/{idle}/rename', version: '1.1', status: 400 },
    { name: "rename: another container's name", method: 'POST', path: '/containers/{idle}/rename?name=target', version: '1.1', status: 409, detail: /already exists/ },
    { name: 'rename: removed in 1.14', method: 'POST', path: '/containers/{idle}/rename?name=renamed', status: 404, detail: /removed/ },

    { name: 'logs: negative tail', method: 'GET', path: '/containers/{target}/logs?tail=-1', status: 400 },
    { name: 'logs: tail as words', method: 'GET', path: '/containers/{target}/logs?tail=some', status: 400 },
    { name: 'logs: since as words', method: 'GET', path: '/containers/{target}/logs?since=yesterday', status: 400 },
    { name: 'logs: stdout=maybe', method: 'GET', path: '/containers/{target}/logs?stdout=maybe', status: 400 },
    { name: "logs: another project's container", method: 'GET', path: '/containers/{foreign}/logs', status: 404 },
    { name: 'logs: by a reader', method: 'GET', path: '/containers/{target}/logs', as: 'carol', status: 403, detail: deny('container:logs') },
    { name: 'execute: an empty command', method: 'POST', path: '/containers/{target}/execute?command=', status: 400 },
    { name: 'execute: a blank command', method: 'POST', path: '/containers/{target}/execute?command=%20%20%20', status: 400, detail: /empty/ },
    { name: 'execute: no command', method: 'POST', path: '/containers/{target}/execute', status: 400 },
    { name: 'execute: an unterminated quote', method: 'POST', path: `/containers/{target}/execute?command=${encodeURIComponent("echo 'x")}`, status: 400, detail: /Unterminated quote/ },
    { name: 'execute: run=maybe', method: 'POST', path: '/containers/{target}/execute?command=ls&run=maybe', status: 400 },
    { name: 'execute: a created container', method: 'POST', path: '/containers/{idle}/execute?command=ls', status: 409, detail: 'Cannot execute container {idle} in Created state.' },
    { name: 'execute_resize: no exec id', method: 'POST', path: '/containers/{target}/execute_resize?w=80&h=24', status: 400 },
    { name: 'execute_resize: zero width', method: 'POST', path: '/containers/{target}/execute_resize?exec_id=x&w=0&h=24', status: 400 },
    { name: 'execute_resize: an unknown exec id', method: 'POST', path: `/containers/{target}/execute_resize?exec_id=${randomUUID()}&w=80&h=24`, status: 404 },
    { name: 'attach: a created container', method: 'GET', path: '/containers/{idle}/attach', status: 409, detail: /in Created state/ },
    { name: 'attach: unknown container', method: 'GET', path: '/containers/{missing}/attach', status: 404 },
    { name: 'resize: zero width', method: 'POST', path: '/containers/{target}/resize?w=0&h=24', status: 400 },
    { name: 'resize: no size', method: 'POST', path: '/containers/{target}/resize', status: 400 },
    { name: 'top: ps arguments with a semicolon', method: 'GET', path: `/containers/{target}/top?ps_args=${encodeURIComponent('aux; rm -rf /')}`, status: 400 },
    { name: 'top: ps arguments ps refuses', method: 'GET', path: '/containers/{target}/top?ps_args=--no-such-option', status: 400 },
    { name: 'top: a created container', method: 'GET', path: '/containers/{idle}/top', status: 409, detail: 'Cannot top container {idle} in Created state.' },
    { name: 'stats: a created container', method: 'GET', path: '/containers/{idle}/stats', status: 409, detail: /in Created state/ },
    { name: "stats: another project's container", method: 'GET', path: '/containers/{foreign}/stats', status: 404 },
    { name: 'get_archive: no path', method: 'GET', path: '/containers/{target}/get_archive', status: 400 },
    { name: 'get_archive: a relative path', method: 'GET', path: '/containers/{target}/get_archive?path=etc/passwd', status: 400 },
    { name: 'get_archive: a missing path', method: 'GET', path: '/containers/{target}/get_archive?path=/no/such/file', status: 404 },
    { name: 'put_archive: data that is not base64', method: 'POST', path: '/containers/{target}/put_archive?path=/tmp', body: { data: '!!! not base64 !!!' }, status: 400, detail: /base64/ },
    { name: 'put_archive: data that is not a tar archive', method: 'POST', path: '/containers/{target}/put_archive?path=/tmp', body: { data: 'aGVsbG8=' }, status: 400, detail: /tar/ },
    { name: 'put_archive: random bytes that are not a tar archive', method: 'POST', path: '/containers/{target}/put_archive?path=/tmp', body: { data: b64(2048) }, status: 400 },
    { name: 'put_archive: a tar archive cut short, into a directory', method: 'POST', path: '/containers/{target}/put_archive?path=/tmp', body: { data: '{cutTar}' }, status: 400, detail: /could not be extracted/ },
    { name: 'put_archive: a tar archive cut short, as a file', method: 'POST', path: '/containers/{target}/put_archive?path=/tmp/new-file', body: { data: '{cutTar}' }, status: 400, detail: /invalid tar archive/ },
    { name: 'put_archive: no body', method: 'POST', path: '/containers/{target}/put_archive?path=/tmp', status: 400 },
    { name: 'put_archive: an unknown field', method: 'POST', path: '/containers/{target}/put_archive?path=/tmp', body: { data: 'aGVsbG8=', mode: 1 }, status: 400 },
    { name: 'put_archive: malformed JSON', method: 'POST', path: '/containers/{target}/put_archive?path=/tmp', body: '{"data": ', status: 400, detail: /Malformed JSON/ },
    { name: 'put_archive: no path', method: 'POST', path: '/containers/{target}/put_archive', body: { data: 'aGVsbG8=' }, status: 400 },
    { name: 'commit: a bad repository name', method: 'POST', path: '/containers/{target}/commit?repository=Bad/Repo', status: 400 },
    { name: 'commit: no repository', method: 'POST', path: '/containers/{target}/commit', status: 400 },
    { name: 'commit: a bad tag', method: 'POST', path: `/containers/{target}/commit?repository=snap&tag=${encodeURIComponent('bad tag')}`, status: 400 },
    { name: 'commit: unknown container', method: 'POST', path: '/containers/{missing}/commit?repository=snap', status: 404 },
    { name: 'actions: unknown container', method: 'GET', path: '/containers/{missing}/container_actions', status: 404 },
    { name: "actions: another project's container", method: 'GET', path: '/containers/{foreign}/container_actions', status: 404 },
    { name: 'action: an unknown request id', method: 'GET', path: '/containers/{target}/container_actions/req-00000000-0000-0000-0000-000000000000', status: 404, detail: /could not be found/ },
    { name: "action: another project's container", method: 'GET', path: '/containers/{foreign}/container_actions/req-00000000-0000-0000-0000-000000000000', status: 404 },
    { name: 'network_list: unknown container', method: 'GET', path: '/containers/{missing}/network_list', status: 404 },
    { name: 'network_attach: not supported', method: 'POST', path: '/containers/{target}/network_attach?network=private', status: 400, detail: /not supported/ },
    { name: 'network_detach: unknown container', method: 'POST', path: '/containers/{missing}/network_detach?network=private', status: 404 },
    { name: 'add_security_group: not supported', method: 'POST', path: '/containers/{target}/add_security_group?name=default', status: 400 },
    { name: 'remove_security_group: not supported', method: 'POST', path: '/containers/{target}/remove_security_group?name=default', status: 400 },
    { name: 'rebuild: not supported', method: 'POST', path: '/containers/{target}/rebuild', status: 400 },

    { name: 'hosts: by a member', method: 'GET', path: '/hosts', status: 403, detail: deny('host:get_all') },
    { name: 'hosts: negative limit', method: 'GET', path: '/hosts?limit=-1', as: 'admin', status: 400 },
    { name: 'host: unknown', method: 'GET', path: '/hosts/no-such-host', as: 'admin', status: 404 },
    { name: 'host: by a member', method: 'GET', path: '/hosts/{host}', status: 403, detail: deny('host:get') },
    { name: 'services: by a member', method: 'GET', path: '/services', status: 403, detail: deny('zun-service:get_all') },
    { name: 'images: by a member', method: 'GET', path: '/images', status: 403, detail: deny('container:image:get_all') },
    { name: 'images: negative limit', method: 'GET', path: '/images?limit=-1', as: 'admin', status: 400 },
    { name: 'images: unknown sort key', method: 'GET', path: '/images?sort_key=colour', as: 'admin', status: 400 },
    { name: 'image: unknown', method: 'GET', path: '/images/{missing}', as: 'admin', status: 404 },
    { name: 'image: by a member', method: 'GET', path: '/images/{missing}', status: 403, detail: deny('container:image:get_one') },
    { name: 'image delete: unknown', method: 'DELETE', path: '/images/{missing}', as: 'admin', status: 404 },
    { name: 'image delete: by a member', method: 'DELETE', path: '/images/{missing}', status: 403, detail: deny('container:image:delete') },
    { name: 'image pull: no host', method: 'POST', path: '/images', as: 'admin', body: { repo: 'busybox' }, status: 400, detail: /host/ },
    { name: 'image pull: an unknown field', method: 'POST', path: '/images', as: 'admin', body: { repo: 'busybox', host: '{host}', colour: 'red' }, status: 400 },
    { name: 'image pull: unknown driver', method: 'POST', path: '/images', as: 'admin', body: { repo: 'busybox', host: '{host}', image_driver: 'oci' }, status: 400 },
    { name: 'image pull: unknown host', method: 'POST', path: '/images', as: 'admin', body: { repo: 'busybox', host: 'no-such-host' }, status: 404 },
    { name: 'image pull: docker repo the engine lacks', method: 'POST', path: '/images', as: 'admin', body: { repo: 'berth-no-such-repo:1', host: '{host}', image_driver: 'docker' }, status: 400, detail: /no registry/ },
    { name: 'image pull: by a member', method: 'POST', path: '/images', body: { repo: 'busybox', host: '{host}' }, status: 403, detail: deny('container:image:pull') },
    { name: 'services: limit as words', method: 'GET', path: '/services?limit=ten', as: 'admin', status: 400 },
    { name: 'service delete: no host', method: 'DELETE', path: '/services?binary=zun-compute', as: 'admin', status: 400 },
    { name: 'service delete: unknown host', method: 'DELETE', path: '/services?host=no-such-host&binary=zun-compute', as: 'admin', status: 404 },
    { name: 'service delete: unknown binary', method: 'DELETE', path: '/services?host={host}&binary=zun-api', as: 'admin', status: 404 },
    { name: 'service delete: a host that is up', method: 'DELETE', path: '/services?host={host}&binary=zun-compute', as: 'admin', status: 409, detail: /is up/ },
    { name: 'service delete: by a member', method: 'DELETE', path: '/services?host={host}&binary=zun-compute', status: 403, detail: deny('zun-service:delete') },
    { name: 'service enable: unknown host', method: 'PUT', path: '/services/enable?host=no-such-host&binary=zun-compute', as: 'admin', status: 404 },
    { name: 'service enable: unknown binary', method: 'PUT', path: '/services/enable?host={host}&binary=zun-api', as: 'admin', status: 404 },
    { name: 'service enable: no binary', method: 'PUT', path: '/services/enable?host={host}', as: 'admin', status: 400 },
    { name: 'service enable: by a member', method: 'PUT', path: '/services/enable?host={host}&binary=zun-compute', status: 403, detail: deny('zun-service:update') },
    { name: 'service disable: unknown host', method: 'PUT', path: '/services/disable?host=no-such-host&binary=zun-compute', as: 'admin', status: 404 },
    { name: 'service disable: unknown binary', method: 'PUT', path: '/services/disable?host={host}&binary=zun-api', as: 'admin', status: 404 },
    { name: 'service force_down: unknown host', method: 'PUT', path: '/services/force_down?host=no-such-host&binary=zun-compute&forced_down=True', as: 'admin', status: 404 },
    { name: 'service force_down: unknown binary', method: 'PUT', path: '/services/force_down?host={host}&binary=zun-api&forced_down=True', as: 'admin', status: 404 },
    { name: 'service force_down: forced_down=maybe', method: 'PUT', path: '/services/force_down?host={host}&binary=zun-compute&forced_down=maybe', as: 'admin', status: 400 },
    { name: 'host credentials: by a member', method: 'POST', path: '/os-berth/host-credentials', body: { host: 'sneaky' }, status: 403, detail: deny('berth:host_credentials') },
    { name: 'host credentials: a bad host name', method: 'POST', path: '/os-berth/host-credentials', body: { host: '-x' }, as: 'admin', status: 400 },
    { name: 'host credentials: an unknown field', method: 'POST', path: '/os-berth/host-credentials', body: { host: 'h1', zone: 'z' }, as: 'admin', status: 400 },
    { name: 'host credentials: no host', method: 'POST', path: '/os-berth/host-credentials', body: {}, as: 'admin', status: 400 },
    { name: 'host credentials: malformed JSON', method: 'POST', path: '/os-berth/host-credentials', body: '{"host": ', as: 'admin', status: 400, detail: /Malformed JSON/ },

    // Quotas (more in quotas-http.test.ts).
    { name: 'quota: unknown project', method: 'GET', path: '/quotas/no-such-project', as: 'admin', status: 404, detail: /no-such-project/ },
    { name: 'quota: usages not a boolean', method: 'GET', path: '/quotas/no-such-project?usages=maybe', as: 'admin', status: 400 },
    { name: 'quota: an amount as words', method: 'PUT', path: '/quotas/no-such-project', body: { cpu: 'lots' }, as: 'admin', status: 400, detail: /cpu/ },
    { name: 'quota: by a member', method: 'PUT', path: '/quotas/no-such-project', body: { cpu: 1 }, status: 403, detail: deny('container:quota:update') },
    { name: 'quota: reset of an unknown project', method: 'DELETE', path: '/quotas/no-such-project', as: 'admin', status: 404 },
    { name: 'quota defaults: unknown project', method: 'GET', path: '/quotas/no-such-project/defaults', as: 'admin', status: 404 },
    { name: 'quota class: a name of 256 characters', method: 'GET', path: `/quota_classes/${'c'.repeat(256)}`, as: 'admin', status: 400 },
    { name: 'quota class: a negative amount', method: 'PUT', path: '/quota_classes/default', body: { memory: -3 }, as: 'admin', status: 400, detail: /negative/ },
    { name: 'quota tree: an empty project', method: 'GET', path: '/os-berth/quota-tree?project=', as: 'admin', status: 400 },
    { name: 'quota tree: an unknown mode', method: 'PUT', path: '/os-berth/quota-tree/no-such-project', body: { mode: 'burst' }, as: 'admin', status: 400, detail: /mode/ },
  ];
}


/** Case paths are under /container/v1 unless they name the version documents. */
const fullPath = (p: string) => (p === '/container' || p.startsWith('/container/') ? p : `${ZUN}${p}`);

/** The registered route (METHOD URL) a request path hits: static segments win over parameters. */
function routeOf(routes: [string, string][], method: string, fullPath: string): string | undefined {
  const path = fullPath.split('?')[0];
  const hits = routes.filter(([m, u]) => m === method && new RegExp(`^${u.replace(/:[a-z_]+/g, '[^/]+')}/?$`).test(path));
  hits.sort((a, b) => (a[1].match(/:/g)?.length ?? 0) - (b[1].match(/:/g)?.length ?? 0));
  return hits[0] && `${hits[0][0]} ${hits[0][1]}`;
}

eachEngineDialect(skip, (dialect) => {
  /** SQLite runs everything; PostgreSQL the cases whose SQL differs (names, paging, foreign projects). */
  const full = dialect.name === 'sqlite';
  const capture = memoryLog('debug');
  const secret = `s3cr3t-${randomBytes(12).toString('hex')}`;
  let s: EngineServer;
  let adminToken: string;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let pat: TestUser;
  const zun = {} as Record<Who, Zun>;
  const tokens: Partial<Record<Who, string>> = {};
  const ids: Record<string, string> = {};
  let createRequestId: string;

  const fill = (text: string) => text.replace(/\{(target|idle|foreign|missing|host|cutTar)\}/g, (_, k: string) => (k === 'host' ? s.hostName : ids[k]));
  const create = async (who: Zun, body: Record<string, unknown>, run: boolean) => {
    const r = await who('POST', `/containers${run ? '?run=true' : ''}`, { body });
    assert.equal(r.status, 202, r.text);
    return r;
  };

  before(async () => {
    s = await startEngineServer(dialect, 'http', { log: capture.log });
    adminToken = await s.adminToken();
    alice = await addUser(s, adminToken, { user: 'alice', project: 'team-a', role: 'member' });
    [bob, carol, pat] = await Promise.all([
      addUser(s, adminToken, { user: 'bob', project: 'team-b', role: 'member' }),
      addUser(s, adminToken, { user: 'carol', project: 'team-a', role: 'reader' }),
      addUser(s, adminToken, { user: 'pat', project: 'pager', role: 'member' }),
    ]);
    tokens.alice = alice.token;
    tokens.bob = bob.token;
    tokens.carol = carol.token;
    tokens.admin = adminToken;
    for (const who of ['alice', 'bob', 'carol', 'admin', 'none'] as const) zun[who] = zunAs(s, tokens[who]);

    const made = await Promise.all([
      create(zun.alice, { name: 'idle', image: 'busybox', command: ['sleep', '3600'] }, false),
      // The same name in another project is no conflict.
      create(zun.bob, { name: 'idle', image: 'busybox', command: ['sleep', '3600'] }, false),
      ...(full ? [
        create(zun.alice, { name: 'target', image: 'busybox', command: ['sleep', '3600'] }, true),
        create(zun.alice, { name: 'secretive', image: 'busybox', command: ['sh', '-c', 'echo started; exec sleep 3600'], environment: { API_TOKEN: secret } }, true),
      ] : []),
    ]);
    ids.idle = made[0].json.uuid;
    ids.foreign = made[1].json.uuid;
    ids.missing = randomUUID();
    ids.cutTar = (await tarOf('big.bin', randomBytes(8192))).subarray(0, 2048).toString('base64');
    if (full) {
      ids.target = made[2].json.uuid;
      ids.secretive = made[3].json.uuid;
      createRequestId = made[2].headers.get('x-openstack-request-id')!;
    }
    await Promise.all([
      waitStatus(zun.alice, ids.idle, ['Created'], 30_000),
      waitStatus(zun.bob, ids.foreign, ['Created'], 30_000),
      ...(full ? [waitStatus(zun.alice, ids.target, ['Running'], 30_000), waitStatus(zun.alice, ids.secretive, ['Running'], 30_000)] : []),
    ]);
  });
  after(async () => {
    await stopEngineServer(s);
  });

  if (full) {
    it('the table has a bad-input case for every container route the server registered', () => {
      const routes = registeredRoutes(s.server, '/container');
      assert.ok(routes.length >= 40, `routes: ${routes.length}`);
      const covered = new Set<string>();
      for (const c of table()) {
        const path = fullPath(c.path);
        const route = routeOf(routes, c.method, path);
        assert.ok(route, `case "${c.name}" hits no registered route (${c.method} ${path})`);
        covered.add(route);
      }
      const missing = routes.map(([m, u]) => `${m} ${u}`).filter((r) => !covered.has(r));
      assert.deepEqual(missing, [], 'routes without a bad-input case');
    });

    it('every bad-input case: the expected 4xx in Zun\'s format, never a 500', async () => {
      const failures: string[] = [];
      for (const c of table()) {
        const path = fill(fullPath(c.path));
        const headers: Record<string, string> = { ...c.headers };
        const version = c.version === undefined ? 'latest' : c.version;
        if (version !== null) headers['OpenStack-API-Version'] = `container ${version}`;
        const body = c.body === undefined || typeof c.body === 'string' ? c.body : JSON.parse(fill(JSON.stringify(c.body)));
        const r: HttpAnswer = await s.request(c.method, path, { token: tokens[c.as ?? 'alice'], headers, body });
        try {
          assert.ok(r.status < 500, `a server error: ${r.status}`);
          assertZunError(r, c.status, typeof c.detail === 'string' ? fill(c.detail) : c.detail);
        } catch (e) {
          failures.push(`${c.name}: ${(e as Error).message.split('\n')[0].slice(0, 300)}`);
        }
      }
      assert.deepEqual(failures, []);
    });

    it('no token: 401 in Zun\'s format on every route that needs one', async () => {
      const routes = registeredRoutes(s.server, '/container').filter(([, u]) => u !== '/container' && u !== '/container/v1');
      for (const [m, u] of routes) {
        const r = await s.request(m, u.replace(':id', ids.missing).replace(':request_id', 'req-x'));
        assertZunError(r, 401, 'The request you have made requires authentication.', `${m} ${u}`);
      }
      const bad = await s.request('GET', `${ZUN}/containers`, { token: 'not-a-token' });
      assertZunError(bad, 401);
    });

    it('microversions: 1.1 without a header, 1.40 and latest in full, 406 out of range, 400 malformed', async () => {
      const a = zun.alice;
      const v11 = await a('GET', `/containers/${ids.target}`, { version: null });
      assert.equal(v11.status, 200);
      assert.equal(v11.headers.get('openstack-api-version'), 'container 1.1');
      assert.equal(v11.headers.get('openstack-api-minimum-version'), 'container 1.1');
      assert.equal(v11.headers.get('openstack-api-maximum-version'), 'container 1.40');
      assert.equal(v11.json.command, 'sleep 3600', 'command as a string before 1.20');
      for (const k of ['tty', 'entrypoint', 'auto_remove', 'runtime', 'privileged', 'healthcheck', 'registry_id']) assert.ok(!(k in v11.json), `${k} at 1.1`);
      const listed = await a('GET', '/containers', { version: null });
      assert.equal(typeof listed.json.containers.find((c: any) => c.uuid === ids.target).command, 'string');

      const v140 = await a('GET', `/containers/${ids.target}`, { version: '1.40' });
      assert.equal(v140.headers.get('openstack-api-version'), 'container 1.40');
      assert.deepEqual(v140.json.command, ['sleep', '3600']);
      assert.equal(v140.json.tty, false);
      assert.deepEqual(v140.json.entrypoint, []);
      for (const k of ['auto_remove', 'runtime', 'privileged', 'healthcheck', 'registry_id', 'cpu_policy', 'hostname']) assert.ok(k in v140.json, `${k} at 1.40`);
      const v120 = await a('GET', `/containers/${ids.target}`, { version: '1.20' });
      assert.deepEqual(v120.json.command, ['sleep', '3600']);
      assert.ok(!('tty' in v120.json) && 'auto_remove' in v120.json);
      const latest = await a('GET', `/containers/${ids.target}`, { version: 'latest' });
      assert.equal(latest.headers.get('openstack-api-version'), 'container 1.40');
      const other = await a('GET', `/containers/${ids.target}`, { headers: { 'OpenStack-API-Version': 'compute 2.90' }, version: null });
      assert.equal(other.headers.get('openstack-api-version'), 'container 1.1', "another service's version header is not ours");

      for (const v of ['1.99', '1.0', '2.1', '0.9']) assertZunError(await a('GET', '/containers', { version: v }), 406, new RegExp(`Version ${v.replace('.', '\\.')} was requested but is not supported`), v);
      for (const v of ['1.x', 'one', '1', '1.2.3']) assertZunError(await a('GET', '/containers', { version: v }), 400, /Invalid API version/, v);

      // A field newer than the requested version is refused; at its version it is taken.
      assertZunError(await a('POST', '/containers', { version: '1.39', body: { image: 'busybox', entrypoint: ['sh'] } }), 400, /entrypoint/);
      const made = await a('POST', '/containers', { version: '1.40', body: { name: 'entry', image: 'busybox', entrypoint: ['sh', '-c'], command: ['sleep 1'] } });
      assert.equal(made.status, 202, made.text);
      assert.deepEqual(made.json.entrypoint, ['sh', '-c']);
      assert.equal((await a('DELETE', `/containers/${made.json.uuid}?force=True`)).status, 204);
      await waitGone(a, made.json.uuid);

      // The version documents.
      const root = await s.request('GET', '/container');
      assert.equal(root.status, 200);
      assert.equal(root.json.versions[0].min_version, '1.1');
      assert.equal(root.json.versions[0].max_version, '1.40');
      const v1 = await s.request('GET', '/container/v1');
      assert.equal(v1.json.max_version, '1.40');
    });

    it('container actions: every action with its request id; show by request id; finish_time from 1.33', async () => {
      const a = zun.alice;
      const exec = await a('POST', `/containers/${ids.target}/execute?command=${encodeURIComponent('echo hi')}&run=true`);
      assert.equal(exec.status, 200, exec.text);
      assert.equal(exec.json.output, 'hi\n');
      assert.equal(exec.json.exit_code, 0);
      const execId = exec.headers.get('x-openstack-request-id');
      const list = await a('GET', `/containers/${ids.target}/container_actions`);
      assert.equal(list.status, 200);
      const actions = list.json.containerActions;
      const run = actions.find((x: any) => x.request_id === createRequestId);
      assert.ok(run, `the create request ${createRequestId} is recorded: ${list.text}`);
      assert.equal(run.action, 'run');
      assert.equal(run.user_id, alice.userId);
      assert.equal(run.project_id, alice.projectId);
      assert.ok(actions.some((x: any) => x.request_id === execId && x.action === 'exec'), list.text);
      const shown = await a('GET', `/containers/${ids.target}/container_actions/${createRequestId}`);
      assert.equal(shown.status, 200);
      assert.equal(shown.json.action, 'run');
      assert.deepEqual(shown.json.events, []);
      assert.ok(shown.json.finish_time, 'finished once Running');
      const old = await a('GET', `/containers/${ids.target}/container_actions`, { version: '1.32' });
      assert.ok(!('finish_time' in old.json.containerActions[0]));
      // A reader of the project may read the history.
      assert.equal((await zun.carol('GET', `/containers/${ids.target}/container_actions`)).status, 200);
    });

    it('resize: the agent applies new limits to the engine container; limits the engine refuses go back', async () => {
      const a = zun.alice;
      const made = await create(a, { name: 'resizable', image: 'busybox', command: ['sleep', '3600'], cpu: 0.5, memory: '64m' }, true);
      const uuid = made.json.uuid;
      await waitStatus(a, uuid, ['Running'], 30_000);
      const limits = async () => (await docker(['inspect', '--format', '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}', `berth-${uuid}`])).stdout.trim();
      assert.equal(await limits(), `${0.5e9} ${64 * 1024 * 1024}`);

      // Accepted at once as desired state; the agent updates the running container.
      const grown = await a('PATCH', `/containers/${uuid}`, { body: { cpu: 1, memory: '96m' } });
      assert.equal(grown.status, 200, grown.text);
      assert.equal(grown.json.cpu, 1);
      assert.equal(grown.json.memory, '96');
      await waitFor('the engine container to have the new limits', async () => ((await limits()) === `${1e9} ${96 * 1024 * 1024}` ? true : undefined), 30_000, 100);
      const shown = await waitStatus(a, uuid, ['Running'], 30_000);
      assert.equal(shown.status_reason, null);

      // More cpus than the machine has: the scheduler's ratio allows the claim, Docker refuses the update.
      const cpus = Number((await docker(['info', '--format', '{{.NCPU}}'])).stdout.trim());
      const refused = await a('PATCH', `/containers/${uuid}`, { body: { cpu: cpus + 1 } });
      assert.equal(refused.status, 200, refused.text);
      const back = await waitFor('the refused limits to go back', async () => {
        const r = await a('GET', `/containers/${uuid}`);
        return r.json.cpu === 1 && r.json.task_state === null ? r.json : undefined;
      }, 30_000, 100);
      assert.match(back.status_reason, /The engine refused the new limits/);
      assert.equal(back.status, 'Running', 'the container keeps running with its old limits');
      assert.equal(await limits(), `${1e9} ${96 * 1024 * 1024}`);
      const journal = (await a('GET', `/containers/${uuid}/container_actions`)).json.containerActions;
      assert.ok(journal.some((x: any) => x.action === 'update' && /The engine refused the new limits/.test(x.message ?? '')), JSON.stringify(journal));
      assert.equal((await a('DELETE', `/containers/${uuid}?force=True`)).status, 204);
      await waitGone(a, uuid);
    });

    it('logs and attach answer JSON strings, as zunclient decodes them', async () => {
      const logs = await zun.alice('GET', `/containers/${ids.secretive}/logs?stdout=True&stderr=False`);
      assert.equal(logs.status, 200);
      assert.match(logs.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(logs.json, 'started\n');
      const attach = await zun.alice('GET', `/containers/${ids.target}/attach`);
      assert.equal(attach.status, 200);
      assert.match(attach.headers.get('content-type') ?? '', /^application\/json/);
      assert.match(attach.json, /^ws:\/\/127\.0\.0\.1:\d+\/container\/v1\/interactive\/[0-9a-f-]{36}\?token=/);
    });

    it('secrets: environment values never reach the server log or the action records', async () => {
      const a = zun.alice;
      // The value does reach the container.
      const env = await a('POST', `/containers/${ids.secretive}/execute?command=env&run=true`);
      assert.equal(env.status, 200, env.text);
      assert.ok(env.json.output.includes(`API_TOKEN=${secret}`), 'the environment reached the container');
      assert.equal((await a('GET', `/containers/${ids.secretive}/logs`)).status, 200);
      // Failing requests that carry it.
      const refused = await a('POST', '/containers', { body: { name: 'leaky', image: 'busybox', environment: { API_TOKEN: secret }, colour: 'red' } });
      assert.equal(refused.status, 400);
      assert.ok(!refused.text.includes(secret));
      const refused2 = await a('POST', '/containers', { body: { name: 'idle', image: 'busybox', environment: { API_TOKEN: secret } } });
      assert.equal(refused2.status, 409);
      assert.ok(!refused2.text.includes(secret));
      const stopped = await a('POST', `/containers/${ids.secretive}/stop?timeout=1`);
      assert.equal(stopped.status, 202);
      await waitStatus(a, ids.secretive, ['Stopped'], 30_000);

      const actions = await a('GET', `/containers/${ids.secretive}/container_actions`);
      assert.ok(actions.json.containerActions.length >= 2, actions.text);
      assert.ok(!actions.text.includes(secret), 'action list');
      for (const x of actions.json.containerActions) {
        const one = await a('GET', `/containers/${ids.secretive}/container_actions/${x.request_id}`);
        assert.ok(!one.text.includes(secret), 'action show');
      }
      const log = capture.text();
      assert.ok(log.includes('"msg":"request"') && log.includes('agent connected'), 'the log was captured');
      assert.ok(!log.includes(secret), 'the server log holds an environment value');
    });
  }

  it('duplicate names: 409 in the project, fine in another, one winner among concurrent creates', async () => {
    const a = zun.alice;
    assertZunError(await a('POST', '/containers', { body: { name: 'idle', image: 'busybox' } }), 409, 'A container with name idle already exists in this project.');
    const mine = await a('GET', '/containers/idle');
    assert.equal(mine.json.uuid, ids.idle, 'a name finds the container of the caller\'s project');
    const theirs = await zun.bob('GET', '/containers/idle');
    assert.equal(theirs.json.uuid, ids.foreign);
    const racers = await Promise.all(Array.from({ length: 6 }, () => a('POST', '/containers', { body: { name: 'racer', image: 'busybox' } })));
    const statuses = racers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [202, 409, 409, 409, 409, 409], racers.map((r) => r.text.slice(0, 120)).join('\n'));
    for (const r of racers.filter((x) => x.status === 409)) assertZunError(r, 409, /already exists/);
    const racer = racers.find((r) => r.status === 202)!.json.uuid;
    assertZunError(await a('PATCH', `/containers/${racer}`, { body: { name: 'idle' } }), 409, /already exists/);
    const renamed = await a('PATCH', `/containers/${racer}`, { body: { name: 'racer-2', cpu: 0.25, memory: '32m' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.json.name, 'racer-2');
    assert.equal(renamed.json.cpu, 0.25);
    assert.equal(renamed.json.memory, '32');
    assert.equal((await a('DELETE', `/containers/${racer}?force=True`)).status, 204);
    // Gone before the next case counts containers: a deletion the agent confirms mid-count changes it.
    await waitGone(a, racer);
  });

  it('racing actions on one container, by name and by uuid: one stop wins, the rest are told its state', async () => {
    const a = zun.alice;
    const made = await create(a, { name: 'contended', image: 'busybox', command: ['sleep', '3600'] }, true);
    const uuid = made.json.uuid;
    await waitStatus(a, uuid, ['Running'], 30_000);
    const stops = await Promise.all(Array.from({ length: 6 }, (_, i) => a('POST', `/containers/${i % 2 ? uuid : 'contended'}/stop?timeout=1`)));
    assert.deepEqual(stops.map((r) => r.status).sort(), [202, 409, 409, 409, 409, 409], stops.map((r) => r.text.slice(0, 120)).join('\n'));
    for (const r of stops.filter((x) => x.status === 409)) assertZunError(r, 409, `Cannot stop container ${uuid} in Stopped state.`);
    await waitStatus(a, uuid, ['Stopped'], 30_000);
    const journal = (await a('GET', `/containers/${uuid}/container_actions`)).json.containerActions;
    assert.equal(journal.filter((x: any) => x.action === 'stop').length, 1, 'one stop in the journal');
    // A rename racing a delete by the other identifier: whichever lands, the name is consistent.
    const [renamed, deleted] = await Promise.all([
      a('PATCH', `/containers/contended`, { body: { name: 'contended-2' } }),
      a('DELETE', `/containers/${uuid}`),
    ]);
    assert.equal(deleted.status, 204, deleted.text);
    assert.ok([200, 409].includes(renamed.status), renamed.text);
    await waitGone(a, uuid);
  });

  it('paging: limit, marker, sort_key, sort_dir and next, for a project and for an admin', async () => {
    const p = zunAs(s, pat.token);
    const names = ['page-1', 'page-2', 'page-3', 'page-4', 'page-5'];
    await Promise.all(names.map((name) => create(p, { name, image: 'busybox' }, false)));
    const walk = async (who: Zun, first: string) => {
      const seen: string[] = [];
      const pages: number[] = [];
      let path: string | null = first;
      for (let i = 0; path && i < 20; i++) {
        const r = await who('GET', path);
        assert.equal(r.status, 200, r.text);
        seen.push(...r.json.containers.map((c: any) => c.name));
        pages.push(r.json.containers.length);
        if (r.json.next) {
          assert.ok(r.json.next.startsWith(`${s.url}${ZUN}/containers?`), r.json.next);
          assert.match(r.json.next, /limit=2&marker=[0-9a-f-]{36}/);
        }
        path = r.json.next ? r.json.next.slice(`${s.url}${ZUN}`.length) : null;
      }
      return { seen, pages };
    };
    const asc = await walk(p, '/containers?limit=2&sort_key=name&sort_dir=asc');
    assert.deepEqual(asc.seen, names);
    assert.deepEqual(asc.pages, [2, 2, 1]);
    const desc = await walk(p, '/containers?limit=2&sort_key=name&sort_dir=desc');
    assert.deepEqual(desc.seen, [...names].reverse());
    const all = await p('GET', '/containers?limit=0');
    assert.equal(all.json.containers.length, 5);
    assert.equal(all.json.next, null);
    const third = (await p('GET', '/containers?sort_key=name')).json.containers[2].uuid;
    const after3 = await p('GET', `/containers?sort_key=name&marker=${third}`);
    assert.deepEqual(after3.json.containers.map((c: any) => c.name), ['page-4', 'page-5']);

    // An admin pages through every project; next keeps all_projects.
    const total = (await zun.admin('GET', '/containers?all_projects=True')).json.containers.length;
    assert.ok(total >= 7, `${total}`);
    const everyone = await walk(zun.admin, '/containers?all_projects=True&limit=2&sort_key=name');
    assert.equal(everyone.seen.length, total);
    assert.deepEqual(everyone.seen, [...everyone.seen].sort());
  });

  it("another project's containers: 404, never 403, for show, list, actions, delete and the rest; an admin sees all", async () => {
    const a = zun.alice;
    const f = ids.foreign;
    const notFound = `Container ${f} could not be found.`;
    for (const [method, path] of [
      ['GET', `/containers/${f}`], ['GET', `/containers/${f}/container_actions`], ['DELETE', `/containers/${f}`],
      ['DELETE', `/containers/${f}?force=True`], ['POST', `/containers/${f}/start`], ['GET', `/containers/${f}/logs`],
      ['PATCH', `/containers/${f}`], ['GET', `/containers?marker=${f}`], ['GET', `/containers/${f}?all_projects=True`],
    ]) {
      const r = await a(method, path, { body: method === 'PATCH' ? { cpu: 1 } : undefined });
      assertZunError(r, 404, notFound, `${method} ${path}`);
    }
    const bobsActions = await zun.bob('GET', `/containers/${f}/container_actions`);
    const bobsRequest = bobsActions.json.containerActions[0].request_id;
    assertZunError(await a('GET', `/containers/${f}/container_actions/${bobsRequest}`), 404, notFound);
    const listed = (await a('GET', '/containers')).json.containers.map((c: any) => c.uuid);
    assert.ok(listed.includes(ids.idle) && !listed.includes(f), listed.join(' '));
    assert.equal((await zun.bob('GET', `/containers/${f}`)).status, 200, 'still there for its owner');

    // The admin: any container by uuid, every project with all_projects, its own project without.
    const admin = zun.admin;
    const shown = await admin('GET', `/containers/${f}`);
    assert.equal(shown.status, 200);
    assert.equal(shown.json.project_id, bob.projectId);
    assert.equal(shown.json.host, s.hostName, 'an admin sees the host');
    assert.ok(!('host' in (await a('GET', `/containers/${ids.idle}`)).json), 'a member does not');
    const every = (await admin('GET', '/containers?all_projects=True')).json.containers.map((c: any) => c.uuid);
    assert.ok(every.includes(f) && every.includes(ids.idle), every.join(' '));
    const own = (await admin('GET', '/containers')).json.containers.map((c: any) => c.uuid);
    assert.ok(!own.includes(f) && !own.includes(ids.idle), own.join(' '));
    const byProject = (await admin('GET', `/containers?all_projects=True&project_id=${bob.projectId}`)).json.containers;
    assert.ok(byProject.length >= 1 && byProject.every((c: any) => c.project_id === bob.projectId));
    assertZunError(await admin('GET', '/containers/idle'), 404, undefined, 'by name, only in its own project');
    assertZunError(await admin('GET', '/containers/idle?all_projects=True'), 409, /Multiple containers/, 'a name two projects use');
  });

  it('no container of this cloud is left on the engine', async () => {
    assert.deepEqual(await deleteAllContainers(s), []);
  });
}, { timeout: 300_000 });
