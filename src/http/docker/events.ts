/**
 * @module
 * Docker's event stream for a project: its containers' events, read from the container journal (what
 * was asked: create, start, stop, kill, destroy...) and from the statuses agents report (a running
 * container that stopped died). Past events come at once; without `until` the stream follows new ones
 * until the client leaves.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ContainerActionRow, ContainerRow } from '../../store/schema.js';
import { listProjectActions } from '../../store/journal-repo.js';
import {
  containerEvent, dockerActions, eventLine, eventMatches, lastExit, parseDockerTime, parseFilters, statusAction,
  type DockerEvent, type EventActor,
} from '../../docker/events.js';
import type { DockerDeps } from './deps.js';
import { dockerActor } from './auth.js';
import { dockerId } from './container-info.js';

/** How often a following stream looks for new journal entries and status changes (status reports on this server wake it sooner). */
const POLL_MS = 1_000;
/** Journal entries are written by transactions that may commit a little after their start time. */
const LATE_COMMIT_MS = 5_000;

const EventsQuery = Type.Object({
  since: Type.Optional(Type.String({ maxLength: 64 })),
  until: Type.Optional(Type.String({ maxLength: 64 })),
  filters: Type.Optional(Type.String({ maxLength: 8192 })),
});

function actorOf(c: ContainerRow): EventActor {
  let labels: Record<string, string> = {};
  try {
    const spec = JSON.parse(c.spec) as { labels?: Record<string, string> };
    if (spec.labels && typeof spec.labels === 'object') labels = spec.labels;
  } catch {
    // A spec that does not parse has no labels to show.
  }
  return { id: dockerId(c), name: c.name, image: c.image, labels };
}

const byTime = (x: DockerEvent, y: DockerEvent) => (BigInt(x.timeNano) < BigInt(y.timeNano) ? -1 : BigInt(x.timeNano) > BigInt(y.timeNano) ? 1 : 0);

export function eventRoutes(app: FastifyInstance, deps: DockerDeps): void {
  app.get<{ Querystring: Static<typeof EventsQuery> }>('/events', { schema: { querystring: EventsQuery } }, async (req, reply) => {
    const now = Date.now();
    const filters = parseFilters(req.query.filters);
    const time = (name: string, v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : parseDockerTime(name, v, now) * 1000);
    const sinceMs = time('since', req.query.since);
    const untilMs = time('until', req.query.until);
    const actor = dockerActor(deps.policy, req.auth, req.id);
    const projectId = actor.projectId ?? '';
    const list = () => deps.core.list(actor, { allProjects: false, sortKey: 'created_at', sortDir: 'asc' });

    const known = new Map<string, EventActor>();
    const statuses = new Map<string, string>();
    const remember = (rows: ContainerRow[]) => {
      for (const c of rows) known.set(c.uuid, actorOf(c));
    };
    const first = await list();
    remember(first);
    for (const c of first) statuses.set(c.uuid, c.status);

    const journal = (fromMs: number, toMs: number) =>
      listProjectActions(deps.db.kysely, projectId, new Date(fromMs).toISOString(), new Date(toMs).toISOString());
    const seen = new Set<string>();
    const fromJournal = (rows: ContainerActionRow[]): DockerEvent[] => rows.flatMap((a) => {
      seen.add(a.id);
      const who = known.get(a.container_uuid) ?? { id: dockerId({ uuid: a.container_uuid }), name: a.container_uuid, image: '', labels: {} };
      return dockerActions(a.action, a.result).map((act) => containerEvent(who, act, Date.parse(a.start_time)));
    });

    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, { ...reply.getHeaders(), 'content-type': 'application/json' } as Record<string, string>);
    res.flushHeaders();
    let closed = false;
    const send = (events: DockerEvent[]) => {
      for (const e of events) {
        if (closed) return;
        if ((sinceMs === undefined || Number(e.timeNano) / 1e6 >= sinceMs - 1) && (untilMs === undefined || e.time * 1000 <= untilMs) && eventMatches(e, filters)) res.write(eventLine(e));
      }
    };

    const end = now;
    const died = (c: ContainerRow, fallbackMs: number): DockerEvent => {
      const exit = lastExit(c.observed);
      const extra: Record<string, string> = exit?.exitCode === undefined ? {} : { exitCode: String(exit.exitCode) };
      return containerEvent(known.get(c.uuid) ?? actorOf(c), 'die', exit?.atMs ?? fallbackMs, extra);
    };
    if (sinceMs !== undefined) {
      const past = fromJournal(await journal(sinceMs, untilMs === undefined ? end : Math.min(untilMs, end)));
      // Exits are not in the journal: a container's last one is in the status its agent observed.
      for (const c of first) if (lastExit(c.observed) && c.status !== 'Running') past.push(died(c, end));
      send(past.sort(byTime));
    }
    else for (const a of await journal(end - LATE_COMMIT_MS, end)) seen.add(a.id);
    if (untilMs !== undefined && untilMs <= end) {
      closed = true;
      res.end();
      return reply;
    }

    let cursor = end - LATE_COMMIT_MS;
    let running = false;
    let again = false;
    const tick = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const at = Date.now();
          const rows = await list();
          remember(rows);
          const events = fromJournal((await journal(cursor, at + LATE_COMMIT_MS)).filter((a) => !seen.has(a.id)));
          cursor = at - LATE_COMMIT_MS;
          for (const c of rows) {
            const act = statusAction(statuses.get(c.uuid), c.status);
            statuses.set(c.uuid, c.status);
            if (act) events.push(died(c, at));
          }
          events.sort(byTime);
          send(events);
        } while (again && !closed);
      } catch (err) {
        req.log.warn({ err }, 'events poll failed');
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void tick(), POLL_MS);
    const mine = new Set(known.keys());
    const unsubscribe = deps.bus.onStatus((uuids) => {
      if (uuids.some((u) => mine.has(u) || known.has(u))) void tick();
    });
    const stopAt = untilMs === undefined ? undefined : setTimeout(() => {
      void tick().finally(() => stop());
    }, untilMs - end);
    const stop = () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      if (stopAt) clearTimeout(stopAt);
      unsubscribe();
      res.end();
    };
    res.on('close', stop);
    void tick();
    return reply;
  });
}
