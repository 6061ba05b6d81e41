"""Builds a client schema from the introspection result on standard input,
as Python GraphQL clients (gql, over graphql-core) do, prints it as SDL and
builds a schema from that again. Prints graphql-core's version; fails with
graphql-core's error when it refuses the introspection."""
import json
import sys

import graphql

schema = graphql.build_client_schema(json.load(sys.stdin))
graphql.build_ast_schema(graphql.parse(graphql.print_schema(schema)))
print(getattr(graphql, "__version__", None) or getattr(graphql, "VERSION", "?"))
