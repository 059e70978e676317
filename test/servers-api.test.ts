/**
 * The compute face's bad input, route by route, against a real Docker engine on each database: a table
 * of wrong requests (malformed or mistyped bodies, unknown fields and ids, another project's server, a
 * member on admin routes, wrong server states, over-limit metadata, bad names and addresses, refused
 * flavors and images), each answered with its 4xx in Nova's error format and nothing half-created; the
 * table names every route the server registers under /compute. Then what the face does with good input
 * lately: multibyte and repeated names, short IPv6 access addresses, reset state, ips, status filter,
 * reservation ids.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registeredRoutes, waitFor, type HttpAnswer } from './helpers.js';
import { addUser, eachEngineDialect, engineSkipReason, startEngineServer, stopEngineServer, type EngineServer } from './containers-fixture.js';

const skip = await engineSkipReason();
const NOVA = '/compute/v2.1';

type Who = 'admin' | 'member' | 'other';

/** One bad request. `route` is the route as registered; `path` (default: the route's url) and `body` may use {placeholders}. */
interface Row {
  route: string;
  name: string;
  path?: string;
  who?: Who;
  body?: unknown;
  headers?: Record<string, string>;
  status: 400 | 403 | 404 | 409 | 413;
  message: RegExp;
  /** Set when the product answers wrongly today: the row is reported, not counted. */
}

const V = (s: string) => `${NOVA}${s}`;
const POLICY = /^Policy doesn't allow /;
const NO_SERVER = /^Instance [^ ]+ could not be found\.$/;
const manyItems = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
const BIG = 'x'.repeat(1_100_000);
const BAD_VERSION = { 'OpenStack-API-Version': 'compute 2.x' };
const MALFORMED = '{"server": ';
const JSON_ERR = /^Malformed JSON in request body/;

