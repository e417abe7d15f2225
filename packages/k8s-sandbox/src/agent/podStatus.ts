import * as k8s from '@kubernetes/client-node';

/** A container state as the API has it: `{ running: {…} }` and the like. */
export type ContainerState = Record<string, Record<string, unknown>>;

/** How an init container ran; one that has not started yet has none. */
export interface InitRun {
  imageID: string;
  containerID?: string;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
}

/** Why a container's image cannot be pulled, as its waiting state says. */
export interface PullFailure {
  container: string;
  reason: 'ErrImagePull' | 'ImagePullBackOff';
  message: string;
}

/** The status of a container whose image cannot be pulled. */
export function pullingStatus(c: k8s.V1Container, pull: PullFailure) {
  return {
    name: c.name,
    image: c.image,
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: { reason: pull.reason, message: pull.message } },
    lastState: {},
  };
}

/** An init container's status: as it ran, or waiting for its turn. */
export function initContainerStatus(c: k8s.V1Container, run?: InitRun) {
  return {
    name: c.name,
    image: c.image,
    imageID: run?.imageID ?? '',
    containerID: run?.containerID,
    ready: run?.state.terminated?.exitCode === 0,
    restartCount: run?.restartCount ?? 0,
    state: run?.state ?? { waiting: { reason: 'PodInitializing' } },
    lastState: run?.lastState ?? {},
  };
}

/**
 * The status of a container the sandbox does not run: running from the
 * pod's start once its init containers are done, waiting until then.
 */
export function notRunStatus(
  c: k8s.V1Container,
  initialized: boolean,
  startTime: string,
) {
  return {
    name: c.name,
    image: c.image,
    imageID: 'sandbox://not-run',
    containerID: 'sandbox://not-run',
    ready: initialized,
    started: initialized,
    restartCount: 0,
    state: initialized
      ? { running: { startedAt: startTime } }
      : { waiting: { reason: 'PodInitializing' } },
    lastState: {},
  };
}

/**
 * The pod's `Initialized` condition: true once every init container
 * completed (`initializedAt`), else false with those that have not.
 */
export function initializedCondition(
  initContainers: k8s.V1Container[],
  runs: Map<string, InitRun>,
  initializedAt: string | undefined,
  startTime: string,
) {
  if (initializedAt) {
    return {
      type: 'Initialized',
      status: 'True',
      lastTransitionTime: initializedAt,
    };
  }
  const incomplete = initContainers
    .filter(c => runs.get(c.name)?.state.terminated?.exitCode !== 0)
    .map(c => c.name);
  return {
    type: 'Initialized',
    status: 'False',
    reason: 'ContainersNotInitialized',
    message: `containers with incomplete status: [${incomplete.join(' ')}]`,
    lastTransitionTime: startTime,
  };
}
