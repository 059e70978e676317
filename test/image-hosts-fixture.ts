/**
 * Two compute hosts for the suites of images on hosts: scripts/test-hosts.sh hosts in a data directory
 * of the suite's own (so no other suite's hosts are touched), each a namespaced dockerd, brought up
 * before the suite and taken down after it; and `docker save` archives of images no engine has seen.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { ROOT, docker, dockerOk, downTestHosts, mainEngine, upTestHosts, type EngineHost } from './hosts-fixture.js';

export interface Archive { file: string; id: string; tag: string }

export interface ImageHostsSuite {
  /** The hosts, once the suite's `before` ran. */
  readonly hosts: EngineHost[];
  /**
   * A `docker save` archive of an image no engine has seen: busybox committed on the main engine with
   * a label of its own (so its id is new), saved, and removed from the main engine again.
   */
  freshArchive(name: string): Promise<Archive>;
}

/** Registers the suite's before/after hooks; `dir` names its data directory under .berth. */
export function imageHostsSuite(dir: string): ImageHostsSuite {
  const hostsDir = join(ROOT, '.berth', dir);
  let hosts: EngineHost[] = [];
  let main = '';
  let work = '';
  before(async () => {
    main = await mainEngine();
    await downTestHosts(hostsDir).catch(() => undefined);
    hosts = await upTestHosts(2, hostsDir);
    work = mkdtempSync(join(tmpdir(), `berth-${dir}-`));
  }, { timeout: 300_000 });
  after(async () => {
    await downTestHosts(hostsDir);
    if (work) rmSync(work, { recursive: true, force: true });
  }, { timeout: 300_000 });

  return {
    get hosts() { return hosts; },
    async freshArchive(name) {
      const tag = `${name}:1`;
      const cid = await dockerOk(main, ['create', 'busybox:latest', 'true']);
      try {
        await dockerOk(main, ['commit', '--change', `LABEL berth.test=${randomBytes(8).toString('hex')}`, cid, tag]);
      } finally {
        await docker(main, ['rm', '-f', cid]);
      }
      const id = await dockerOk(main, ['image', 'inspect', '-f', '{{.Id}}', tag]);
      const file = join(work, `${name}.tar`);
      await dockerOk(main, ['save', '-o', file, tag]);
      await docker(main, ['rmi', tag]);
      return { file, id, tag };
    },
  };
}
