// CDK entry point (cdk.json runs it on the pinned Node 24): bundle the Lambdas, make sure the
// web build exists, then synthesize every deployment.
import { ensureWebBuild, prepareFunctionBundles } from './assets.ts';
import { createMootApp } from './moot-app.ts';

const bundles = await prepareFunctionBundles();
const { app } = createMootApp({ bundles, webDir: ensureWebBuild() });
app.synth();
