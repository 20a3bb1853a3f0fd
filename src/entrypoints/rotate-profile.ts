import { rotateProfile } from '../actions/rotate-profile.js';
import { runAction } from '../actions/support/action-runner.js';

await runAction(rotateProfile);
