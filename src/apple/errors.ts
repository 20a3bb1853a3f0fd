/** What to do about an App Store Connect / Enterprise Program API refusal, appended to Apple's own words. */
import type { AppleApiError } from '../core/errors.js';

export function appStoreConnectAdvice(err: AppleApiError): string {
  if (err.status === 401) {
    return 'Check that key-id, issuer-id and private-key belong to the same team API key, that the key is not revoked, and that api matches the account.';
  }
  if (err.status === 403) {
    return "The API key's role does not allow this; use a key with the Admin or App Manager role (Users and Access > Integrations), or have the Account Holder accept the latest agreement.";
  }
  if (err.status === 429) {
    return "Apple's hourly request budget for this key is spent; run again later or spread jobs over several keys.";
  }
  if (err.status >= 500) return "Apple's service failed; run the job again later.";
  return '';
}
