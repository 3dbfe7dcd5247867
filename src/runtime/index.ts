/**
 * kubefluent runtime: the resilient watcher, informers with indexed stores, and the
 * shared informer factory.
 */
export { Watcher, watcher, StreamingListError, INITIAL_EVENTS_END_ANNOTATION, stripManagedFields } from './watcher.js';
export type { WatcherEvent, WatcherEventType, WatcherOptions, WatcherCache, InitialListMode } from './watcher.js';
export { step as watcherStep, initialMachine as initialWatcherMachine } from './watcher-state.js';
export type { WatchPhase, WatcherMachine, AttemptOutcome, StepBackoff } from './watcher-state.js';
export { CacheDiff } from './cache-diff.js';
export type { WatcherHealth, WatcherState, InitialListMethod, HealthListener } from './health.js';
export type { BackoffOptions } from './backoff.js';
export { resourceSource, handleSource } from './lister-watcher.js';
export type { ListerWatcher, InformerSource, ListRequest, WatchRequest, ResourceSelection, ListWatchHandle } from './lister-watcher.js';
export { Informer, informer } from './informer.js';
export type { EventHandler, InformerOptions, InformerProblem } from './informer.js';
export { Store } from './store.js';
export type { ReadonlyStore } from './store.js';
export { indexers, byNamespace, byLabel, byOwner, byOwnerUid } from './indexers.js';
export type { IndexFunc } from './indexers.js';
export { SharedInformerFactory } from './shared-informer-factory.js';
export type { SharedInformerFactoryOptions, SharedInformerOptions, WatchableResourceKey } from './shared-informer-factory.js';
export { objectKey, keyFor } from './object-meta.js';
export type { HasMetadata, PartialObjectMetadata, RuntimeMeta } from './object-meta.js';
export { systemClock } from '../core/clock.js';
export type { Clock, TimerHandle } from '../core/clock.js';
