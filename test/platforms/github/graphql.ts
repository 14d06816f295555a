/**
 * Validates the App's GraphQL requests against GitHub's GraphQL schema (@octokit/graphql-schema): the
 * query document (fields, arguments, fragments) and the variables against their declared types, input
 * objects included, as GitHub's server would before running anything.
 */
import { schema } from "@octokit/graphql-schema";
import { buildClientSchema, getOperationAST, getVariableValues, parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";

let built: GraphQLSchema | undefined;

export function validateGraphql(query: string, variables: Record<string, unknown> = {}): string[] {
  built ??= buildClientSchema(schema.json as Parameters<typeof buildClientSchema>[0]);
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch (error) {
    return [`GraphQL syntax: ${String(error)}`];
  }
  const problems = validate(built, doc).map((e) => `GraphQL: ${e.message}`);
  const operation = getOperationAST(doc);
  if (!operation) return [...problems, "GraphQL: expected exactly one operation"];
  const coerced = getVariableValues(built, operation.variableDefinitions ?? [], variables);
  if (coerced.errors) problems.push(...coerced.errors.map((e) => `GraphQL variables: ${e.message}`));
  for (const name of Object.keys(variables)) {
    if (!(operation.variableDefinitions ?? []).some((d) => d.variable.name.value === name)) problems.push(`GraphQL variables: $${name} is not declared`);
  }
  return problems;
}
