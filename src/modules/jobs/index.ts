export type { Job, JobStatus, NewJob } from './model.js';
export { jobId } from './model.js';
export type { JobStore, JobPage } from './job-store.js';
export type { EventHandler, HandlerContext, HandlerLogger } from './handler.js';
export { PermanentError, isPermanent } from './handler.js';
export { Worker, DEFAULT_WORKER_OPTIONS, type WorkerOptions, type WorkerDeps } from './worker.js';
export { backoffDelay } from './backoff.js';
export { SqliteJobStore } from './stores/sqlite-job-store.js';
export { DynamoJobStore } from './stores/dynamodb-job-store.js';
