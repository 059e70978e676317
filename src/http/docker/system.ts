import os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { BerthError } from '../../core/errors.js';
import * as repo from '../../store/container-repo.js';
import type { DockerDeps } from './deps.js';
import { dockerActor } from './auth.js';
import { dockerImageActor } from './image-actor.js';
import { BERTH_VERSION, MAX_API_VERSION, MIN_API_VERSION } from './version.js';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', ppc64: 'ppc64le' };
const arch = () => ARCH[process.arch] ?? process.arch;

/** What Berth does not serve, with the words a tenant reads instead of a hang or a bare 404. */
const REFUSED: [string, number, string][] = [
  ['/swarm', 503, 'Berth is not a swarm manager: swarm mode (services, nodes, secrets, configs) is not offered. Run containers with docker run; Berth schedules them over its compute hosts.'],
  ['/services', 503, 'Berth does not run swarm services; run containers with docker run (Berth spreads them over its hosts), or use openstack stack for groups of containers.'],
  ['/tasks', 503, 'Berth does not run swarm services or tasks.'],
  ['/nodes', 503, 'Berth is not a swarm manager: its compute hosts are listed by openstack appcontainer host list.'],
  ['/secrets', 503, 'Berth does not offer swarm secrets.'],
  ['/configs', 503, 'Berth does not offer swarm configs.'],
  ['/plugins', 501, 'Berth does not install engine plugins for tenants.'],
  ['/networks', 501, 'Berth does not manage networks yet: containers use their host engine\'s default bridge network.'],
  ['/volumes', 501, 'Berth does not manage volumes yet.'],
  ['/session', 501, 'BuildKit sessions are not served: Berth builds with the classic builder (DOCKER_BUILDKIT=0).'],
  ['/grpc', 501, 'BuildKit is not served: Berth builds with the classic builder (DOCKER_BUILDKIT=0).'],
  ['/distribution', 501, 'There is no registry behind Berth: load images with docker load or openstack image create.'],
  ['/commit', 501, 'docker commit is not served here yet; use openstack appcontainer commit.'],
  ['/images/prune', 501, 'Pruning is not served; remove images with docker rmi.'],
  ['/build/prune', 501, 'Berth keeps no build cache to prune.'],
  ['/system/df', 501, 'docker system df is not served by Berth.'],
];

export function systemRoutes(app: FastifyInstance, deps: DockerDeps): void {
  const ping = (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('Builder-Version', '1').header('Cache-Control', 'no-cache, no-store, must-revalidate').header('Pragma', 'no-cache')
      .type('text/plain; charset=utf-8').send('OK');
  app.get('/_ping', { config: { auth: false } }, ping);
  app.head('/_ping', { config: { auth: false } }, ping);

  app.get('/version', async () => ({
    Platform: { Name: 'Berth' },
    Components: [{ Name: 'Berth', Version: BERTH_VERSION, Details: { ApiVersion: MAX_API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: arch() } }],
    Version: BERTH_VERSION,
    ApiVersion: MAX_API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: 'berth',
    GoVersion: `node${process.versions.node}`,
    Os: 'linux',
    Arch: arch(),
    KernelVersion: os.release(),
    BuildTime: '',
  }));

  // The project's view of the cloud: its own containers and images, and the hosts it may run on.
  app.get('/info', async (req) => {
    const actor = dockerActor(deps.policy, req.auth, req.id);
    const containers = await deps.core.list(actor, { allProjects: false, sortKey: 'created_at', sortDir: 'asc' });
    const count = (s: string) => containers.filter((c) => c.status === s).length;
    const hosts = (await repo.listHosts(deps.db.kysely)).filter((h) => h.enabled === 1 && h.forced_down === 0);
    const images = await deps.images.list({ ...dockerImageActor(deps.policy, req.auth), admin: false }, { containerFormat: 'docker', status: 'active', hidden: false, tags: [], properties: {}, memberStatus: 'accepted', sort: [], limit: 1000 }).catch(() => ({ images: [] }));
    return {
      ID: deps.cloudId,
      Containers: containers.length,
      ContainersRunning: count('Running'),
      ContainersPaused: count('Paused'),
      ContainersStopped: containers.length - count('Running') - count('Paused'),
      Images: images.images.length,
      Driver: 'berth',
      DriverStatus: [['Hosts', String(hosts.length)]],
      SystemStatus: hosts.map((h) => [h.name, `${h.cpus} CPUs, ${Math.round(h.memory_mb)} MiB, ${h.used_containers} containers`]),
      Plugins: { Volume: [], Network: ['bridge'], Authorization: null, Log: ['json-file'] },
      MemoryLimit: true, SwapLimit: false, CpuCfsPeriod: true, CpuCfsQuota: true, CPUShares: true, CPUSet: false, PidsLimit: true,
      IPv4Forwarding: true, BridgeNfIptables: true, BridgeNfIp6tables: true, Debug: false,
      NFd: 0, NGoroutines: 0, SystemTime: new Date().toISOString(), LoggingDriver: 'json-file', CgroupDriver: 'systemd', CgroupVersion: '2',
      NEventsListener: 0, KernelVersion: os.release(), OperatingSystem: 'Berth', OSVersion: BERTH_VERSION, OSType: 'linux', Architecture: os.machine(),
      IndexServerAddress: '', RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: [], Mirrors: [] },
      NCPU: hosts.reduce((n, h) => n + h.cpus, 0),
      MemTotal: hosts.reduce((n, h) => n + h.memory_mb, 0) * 1024 * 1024,
      GenericResources: null,
      DockerRootDir: '', HttpProxy: '', HttpsProxy: '', NoProxy: '',
      Name: 'berth', Labels: [`berth.project=${req.auth.projectName ?? req.auth.projectId}`],
      ExperimentalBuild: false, ServerVersion: BERTH_VERSION,
      Runtimes: { runc: { path: 'runc' } }, DefaultRuntime: 'runc',
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: true, Isolation: '', InitBinary: '', SecurityOptions: [], Warnings: [],
    };
  });

  // `docker inspect NAME` without --type asks for a container, an image, then a network, a volume and a
  // plugin: those lookups answer Docker's not-found words, so the CLI ends with "No such object".
  app.get<{ Params: { id: string } }>('/networks/:id', async (req) => {
    throw new BerthError('not_found', `network ${req.params.id} not found`);
  });
  app.get<{ Params: { id: string } }>('/volumes/:id', async (req) => {
    throw new BerthError('not_found', `get ${req.params.id}: no such volume`);
  });
  app.get<{ Params: { id: string } }>('/plugins/:id/json', async (req) => {
    throw new BerthError('not_found', `plugin ${req.params.id} not found`);
  });

  for (const [prefix, status, message] of REFUSED) {
    const refuse = async () => {
      throw new BerthError(status === 503 ? 'unavailable' : 'not_implemented', message);
    };
    app.all(prefix, refuse);
    app.all(`${prefix}/*`, refuse);
  }
}
