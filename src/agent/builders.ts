/**
 * @module
 * Builders for the agent's table tests: a desired container and an engine state with plain defaults.
 */
import type { EngineState } from '../engine/index.js';
import type { DesiredContainer } from './protocol.js';

export function desired(over: Partial<DesiredContainer> = {}, spec: Partial<DesiredContainer['spec']> = {}): DesiredContainer {
  return {
    uuid: 'c1',
    name: 'web',
    projectId: 'p1',
    desired: 'running',
    generation: 1,
    restartGeneration: 0,
    engineId: null,
    appliedGeneration: 0,
    appliedRestartGeneration: 0,
    ...over,
    spec: { image: 'busybox:latest', cpu: 1, memoryMb: 64, ...spec },
  };
}

export function state(over: Partial<EngineState> = {}): EngineState {
  const status = over.status ?? 'running';
  return {
    id: 'e1',
    name: 'berth-c1',
    labels: {},
    status,
    running: status === 'running' || status === 'paused',
    paused: status === 'paused',
    restarting: status === 'restarting',
    exitCode: 0,
    error: '',
    startedAt: '2024-01-01T00:00:00Z',
    finishedAt: null,
    oomKilled: false,
    ports: [],
    addresses: [],
    image: 'busybox:latest',
    command: ['sleep', '3600'],
    tty: false,
    env: {},
    cpu: null,
    memoryMb: null,
    ...over,
  };
}
