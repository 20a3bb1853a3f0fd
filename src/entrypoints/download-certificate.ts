import { downloadCertificate } from '../actions/download-certificate.js';
import { runAction } from '../actions/support/action-runner.js';

await runAction(downloadCertificate);