function table(): Row[] {
  const server = (body: Record<string, unknown>) => ({ server: { name: 'bad', imageRef: '{image}', flavorRef: '{tiny}', ...body } });
  const create = (name: string, body: unknown, status: Row['status'], message: RegExp, extra: Partial<Row> = {}): Row =>
    ({ route: `POST ${V('/servers')}`, name, body, status, message, ...extra });
  const action = (name: string, body: unknown, status: Row['status'], message: RegExp, extra: Partial<Row> = {}): Row =>
    ({ route: `POST ${V('/servers/:server_id/action')}`, path: V('/servers/{server}/action'), name, body, status, message, ...extra });
  const hyper = (path: string): Row => ({ route: `GET ${V(`/os-hypervisors${path}`)}`, path: V(`/os-hypervisors${path.replace(':id', '{hyper}')}`), name: 'a member', who: 'member', status: 403, message: POLICY });
  return [
    // Version documents: only the microversion header can be wrong.
    { route: 'GET /compute', name: 'malformed microversion', headers: BAD_VERSION, status: 400, message: /Invalid API version request/ },
    { route: 'GET /compute/v2', name: 'malformed microversion', headers: BAD_VERSION, status: 400, message: /Invalid API version request/ },
    { route: 'GET /compute/v2.1', name: 'malformed microversion', headers: BAD_VERSION, status: 400, message: /Invalid API version request/ },

    // Flavors, their access lists and extra specs.
    { route: `GET ${V('/flavors')}`, path: V('/flavors?marker=nope'), name: 'unknown marker', status: 400, message: /marker \[nope\] not found/ },
    { route: `GET ${V('/flavors')}`, path: V('/flavors?is_public=maybe'), name: 'is_public not a boolean', status: 400, message: /is_public/ },
    { route: `GET ${V('/flavors')}`, path: V('/flavors?sort_dir=up'), name: 'sort_dir up', status: 400, message: /sort_dir/ },
    { route: `GET ${V('/flavors')}`, path: V('/flavors?sort_key=colour'), name: 'an unknown sort_key', status: 400, message: /sort_key|colour/ },
    { route: `GET ${V('/flavors')}`, path: V('/flavors?limit=-1'), name: 'negative limit', status: 400, message: /limit must be >= 0/ },
    { route: `GET ${V('/flavors/detail')}`, path: V('/flavors/detail?minRam=lots'), name: 'minRam not a number', status: 400, message: /minRam must be integer/ },
    { route: `GET ${V('/flavors/:flavor_id')}`, path: V('/flavors/nope'), name: 'unknown id', status: 404, message: /^Flavor nope could not be found\.$/ },
    { route: `GET ${V('/flavors/:flavor_id')}`, path: V('/flavors/{private}'), name: 'private flavor without access', who: 'member', status: 404, message: /could not be found/ },
    { route: `POST ${V('/flavors')}`, name: 'a member', who: 'member', body: { flavor: { name: 'f.x', ram: 64, vcpus: 1, disk: 1 } }, status: 403, message: POLICY },
    { route: `POST ${V('/flavors')}`, name: 'malformed JSON', body: '{"flavor": {', status: 400, message: JSON_ERR },
    { route: `POST ${V('/flavors')}`, name: 'ram as words', body: { flavor: { name: 'f.x', ram: 'lots', vcpus: 1, disk: 1 } }, status: 400, message: /flavor\/ram/ },
    { route: `POST ${V('/flavors')}`, name: 'vcpus 0', body: { flavor: { name: 'f.x', ram: 64, vcpus: 0, disk: 1 } }, status: 400, message: /vcpus/ },
    { route: `POST ${V('/flavors')}`, name: 'disk -1', body: { flavor: { name: 'f.x', ram: 64, vcpus: 1, disk: -1 } }, status: 400, message: /disk/ },
    { route: `POST ${V('/flavors')}`, name: 'rxtx_factor 0', body: { flavor: { name: 'f.x', ram: 64, vcpus: 1, disk: 1, rxtx_factor: 0 } }, status: 400, message: /rxtx_factor/ },
    { route: `POST ${V('/flavors')}`, name: 'is_public as a word not a boolean', body: { flavor: { name: 'f.x', ram: 64, vcpus: 1, disk: 1, 'os-flavor-access:is_public': 'maybe' } }, status: 400, message: /is_public/ },
    { route: `POST ${V('/flavors')}`, name: 'a name with a leading space', body: { flavor: { name: ' f.x', ram: 64, vcpus: 1, disk: 1 } }, status: 400, message: /flavor\/name/ },
    { route: `POST ${V('/flavors')}`, name: 'an id taken', body: { flavor: { name: 'f.x', id: '{tiny}', ram: 64, vcpus: 1, disk: 1 } }, status: 409, message: /already exists/ },
    { route: `POST ${V('/flavors')}`, name: 'ram 0', body: { flavor: { name: 'f.x', ram: 0, vcpus: 1, disk: 1 } }, status: 400, message: /ram/ },
    { route: `POST ${V('/flavors')}`, name: 'an id with a leading space', body: { flavor: { name: 'f.x', id: ' x', ram: 64, vcpus: 1, disk: 1 } }, status: 400, message: /flavor\/id/ },
    { route: `POST ${V('/flavors')}`, name: 'an unknown field', body: { flavor: { name: 'f.x', ram: 64, vcpus: 1, disk: 1, colour: 'red' } }, status: 400, message: /'colour' was unexpected/ },
    { route: `POST ${V('/flavors')}`, name: 'a name taken', body: { flavor: { name: 'm1.tiny', ram: 64, vcpus: 1, disk: 1 } }, status: 409, message: /already exists/ },
    { route: `DELETE ${V('/flavors/:flavor_id')}`, path: V('/flavors/{tiny}'), name: 'a member', who: 'member', status: 403, message: POLICY },
    { route: `DELETE ${V('/flavors/:flavor_id')}`, path: V('/flavors/nope'), name: 'unknown id', status: 404, message: /Flavor nope could not be found/ },
    { route: `GET ${V('/flavors/:flavor_id/os-flavor-access')}`, path: V('/flavors/{tiny}/os-flavor-access'), name: 'a public flavor', status: 404, message: /not available for public flavors/ },
    { route: `POST ${V('/flavors/:flavor_id/action')}`, path: V('/flavors/{private}/action'), name: 'a member', who: 'member', body: { addTenantAccess: { tenant: '{memberProject}' } }, status: 403, message: POLICY },
    { route: `POST ${V('/flavors/:flavor_id/action')}`, path: V('/flavors/{private}/action'), name: 'two actions', body: { addTenantAccess: { tenant: '{memberProject}' }, removeTenantAccess: { tenant: '{memberProject}' } }, status: 400, message: /more than 1 properties/ },
    { route: `POST ${V('/flavors/:flavor_id/action')}`, path: V('/flavors/{private}/action'), name: 'unknown project', body: { addTenantAccess: { tenant: 'nope' } }, status: 400, message: /Project ID nope is not a valid project/ },
    { route: `POST ${V('/flavors/:flavor_id/action')}`, path: V('/flavors/{private}/action'), name: 'access given twice', body: { addTenantAccess: { tenant: '{otherProject}' } }, status: 409, message: /Flavor access already exists/ },
    { route: `POST ${V('/flavors/:flavor_id/action')}`, path: V('/flavors/{private}/action'), name: 'removing access not given', body: { removeTenantAccess: { tenant: '{memberProject}' } }, status: 404, message: /Flavor access not found/ },
    { route: `POST ${V('/flavors/:flavor_id/action')}`, path: V('/flavors/{tiny}/action'), name: 'access to a public flavor', body: { addTenantAccess: { tenant: '{memberProject}' } }, status: 409, message: /public flavor/ },
    { route: `GET ${V('/flavors/:flavor_id/os-extra_specs')}`, path: V('/flavors/nope/os-extra_specs'), name: 'unknown flavor', status: 404, message: /Flavor nope could not be found/ },
    { route: `POST ${V('/flavors/:flavor_id/os-extra_specs')}`, path: V('/flavors/{private}/os-extra_specs'), name: 'a member', who: 'member', body: { extra_specs: { a: 'b' } }, status: 403, message: POLICY },
    { route: `POST ${V('/flavors/:flavor_id/os-extra_specs')}`, path: V('/flavors/{private}/os-extra_specs'), name: 'a key with a slash', body: { extra_specs: { 'a/b': 'c' } }, status: 400, message: /'a\/b' was unexpected/ },
    { route: `POST ${V('/flavors/:flavor_id/os-extra_specs')}`, path: V('/flavors/{private}/os-extra_specs'), name: 'a value that is an object', body: { extra_specs: { a: { b: 1 } } }, status: 400, message: /extra_specs/ },
    { route: `POST ${V('/flavors/:flavor_id/os-extra_specs')}`, path: V('/flavors/nope/os-extra_specs'), name: 'unknown flavor', body: { extra_specs: { a: 'b' } }, status: 404, message: /Flavor nope could not be found/ },
    { route: `GET ${V('/flavors/:flavor_id/os-extra_specs/:key')}`, path: V('/flavors/{private}/os-extra_specs/nokey'), name: 'unknown key', status: 404, message: /has no extra specs with key nokey/ },
    { route: `PUT ${V('/flavors/:flavor_id/os-extra_specs/:key')}`, path: V('/flavors/{private}/os-extra_specs/a'), name: 'body and URI differ', body: { b: 'x' }, status: 400, message: /Request body and URI mismatch/ },
    { route: `PUT ${V('/flavors/:flavor_id/os-extra_specs/:key')}`, path: V('/flavors/{private}/os-extra_specs/a'), name: 'a member', who: 'member', body: { a: 'x' }, status: 403, message: POLICY },
    { route: `DELETE ${V('/flavors/:flavor_id/os-extra_specs/:key')}`, path: V('/flavors/{private}/os-extra_specs/nokey'), name: 'unknown key', status: 404, message: /has no extra specs with key nokey/ },
    { route: `DELETE ${V('/flavors/:flavor_id/os-extra_specs/:key')}`, path: V('/flavors/{private}/os-extra_specs/a'), name: 'a member', who: 'member', status: 403, message: POLICY },

    // Server create.
    create('malformed JSON', MALFORMED, 400, JSON_ERR, { who: 'member' }),
    create('name of the wrong type', server({ name: 5 }), 400, /server\/name must be string/, { who: 'member' }),
    create('an unknown field', server({ bogus: 1 }), 400, /'bogus' was unexpected/, { who: 'member' }),
    create('a name with a leading space', server({ name: ' vm' }), 400, /server\/name must match pattern/, { who: 'member' }),
    create('an invalid accessIPv4', server({ accessIPv4: '1.2.3' }), 400, /accessIPv4/, { who: 'member' }),
    create('an invalid accessIPv6', server({ accessIPv6: 'fe80::zz' }), 400, /accessIPv6/, { who: 'member' }),
    create('min_count > max_count', server({ min_count: 3, max_count: 2 }), 400, /min_count/, { who: 'member' }),
    create('unknown flavor', server({ flavorRef: '999' }), 400, /^Flavor 999 could not be found\.$/, { who: 'member' }),
    create('unknown image', server({ imageRef: 'no-such-image' }), 400, /^Image no-such-image could not be found\.$/, { who: 'member' }),
    create('a bare image', server({ imageRef: '{bare}' }), 400, /container format 'bare'/, { who: 'member' }),
    create('a private flavor without access', server({ flavorRef: '{private}' }), 400, /^Flavor [^ ]+ could not be found\.$/, { who: 'member' }),
    create('129 metadata items', server({ metadata: manyItems(129) }), 403, /metadata_items/, { who: 'member' }),
    create('unknown key_name', server({ key_name: 'nope' }), 400, /Invalid key_name provided/, { who: 'member' }),
    create('a JSON array', '[]', 400, /body/, { who: 'member' }),
    create('no body', undefined, 400, /body/, { who: 'member' }),
    create('a 256-character name', server({ name: 'n'.repeat(256) }), 400, /server\/name/, { who: 'member' }),
    create('a name with a control character', server({ name: 'a\u0001b' }), 400, /server\/name/, { who: 'member' }),
    create('a negative flavorRef', server({ flavorRef: -1 }), 400, /flavorRef/, { who: 'member' }),
    create('min_count 0', server({ min_count: 0 }), 400, /min_count/, { who: 'member' }),
    create('an empty metadata key', server({ metadata: { '': 'v' } }), 400, /metadata/, { who: 'member' }),
    create('a network', server({ networks: [{ uuid: '00000000-0000-0000-0000-000000000000' }] }), 400, /networks/, { who: 'member' }),
    create('a security group other than default', server({ security_groups: [{ name: 'web' }] }), 400, /security_groups/, { who: 'member' }),
    create('an unknown availability zone', server({ availability_zone: 'nozone' }), 400, /nozone|availability zone/i,
      { who: 'member' }),
    create('a forced host by a member', server({ availability_zone: 'nova:{host}' }), 403, POLICY, { who: 'member' }),
    create('another project\'s private image', server({ imageRef: '{bare}' }), 400, /^Image [^ ]+ could not be found\.$/, { who: 'other' }),
    create('another project\'s private image by id', server({ imageRef: '{otherImage}' }), 400, /^Image [^ ]+ could not be found\.$/, { who: 'member' }),
    create('another user\'s key', server({ key_name: '{key}' }), 400, /Invalid key_name provided/, { who: 'other' }),
    create('user_data that is not base64', server({ user_data: 'not base64!' }), 400, /[Bb]ase ?64/,
      { who: 'member' }),
    create('config_drive that is not a boolean', server({ config_drive: 'maybe' }), 400, /config_drive/,
      { who: 'member' }),
    create('a body over 1 MiB', server({ user_data: BIG }), 413, /larger than the limit/, { who: 'member' }),
    // Server list, show, update, delete, ips.
    { route: `GET ${V('/servers')}`, path: V('/servers?changes-since=2011/01/01'), name: 'changes-since with slashes', who: 'member', status: 400, message: /changes-since/ },
    { route: `GET ${V('/servers')}`, path: V('/servers?marker=nope'), name: 'unknown marker', who: 'member', status: 400, message: /marker \[nope\] not found/ },
    { route: `GET ${V('/servers')}`, path: V('/servers?changes-since=2011-13-45'), name: 'changes-since with month 13', who: 'member', status: 400, message: /changes-since/ },
    { route: `GET ${V('/servers')}`, path: V('/servers?limit=ten'), name: 'limit as words', who: 'member', status: 400, message: /limit must be integer/ },
    { route: `GET ${V('/servers')}`, path: V('/servers?all_tenants=1'), name: 'a member with all_tenants', who: 'member', status: 403, message: POLICY },
    { route: `GET ${V('/servers/detail')}`, path: V('/servers/detail?changes-since=2011/01/01'), name: 'changes-since with slashes', who: 'member', status: 400, message: /changes-since/ },
    { route: `GET ${V('/servers/detail')}`, path: V('/servers/detail?limit=-1'), name: 'negative limit', who: 'member', status: 400, message: /limit must be >= 0/ },
    { route: `GET ${V('/servers/:server_id')}`, path: V('/servers/nope'), name: 'unknown id', who: 'member', status: 404, message: NO_SERVER },
    { route: `GET ${V('/servers/:server_id')}`, path: V('/servers/{server}'), name: 'another project\'s server', who: 'other', status: 404, message: NO_SERVER },
    { route: `PUT ${V('/servers/:server_id')}`, path: V('/servers/{server}'), name: 'a name with a leading space', who: 'member', body: { server: { name: ' x' } }, status: 400, message: /server\/name must match pattern/ },
    { route: `PUT ${V('/servers/:server_id')}`, path: V('/servers/{server}'), name: 'an invalid accessIPv6', who: 'member', body: { server: { accessIPv6: '1:2:3' } }, status: 400, message: /accessIPv6/ },
    { route: `PUT ${V('/servers/:server_id')}`, path: V('/servers/{server}'), name: 'an invalid accessIPv4', who: 'member', body: { server: { accessIPv4: '300.1.1.1' } }, status: 400, message: /accessIPv4/ },
    { route: `PUT ${V('/servers/:server_id')}`, path: V('/servers/{server}'), name: 'an unknown field', who: 'member', body: { server: { colour: 'red' } }, status: 400, message: /'colour' was unexpected/ },
    { route: `PUT ${V('/servers/:server_id')}`, path: V('/servers/{server}'), name: 'another project\'s server', who: 'other', body: { server: { name: 'x' } }, status: 404, message: NO_SERVER },
    { route: `DELETE ${V('/servers/:server_id')}`, path: V('/servers/{server}'), name: 'another project\'s server', who: 'other', status: 404, message: NO_SERVER },
    { route: `DELETE ${V('/servers/:server_id')}`, path: V('/servers/nope'), name: 'unknown id', who: 'member', status: 404, message: NO_SERVER },
    { route: `GET ${V('/servers/:server_id/ips')}`, path: V('/servers/{server}/ips'), name: 'another project\'s server', who: 'other', status: 404, message: NO_SERVER },
    { route: `GET ${V('/servers/:server_id/ips/:network')}`, path: V('/servers/{server}/ips/nonet'), name: 'unknown network', who: 'member', status: 404, message: /not a member of specified network/ },
    // Server actions.
    action('malformed JSON', '{"pause": ', 400, JSON_ERR, { who: 'member' }),
    action('no action', {}, 400, /fewer than 1 properties/, { who: 'member' }),
    action('two actions', { pause: null, unpause: null }, 400, /more than 1 properties/, { who: 'member' }),
    action('an unknown action', { hover: null }, 400, /'hover' was unexpected/, { who: 'member' }),
    action('reboot of a wrong type', { reboot: { type: 'MEDIUM' } }, 400, /reboot\/type/, { who: 'member' }),
    action('console length as words', { 'os-getConsoleOutput': { length: 'ten' } }, 400, /os-getConsoleOutput\/length/, { who: 'member' }),
    action('reboot without a type', { reboot: {} }, 400, /type/, { who: 'member' }),
    action('rebuild with a name with a leading space', { rebuild: { imageRef: '{image}', name: ' x' } }, 400, /rebuild\/name/, { who: 'member' }),
    action('rebuild from a bare image', { rebuild: { imageRef: '{bare}' } }, 400, /container format 'bare'/, { who: 'member' }),
    action('rebuild from another project\'s private image', { rebuild: { imageRef: '{otherImage}' } }, 400, /^Image [^ ]+ could not be found\.$/, { who: 'member' }),
    action('console length -2', { 'os-getConsoleOutput': { length: -2 } }, 400, /os-getConsoleOutput\/length/, { who: 'member' }),
    action('createImage of another project\'s server', { createImage: { name: 'x' } }, 404, NO_SERVER, { who: 'other' }),
    action('lock of another project\'s server', { lock: null }, 404, NO_SERVER, { who: 'other' }),
    action('resize to the same flavor', { resize: { flavorRef: '{tiny}' } }, 400, /must change flavor/, { who: 'member' }),
    action('another project\'s server', { pause: null }, 404, NO_SERVER, { who: 'other' }),
    action('unknown server', { pause: null }, 404, NO_SERVER, { who: 'member', path: V('/servers/nope/action') }),
    action('resize of a paused server', { resize: { flavorRef: '{small}' } }, 409, /Cannot 'resize' instance .* vm_state paused/, { who: 'member', path: V('/servers/{paused}/action') }),
    action('pause of a paused server', { pause: null }, 409, /vm_state paused/, { who: 'member', path: V('/servers/{paused}/action') }),
    action('confirmResize without a resize', { confirmResize: null }, 409, /vm_state active/, { who: 'member' }),
    action('revertResize without a resize', { revertResize: null }, 409, /vm_state active/, { who: 'member' }),
    action('restore of a server not deleted', { restore: null }, 409, /Cannot 'restore' instance/, { who: 'member' }),
    action('forceDelete of a server not deleted', { forceDelete: null }, 409, /Cannot 'forceDelete' instance/),
    action('resize to an unknown flavor', { resize: { flavorRef: 'm9.none' } }, 400, /Flavor m9\.none could not be found/, { who: 'member' }),
    action('resize to a private flavor', { resize: { flavorRef: '{private}' } }, 400, /could not be found/, { who: 'member' }),
    action('rebuild from an unknown image', { rebuild: { imageRef: 'no-such-image' } }, 400, /Image no-such-image could not be found/, { who: 'member' }),
    action('rebuild with 129 metadata items', { rebuild: { imageRef: '{image}', metadata: manyItems(129) } }, 403, /metadata_items/, { who: 'member' }),
    action('createImage with an empty name', { createImage: { name: '' } }, 400, /createImage\/name must NOT have fewer than 1 characters/, { who: 'member' }),
    action('os-resetState by a member', { 'os-resetState': { state: 'error' } }, 403, POLICY, { who: 'member' }),
    action('os-resetState to an unknown state', { 'os-resetState': { state: 'sleepy' } }, 400, /os-resetState\/state/),
    action('migrate', { migrate: null }, 400, /not supported/),
    { route: `GET ${V('/servers/:server_id/os-instance-actions')}`, path: V('/servers/{server}/os-instance-actions'), name: 'another project\'s server', who: 'other', status: 404, message: NO_SERVER },
    { route: `GET ${V('/servers/:server_id/os-instance-actions/:request_id')}`, path: V('/servers/{server}/os-instance-actions/req-nope'), name: 'unknown request', who: 'member', status: 404, message: /^Action req-nope could not be found/ },
    // Server metadata.
    { route: `GET ${V('/servers/:server_id/metadata')}`, path: V('/servers/{server}/metadata'), name: 'another project\'s server', who: 'other', status: 404, message: NO_SERVER },
    { route: `PUT ${V('/servers/:server_id/metadata')}`, path: V('/servers/{server}/metadata'), name: '129 items', who: 'member', body: { metadata: manyItems(129) }, status: 403, message: /metadata_items/ },
    { route: `PUT ${V('/servers/:server_id/metadata')}`, path: V('/servers/{server}/metadata'), name: 'a value of the wrong type', who: 'member', body: { metadata: { a: 5 } }, status: 400, message: /metadata\/a must be string/ },
    { route: `PUT ${V('/servers/:server_id/metadata')}`, path: V('/servers/{server}/metadata'), name: 'a body over 1 MiB', who: 'member', body: { metadata: { a: BIG } }, status: 413, message: /larger than the limit/ },
    { route: `POST ${V('/servers/:server_id/metadata')}`, path: V('/servers/{server}/metadata'), name: '128 more items', who: 'member', body: { metadata: manyItems(128) }, status: 403, message: /metadata_items/ },
    { route: `POST ${V('/servers/:server_id/metadata')}`, path: V('/servers/{server}/metadata'), name: 'metadata as a list', who: 'member', body: { metadata: ['a'] }, status: 400, message: /metadata must be object/ },
    { route: `GET ${V('/servers/:server_id/metadata/:key')}`, path: V('/servers/{server}/metadata/nokey'), name: 'unknown key', who: 'member', status: 404, message: /^Metadata item was not found$/ },
    { route: `PUT ${V('/servers/:server_id/metadata/:key')}`, path: V('/servers/{server}/metadata/a'), name: 'body and URI differ', who: 'member', body: { meta: { b: 'x' } }, status: 400, message: /Request body and URI mismatch/ },
    { route: `PUT ${V('/servers/:server_id/metadata/:key')}`, path: V('/servers/{server}/metadata/a'), name: 'a value of 256 characters', who: 'member', body: { meta: { a: 'v'.repeat(256) } }, status: 400, message: /meta\/a/ },
    { route: `PUT ${V('/servers/:server_id/metadata/:key')}`, path: V(`/servers/{server}/metadata/${'k'.repeat(256)}`), name: 'a key of 256 characters', who: 'member', body: { meta: { ['k'.repeat(256)]: 'v' } }, status: 400, message: /key|meta/ },
    { route: `PUT ${V('/servers/:server_id/metadata/:key')}`, path: V('/servers/{server}/metadata/a'), name: 'two items', who: 'member', body: { meta: { a: 'x', b: 'y' } }, status: 400, message: /meta must NOT have more than 1 properties/ },
    { route: `DELETE ${V('/servers/:server_id/metadata/:key')}`, path: V('/servers/{server}/metadata/nokey'), name: 'unknown key', who: 'member', status: 404, message: /^Metadata item was not found$/ },
    // Keypairs.
    { route: `POST ${V('/os-keypairs')}`, name: 'a name with a slash', who: 'member', body: { keypair: { name: 'a/b' } }, status: 400, message: /name/ },
    { route: `POST ${V('/os-keypairs')}`, name: 'a public key that is not one', who: 'member', body: { keypair: { name: 'k2', public_key: 'not a key' } }, status: 400, message: /^Keypair data is invalid/ },
    { route: `POST ${V('/os-keypairs')}`, name: 'an unknown type', who: 'member', body: { keypair: { name: 'k5', type: 'rsa' } }, status: 400, message: /keypair\/type/ },
    { route: `POST ${V('/os-keypairs')}`, name: 'a 256-character name', who: 'member', body: { keypair: { name: 'k'.repeat(256) } }, status: 400, message: /keypair\/name/ },
    { route: `POST ${V('/os-keypairs')}`, name: 'a name taken', who: 'member', body: { keypair: { name: '{key}' } }, status: 409, message: /Key pair '.*' already exists/ },
    { route: `POST ${V('/os-keypairs')}`, name: 'for another user', who: 'member', path: V('/os-keypairs?user_id={otherUser}'), body: { keypair: { name: 'k3' } }, status: 403, message: POLICY },
    { route: `POST ${V('/os-keypairs')}`, name: 'a body over 1 MiB', who: 'member', body: { keypair: { name: 'k4', public_key: BIG } }, status: 413, message: /larger than the limit/ },
    { route: `GET ${V('/os-keypairs')}`, path: V('/os-keypairs?user_id={otherUser}'), name: 'another user\'s', who: 'member', status: 403, message: POLICY },
    { route: `GET ${V('/os-keypairs/:name')}`, path: V('/os-keypairs/nope'), name: 'unknown name', who: 'member', status: 404, message: /^Keypair nope not found for user$/ },
    { route: `GET ${V('/os-keypairs/:name')}`, path: V('/os-keypairs/{key}'), name: 'another user\'s key', who: 'other', status: 404, message: /not found for user/ },
    { route: `DELETE ${V('/os-keypairs/:name')}`, path: V('/os-keypairs/nope'), name: 'unknown name', who: 'member', status: 404, message: /^Keypair nope not found for user$/ },
    // Quotas and limits.
    { route: `GET ${V('/os-quota-sets/:project_id')}`, path: V('/os-quota-sets/{otherProject}'), name: 'another project', who: 'member', status: 403, message: POLICY },
    { route: `GET ${V('/os-quota-sets/:project_id/detail')}`, path: V('/os-quota-sets/{otherProject}/detail'), name: 'another project', who: 'member', status: 403, message: POLICY },
    { route: `GET ${V('/os-quota-sets/:project_id/defaults')}`, path: V(`/os-quota-sets/${'p'.repeat(256)}/defaults`), name: 'a project id over 255 characters', who: 'member', status: 400, message: /project_id/ },
    { route: `PUT ${V('/os-quota-sets/:project_id')}`, path: V('/os-quota-sets/{memberProject}'), name: 'a member', who: 'member', body: { quota_set: { instances: 5 } }, status: 403, message: POLICY },
    { route: `PUT ${V('/os-quota-sets/:project_id')}`, path: V('/os-quota-sets/{memberProject}'), name: 'instances as words', body: { quota_set: { instances: 'many' } }, status: 400, message: /instances/ },
    { route: `PUT ${V('/os-quota-sets/:project_id')}`, path: V('/os-quota-sets/{memberProject}'), name: 'an unknown field', body: { quota_set: { gpus: 1 } }, status: 400, message: /'gpus' was unexpected/ },
    { route: `PUT ${V('/os-quota-sets/:project_id')}`, path: V('/os-quota-sets/{memberProject}'), name: 'instances -2 as text', body: { quota_set: { instances: '-2' } }, status: 400, message: /instances/ },
    { route: `PUT ${V('/os-quota-sets/:project_id')}`, path: V('/os-quota-sets/{memberProject}'), name: 'instances below what is used', body: { quota_set: { instances: 1 } }, status: 400, message: /instances/ },
    { route: `DELETE ${V('/os-quota-sets/:project_id')}`, path: V('/os-quota-sets/{memberProject}'), name: 'a member', who: 'member', status: 403, message: POLICY },
    { route: `GET ${V('/limits')}`, name: 'malformed microversion', who: 'member', headers: BAD_VERSION, status: 400, message: /Invalid API version request/ },
    // The image proxy.
    { route: `GET ${V('/images')}`, path: V('/images?limit=-1'), name: 'negative limit', who: 'member', status: 400, message: /limit must be >= 0/ },
    { route: `GET ${V('/images')}`, path: V('/images?changes-since=2011/01/01'), name: 'changes-since with slashes', who: 'member', status: 400, message: /changes-since/ },
    { route: `GET ${V('/images/detail')}`, path: V('/images/detail?minRam=lots'), name: 'minRam as words', who: 'member', status: 400, message: /minRam/ },
    { route: `GET ${V('/images/detail')}`, path: V('/images/detail?limit=ten'), name: 'limit as words', who: 'member', status: 400, message: /limit must be integer/ },
    { route: `GET ${V('/images/:image_id')}`, path: V('/images/nope'), name: 'unknown id', who: 'member', status: 404, message: /^Image nope could not be found\.$/ },
    { route: `DELETE ${V('/images/:image_id')}`, path: V('/images/nope'), name: 'unknown id', who: 'member', status: 404, message: /^Image nope could not be found\.$/ },
    { route: `DELETE ${V('/images/:image_id')}`, path: V('/images/{bare}'), name: 'another project\'s image', who: 'other', status: 404, message: /could not be found/ },
    { route: `GET ${V('/images/:image_id/metadata')}`, path: V('/images/nope/metadata'), name: 'unknown id', who: 'member', status: 404, message: /Image nope could not be found/ },
    { route: `POST ${V('/images/:image_id/metadata')}`, path: V('/images/{bare}/metadata'), name: 'a value of the wrong type', who: 'member', body: { metadata: { a: 5 } }, status: 400, message: /metadata\/a must be string/ },
    { route: `POST ${V('/images/:image_id/metadata')}`, path: V('/images/{image}/metadata'), name: 'a member on a public image of another project', who: 'member', body: { metadata: { a: 'b' } }, status: 403, message: /not authorized to complete image:modify_image/ },
    { route: `POST ${V('/images/:image_id/metadata')}`, path: V('/images/nope/metadata'), name: 'unknown id', who: 'member', body: { metadata: { a: 'b' } }, status: 404, message: /Image nope could not be found/ },
    { route: `PUT ${V('/images/:image_id/metadata')}`, path: V('/images/{bare}/metadata'), name: 'metadata as a list', who: 'member', body: { metadata: ['a'] }, status: 400, message: /metadata must be object/ },
    { route: `GET ${V('/images/:image_id/metadata/:key')}`, path: V('/images/{bare}/metadata/nokey'), name: 'unknown key', who: 'member', status: 404, message: /^Image metadata item was not found$/ },
    { route: `PUT ${V('/images/:image_id/metadata/:key')}`, path: V('/images/{bare}/metadata/a'), name: 'body and URI differ', who: 'member', body: { meta: { b: 'x' } }, status: 400, message: /Request body and URI mismatch/ },
    { route: `PUT ${V('/images/:image_id/metadata/:key')}`, path: V('/images/{bare}/metadata/a'), name: 'two items', who: 'member', body: { meta: { a: 'x', b: 'y' } }, status: 400, message: /too many items/ },
    { route: `DELETE ${V('/images/:image_id/metadata/:key')}`, path: V('/images/{bare}/metadata/nokey'), name: 'unknown key', who: 'member', status: 404, message: /^Image metadata item was not found$/ },
    // Zones and hypervisors.
    { route: `GET ${V('/os-availability-zone')}`, name: 'malformed microversion', who: 'member', headers: BAD_VERSION, status: 400, message: /Invalid API version request/ },
    { route: `GET ${V('/os-availability-zone/detail')}`, name: 'a member', who: 'member', status: 403, message: POLICY },
    hyper(''), hyper('/detail'), hyper('/statistics'), hyper('/:id'), hyper('/:id/uptime'), hyper('/:id/search'), hyper('/:id/servers'),
    { route: `GET ${V('/os-hypervisors/:id')}`, path: V('/os-hypervisors/987654'), name: 'unknown id', status: 404, message: /Hypervisor with ID 987654 could not be found/ },
    { route: `GET ${V('/os-hypervisors/:id/uptime')}`, path: V('/os-hypervisors/abc/uptime'), name: 'an id that is not one', status: 404, message: /Hypervisor with ID abc could not be found/ },
    { route: `GET ${V('/os-hypervisors/:id/search')}`, path: V('/os-hypervisors/no-such-host/search'), name: 'no match', status: 404, message: /No hypervisor matching 'no-such-host'/ },
    { route: `GET ${V('/os-hypervisors/:id/servers')}`, path: V('/os-hypervisors/no-such-host/servers'), name: 'no match', status: 404, message: /No hypervisor matching 'no-such-host'/ },
  ];
}

