import { ensureBundleId } from '../actions/ensure-bundle-id.js';
import { runAction } from '../actions/support/action-runner.js';

await runAction(ensureBundleId);
