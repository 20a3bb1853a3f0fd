import { registerDevices } from '../actions/register-devices.js';
import { runAction } from '../actions/support/action-runner.js';

await runAction(registerDevices);
