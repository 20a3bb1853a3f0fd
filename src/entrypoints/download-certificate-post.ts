import { downloadCertificatePost } from '../actions/download-certificate-post.js';
import { runPost } from '../actions/support/action-runner.js';

await runPost(downloadCertificatePost);
