import pino from 'pino';
import { loadConfig } from '../config/config.js';
import { createRuntime, type Runtime } from '../runtime.js';

let runtime: Promise<Runtime> | undefined;

/**
 * Built once per Lambda container (cold start) from the function's environment, with the same config
 * module and composition root as the server; the worker loop itself never starts here.
 */
export function lambdaRuntime(): Promise<Runtime> {
  runtime ??= createRuntime(loadConfig(process.env), pino({ level: process.env.LOG_LEVEL ?? 'info' }));
  return runtime;
}

/** For tests: forget the runtime so the next invocation builds one from the current environment. */
export async function resetLambdaRuntime(): Promise<void> {
  const current = runtime;
  runtime = undefined;
  await (await current)?.close();
}
