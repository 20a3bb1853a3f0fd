/** What to do about an Apple Business / School Manager API refusal (not App Store Connect's advice). */
import type { AppleApiError } from '../core/errors.js';

export function businessAdvice(err: AppleApiError): string {
  if (err.status === 401) {
    return 'The access token was refused even after renewing it; check that the API account still exists in Apple Business and that scope and api-base-url belong to the same product (business.api with api-business.apple.com, school.api with api-school.apple.com).';
  }
  if (err.status === 403) return 'The API account may not do this; check its access in Apple Business (Preferences > API).';
  if (err.status === 429) return "Apple's rate limit for this API account was hit and retries did not get through; run the job again in a few minutes.";
  if (err.status === 409 && err.path.includes('orgDeviceActivities')) {
    return 'Apple found a serial number or the device management service not valid for this activity; check both in Apple Business.';
  }
  if (err.status >= 500) return "Apple's service failed; run the job again later.";
  return '';
}
