/** Time and ids behind a dependency so business rules stay plain functions. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface IdGenerator {
  newId(): string;
}
export const randomIds: IdGenerator = { newId: () => crypto.randomUUID() };
