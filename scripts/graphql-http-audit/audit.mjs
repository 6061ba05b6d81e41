// Runs the graphql-http server audit (the GraphQL-over-HTTP specification's
// checks) against a running mvpgraph and fails on any error or warning.
//
//   node audit.mjs [http://127.0.0.1:8080/graphql]
import { serverAudits } from 'graphql-http';

const url = process.argv[2] || process.env.MVPGRAPH_AUDIT_URL || 'http://127.0.0.1:8080/graphql';
let errors = 0;
let warnings = 0;
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    console.log(`ok      ${audit.name}`);
    continue;
  }
  if (result.status === 'error') errors++;
  if (result.status === 'warn') warnings++;
  console.log(`${result.status.padEnd(7)} ${audit.name}: ${result.reason}`);
}
console.log(`\n${errors} errors, ${warnings} warnings`);
process.exit(errors + warnings > 0 ? 1 : 0);
