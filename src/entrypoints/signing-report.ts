import { signingReportAction } from '../actions/signing-report.js';
import { runAction } from '../actions/support/action-runner.js';

await runAction(signingReportAction);
