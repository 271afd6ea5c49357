import fs from 'node:fs';
import { buildSchema, type GraphQLSchema } from 'graphql';

const here = (name: string) => new URL(name, import.meta.url);

/** The public SDL, exactly as served at /graphql/schema.graphql and deployed to AppSync. */
export const loadSdl = (): string => fs.readFileSync(here('./atelier.graphql'), 'utf8');

/** AppSync's built-in scalars and directives, declared for the local server. */
export const loadAppSyncDeclarations = (): string => fs.readFileSync(here('./aws-appsync.graphql'), 'utf8');

/** The SDL with the AppSync declarations, as the local server and code generation see it. */
export const buildLocalSchema = (sdl: string): GraphQLSchema => buildSchema(`${loadAppSyncDeclarations()}\n${sdl}`);
