// `npm run migrate:anonymous-ballots`: moves the ballots of anonymous polls made before receipts
// into the ballot table, under fingerprints nobody holds (functions/polls/migrate-ballots.ts).
// Run it once per deployment after deploying, with the deployment's TABLE_NAME and
// BALLOT_TABLE_NAME in the environment (and AWS credentials); safe to run again. Prints counts only.
const { migrateAnonymousBallots } = await import('../functions/polls/migrate-ballots.ts');
const report = await migrateAnonymousBallots();
console.log(`Moved ${report.ballots} ballots of ${report.polls} anonymous polls into the ballot table.`);
