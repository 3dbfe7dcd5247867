/**
 * kubefluent/controller: work queue, controllers (for/owns/watches, predicates, scope,
 * maxConcurrent), finalizers, owner references and an events.k8s.io/v1 recorder.
 */
export { WorkQueue } from './work-queue.js';
export type { WorkQueueOptions, WorkQueueMetrics, DurationStats } from './work-queue.js';
export { ExponentialRateLimiter, BucketRateLimiter, MaxOfRateLimiter, defaultRateLimiter } from './rate-limiters.js';
export type { RateLimiter, ExponentialOptions, BucketOptions } from './rate-limiters.js';
export { Controller, ReconcileError } from './controller.js';
export type {
  ControllerOptions, ControllerMetrics, ControllerScope, ForOptions, WatchOptions as ControllerWatchOptions, MapToKeys,
  ReconcileContext, ReconcileFailure, ReconcileRequest, ReconcileResult, Reconciler,
} from './controller.js';
export { ControllerBuilder, controllerFor } from './builder.js';
export { predicates, generationChanged, labelsChanged, annotationsChanged, resourceVersionChanged, and, or, not } from './predicates.js';
export type { Predicate, PredicateEvent } from './predicates.js';
export { finalizer, hasFinalizer } from './finalizer.js';
export type { FinalizerApi, FinalizerEvent, FinalizerOptions } from './finalizer.js';
export { ownerReference, setControllerReference, setOwnerReference, controllerOf, isControlledBy, OwnerReferenceError } from './owner-refs.js';
export type { OwnerLike, Ownable, Owned, OwnerReferenceReason } from './owner-refs.js';
export { EventRecorder, EventRecorderError, eventSinkFor } from './events.js';
export type { EventSink, EventInput, EventObject, EventRecorderOptions, EventRecorderStats, EventsV1Event } from './events.js';
export { consoleLogger, silentLogger, withFields } from './logger.js';
export type { Logger, LogFields } from './logger.js';
export { Manager, ManagerError } from './manager.js';
export type { ManagerOptions, ManagedController, GuardedContext, RunMode, ManagerErrorReason } from './manager.js';
export { LeaderElector, DEFAULT_TIMINGS, resolveTimings } from './leader-election.js';
export type { LeaderElectionOptions, LeaseTimings, ElectionLogger } from './leader-election.js';
export { LeaseLock } from './lease-lock.js';
export type { LeaseApi, LeaseObject, LeaseRecord, LeaseLockOptions, AcquireOutcome } from './lease-lock.js';
export { ShardCoordinator, shardOf, fairShare } from './sharding.js';
export type { ShardingOptions, ShardAssignment, ListableLeaseApi } from './sharding.js';
export { MetricsRegistry, Counter, Gauge, Histogram, DEFAULT_BUCKETS, PROMETHEUS_CONTENT_TYPE } from './metrics.js';
export type { Labels, MetricType } from './metrics.js';
export { HealthServer } from './health-server.js';
export type { HealthCheck, HealthServerOptions } from './health-server.js';
export { jsonLogger } from './json-logger.js';
export type { JsonLogger, JsonLoggerOptions, LogLevel } from './json-logger.js';
