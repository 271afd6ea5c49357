import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kind, isObjectType, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { buildLocalSchema, loadSdl } from '../../src/graphql/schema/load-schema.js';

const APPSYNC_SCALARS = new Set([
  'AWSDate',
  'AWSTime',
  'AWSDateTime',
  'AWSTimestamp',
  'AWSEmail',
  'AWSJSON',
  'AWSURL',
  'AWSPhone',
  'AWSIPAddress',
]);
const BUILT_IN = new Set(['ID', 'String', 'Int', 'Float', 'Boolean']);

describe('the SDL keeps AppSync conventions', () => {
  const sdl = loadSdl();
  const doc = parse(sdl);
  const schema = buildLocalSchema(sdl);

  it('declares no scalar or directive of its own (AppSync refuses them) and uses only AWS scalars', () => {
    assert.equal(
      doc.definitions.filter((d) => d.kind === Kind.SCALAR_TYPE_DEFINITION || d.kind === Kind.DIRECTIVE_DEFINITION).length,
      0,
    );
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !('serialize' in type) || 'getValues' in type) continue;
      assert.ok(BUILT_IN.has(type.name) || APPSYNC_SCALARS.has(type.name), `${type.name} is not an AppSync scalar`);
    }
  });

  it('names operations create/update/delete/get/list with `input` arguments and nextToken connections', () => {
    const mutation = schema.getMutationType()!;
    for (const [name, field] of Object.entries(mutation.getFields()).filter(([n]) => n.endsWith('Profile'))) {
      assert.match(name, /^(create|update|delete)[A-Z]/);
      assert.deepEqual(
        field.args.map((a) => a.name),
        ['input'],
      );
    }
    const list = schema.getQueryType()!.getFields().listProfiles!;
    assert.deepEqual(list.args.map((a) => a.name).sort(), ['filter', 'limit', 'nextToken']);
    const connection = schema.getType('ProfileConnection');
    assert.ok(isObjectType(connection) && 'nextToken' in connection.getFields() && 'items' in connection.getFields());
  });

  it('binds every subscription to existing mutations of the same type with @aws_subscribe', () => {
    const subscription = doc.definitions.find(
      (d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Subscription',
    )!;
    const mutations = schema.getMutationType()!.getFields();
    for (const field of subscription.fields ?? []) {
      const directive = field.directives?.find((d) => d.name.value === 'aws_subscribe');
      assert.ok(directive, `${field.name.value} lacks @aws_subscribe`);
      const arg = directive.arguments?.find((a) => a.name.value === 'mutations');
      assert.ok(arg && arg.value.kind === Kind.LIST);
      for (const v of arg.value.values) {
        assert.ok(v.kind === Kind.STRING && mutations[v.value], `unknown mutation in ${field.name.value}`);
        const subType = schema.getSubscriptionType()!.getFields()[field.name.value]!.type.toString();
        assert.equal(mutations[v.value]!.type.toString(), subType);
      }
    }
  });
});
