import { pruneProfilesAction } from '../actions/prune-profiles.js';
import { runAction } from '../actions/support/action-runner.js';

await runAction(pruneProfilesAction);
