import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/**
 * Local stand-ins for AppSync's scalars. They carry strings (numbers for AWSTimestamp) and leave
 * semantic checks to the modules' validation, so that every invalid field is reported at once
 * with its path instead of the first coercion failure.
 */
function stringScalar(name: string, description: string): GraphQLScalarType<string, string> {
  const check = (value: unknown): string => {
    if (typeof value !== 'string') throw new GraphQLError(`${name} must be a string`);
    return value;
  };
  return new GraphQLScalarType<string, string>({
    name,
    description,
    serialize: check,
    parseValue: check,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string`, { nodes: [ast] });
      return ast.value;
    },
  });
}

const timestamp = new GraphQLScalarType<number, number>({
  name: 'AWSTimestamp',
  description: 'Seconds since the Unix epoch.',
  serialize: (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new GraphQLError('AWSTimestamp must be an integer');
    return v;
  },
  parseValue: (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new GraphQLError('AWSTimestamp must be an integer');
    return v;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.INT) throw new GraphQLError('AWSTimestamp must be an integer', { nodes: [ast] });
    return Number(ast.value);
  },
});

export const awsScalars = {
  AWSDate: stringScalar('AWSDate', 'ISO 8601 date, YYYY-MM-DD.'),
  AWSTime: stringScalar('AWSTime', 'ISO 8601 time.'),
  AWSDateTime: stringScalar('AWSDateTime', 'ISO 8601 date and time, UTC.'),
  AWSTimestamp: timestamp,
  AWSEmail: stringScalar('AWSEmail', 'An e-mail address.'),
  AWSJSON: stringScalar('AWSJSON', 'A JSON document, as a string.'),
  AWSURL: stringScalar('AWSURL', 'An absolute URL.'),
  AWSPhone: stringScalar('AWSPhone', 'A phone number; Atelier stores E.164.'),
  AWSIPAddress: stringScalar('AWSIPAddress', 'An IPv4 or IPv6 address.'),
};
