import { assignDevices } from '../actions/assign-devices.js';
import { runAction } from '../actions/support/action-runner.js';

await runAction(assignDevices);
