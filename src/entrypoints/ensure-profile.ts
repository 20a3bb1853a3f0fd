import { ensureProfile } from '../actions/ensure-profile.js';
import { runAction } from '../actions/support/action-runner.js';

await runAction(ensureProfile);