/** The route a table row is about, as "METHOD url" of the registered routes. */
const routeKey = (m: string, u: string) => `${m} ${u}`;

eachEngineDialect(skip, (dialect) => {
  let s: EngineServer;
  const f: Record<string, string> = {};
  const tokens: Record<Who, string> = { admin: '', member: '', other: '' };
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (m, k: string) => f[k] ?? m);
  const nova = (method: string, path: string, body?: unknown, who: Who = 'member') => s.request(method, V(path), { token: tokens[who], body });
  const ok = async (r: Promise<HttpAnswer>, status: number) => {
    const a = await r;
    assert.equal(a.status, status, a.text.slice(0, 500));
    return a.json;
  };
  const serverOf = async (id: string) => (await nova('GET', `/servers/${id}`)).json?.server;
  const waitServer = (id: string, status: string) => waitFor(`server ${id} to be ${status}`, async () => {
    const sv = await serverOf(id);
    return sv?.status === status && sv['OS-EXT-STS:task_state'] === null ? sv : undefined;
  }, 30_000, 100);
  const createServer = async (name: string, extra: Record<string, unknown> = {}) =>
    (await ok(nova('POST', '/servers', { server: { name, imageRef: f.image, flavorRef: f.tiny, ...extra } }), 202));
  /** What a refused request must leave as it was: the servers, images and flavors of the cloud. */
  const counts = async () => {
    const a = tokens.admin;
    const [sv, im, fl] = await Promise.all([
      s.request('GET', V('/servers?all_tenants=1'), { token: a }),
      s.request('GET', '/image/v2/images', { token: a }),
      s.request('GET', V('/flavors?is_public=None'), { token: a }),
    ]);
    return { servers: sv.json.servers.length, images: im.json.images.length, flavors: fl.json.flavors.length };
  };

  before(async () => {
    s = await startEngineServer(dialect, 'servers-api');
    tokens.admin = await s.adminToken();
    const member = await addUser(s, tokens.admin, { user: 'sa-member', project: 'sa-proj', role: 'member' });
    const other = await addUser(s, tokens.admin, { user: 'sa-other', project: 'sa-other-proj', role: 'member' });
    tokens.member = member.token;
    tokens.other = other.token;
    Object.assign(f, { memberProject: member.projectId, otherProject: other.projectId, otherUser: other.userId });
    f.image = await waitFor('the busybox image', async () => (await s.request('GET', '/image/v2/images?name=busybox', { token: tokens.admin })).json?.images?.[0]?.id, 60_000, 200);
    const flavors = (await ok(nova('GET', '/flavors/detail', undefined, 'admin'), 200)).flavors as { id: string; name: string }[];
    f.tiny = flavors.find((x) => x.name === 'c1.micro')!.id;
    f.small = flavors.find((x) => x.name === 'm1.small')!.id;
    f.private = (await ok(nova('POST', '/flavors', { flavor: { name: 'sa.private', ram: 64, vcpus: 1, disk: 1, 'os-flavor-access:is_public': false } }, 'admin'), 200)).flavor.id;
    await ok(nova('POST', `/flavors/${f.private}/action`, { addTenantAccess: { tenant: f.otherProject } }, 'admin'), 200);
    await ok(nova('POST', `/flavors/${f.private}/os-extra_specs`, { extra_specs: { a: 'b' } }, 'admin'), 200);
    const hypers = (await ok(nova('GET', '/os-hypervisors', undefined, 'admin'), 200)).hypervisors as { id: number; hypervisor_hostname: string }[];
    f.hyper = String(hypers[0].id);
    f.host = hypers[0].hypervisor_hostname;
    f.key = (await ok(nova('POST', '/os-keypairs', { keypair: { name: 'sa-key' } }), 200)).keypair.name;
    // A bare image of the member's project, active (its data uploaded), that no server can boot.
    const bare = await ok(s.request('POST', '/image/v2/images', { token: tokens.member, body: { name: 'sa-bare', container_format: 'bare', disk_format: 'raw' } }), 201);
    await ok(s.request('PUT', `/image/v2/images/${bare.id}/file`, { token: tokens.member, body: Buffer.from('not a container'), headers: { 'Content-Type': 'application/octet-stream' } }), 204);
    f.bare = bare.id;
    // A private image of the other project (never uploaded: it is looked up, not booted).
    f.otherImage = (await ok(s.request('POST', '/image/v2/images', { token: tokens.other, body: { name: 'sa-other-image', container_format: 'docker', disk_format: 'raw' } }), 201)).id;
    f.server = (await createServer('sa-vm', { metadata: { a: 'b' } })).server.id;
    f.paused = (await createServer('sa-paused')).server.id;
    await Promise.all([waitServer(f.server, 'ACTIVE'), waitServer(f.paused, 'ACTIVE')]);
    await ok(nova('POST', `/servers/${f.paused}/action`, { pause: null }), 202);
    await waitServer(f.paused, 'PAUSED');
  });
  after(async () => {
    await stopEngineServer(s);
  });

  it('the table has a row for every route registered under /compute, and none for a route not registered', () => {
    const routes = registeredRoutes(s.server, '/compute').filter(([m]) => m !== 'HEAD').map(([m, u]) => routeKey(m, u));
    assert.ok(routes.length >= 50, `routes: ${routes.join(', ')}`);
    const covered = new Set(table().map((r) => r.route));
    assert.deepEqual(routes.filter((r) => !covered.has(r)), [], 'routes without a bad-input row');
    assert.deepEqual([...covered].filter((r) => !routes.includes(r)), [], 'rows for routes that are not registered');
  });

  describe('bad input', () => {
    for (const row of table()) {
      it(`${row.route}: ${row.name} (${row.who ?? 'admin'}) → ${row.status}`, async () => {
        const [method, url] = row.route.split(' ');
        const path = fill(row.path ?? url);
        const body = row.body === undefined || typeof row.body === 'string' ? row.body : JSON.parse(fill(JSON.stringify(row.body)));
        const writes = method !== 'GET';
        const before = writes ? await counts() : undefined;
        const r = await s.request(method, path, { token: tokens[row.who ?? 'admin'], body, headers: row.headers });
        const what = `${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`;
        assert.equal(r.status, row.status, what);
        const key = ({ 400: 'badRequest', 403: 'forbidden', 404: 'itemNotFound', 409: 'conflictingRequest', 413: 'overLimit' } as const)[row.status];
        assert.deepEqual(Object.keys(r.json ?? {}), [key], what);
        assert.equal(r.json[key].code, row.status, what);
        assert.match(r.json[key].message, row.message, what);
        if (before) assert.deepEqual(await counts(), before, `nothing half-created or removed: ${what}`);
      });
    }
  });

  it('the servers of the table are as they were', async () => {
    // A quota row the product might have taken is undone first (so later servers fit).
    await ok(nova('DELETE', `/os-quota-sets/${f.memberProject}`, undefined, 'admin'), 202);
    assert.equal((await serverOf(f.server)).status, 'ACTIVE');
    assert.equal((await serverOf(f.paused)).status, 'PAUSED');
    assert.deepEqual((await ok(nova('GET', `/servers/${f.server}/metadata`), 200)).metadata, { a: 'b' });
  });

  it('a multibyte name is shown as given; its container gets a generated Docker name', async () => {
    const id = (await createServer('ｖｍ-名前')).server.id;
    const sv = await waitServer(id, 'ACTIVE');
    assert.equal(sv.name, 'ｖｍ-名前');
    const c = await ok(s.request('GET', `/container/v1/containers/${id}`, { token: tokens.member }), 200);
    assert.match(c.name, /^server-[0-9a-f]{8}$/);
  });

  it('two servers may have the same name', async () => {
    const a = (await createServer('sa-twin')).server.id;
    const b = (await createServer('sa-twin')).server.id;
    await Promise.all([waitServer(a, 'ACTIVE'), waitServer(b, 'ACTIVE')]);
    const listed = (await ok(nova('GET', '/servers?name=^sa-twin$'), 200)).servers.map((x: { id: string }) => x.id);
    assert.deepEqual([...listed].sort(), [a, b].sort());
  });

  it('accessIPv6 is shown in its short form', async () => {
    const put = await ok(nova('PUT', `/servers/${f.server}`, { server: { accessIPv6: '0:0:0:0:0:babe:220.12.22.2' } }), 200);
    assert.equal(put.server.accessIPv6, '::babe:dc0c:1602');
    assert.equal((await serverOf(f.server)).accessIPv6, '::babe:dc0c:1602');
  });

  it('os-resetState error → ERROR (found by status=ERROR), then active → ACTIVE', async () => {
    await ok(nova('POST', `/servers/${f.server}/action`, { 'os-resetState': { state: 'error' } }, 'admin'), 202);
    assert.equal((await serverOf(f.server)).status, 'ERROR');
    const errors = (await ok(nova('GET', '/servers/detail?status=ERROR'), 200)).servers as { id: string; status: string }[];
    assert.ok(errors.some((x) => x.id === f.server), JSON.stringify(errors));
    assert.deepEqual(errors.filter((x) => x.status !== 'ERROR'), []);
    await ok(nova('POST', `/servers/${f.server}/action`, { 'os-resetState': { state: 'active' } }, 'admin'), 202);
    assert.equal((await serverOf(f.server)).status, 'ACTIVE');
    const after = (await ok(nova('GET', '/servers?status=ERROR'), 200)).servers as { id: string }[];
    assert.ok(!after.some((x) => x.id === f.server), JSON.stringify(after));
  });

  it('GET /servers/{id}/ips lists the server\'s addresses', async () => {
    const ips = await ok(nova('GET', `/servers/${f.server}/ips`), 200);
    assert.equal(typeof ips.addresses, 'object');
    assert.deepEqual(ips.addresses, (await serverOf(f.server)).addresses);
  });

  it('return_reservation_id answers {reservation_id} only', async () => {
    const r = await ok(nova('POST', '/servers', { server: { name: 'sa-rsv', imageRef: f.image, flavorRef: f.tiny, return_reservation_id: true } }), 202);
    assert.deepEqual(Object.keys(r), ['reservation_id']);
    assert.match(r.reservation_id, /^r-[0-9a-z]+$/);
    const made = (await ok(nova('GET', '/servers?name=^sa-rsv$'), 200)).servers;
    assert.equal(made.length, 1);
  });
});
