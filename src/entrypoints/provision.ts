import { provision } from '../actions/provision.js';
import { runAction } from '../actions/support/action-runner.js';

await runAction(provision);
