/**
 * Apple's resource types, from the official OpenAPI spec (src/generated, compile-time only), widened
 * where Apple's real responses go beyond the spec (docs/apple-facts.md: device status PROCESSING, profile state EXPIRED).
 */
import type { components } from '../generated/asc.js';

type Schemas = components['schemas'];
type Attrs<T extends { attributes?: unknown }> = NonNullable<T['attributes']>;

export type BundleIdPlatform = Schemas['BundleIdPlatform'];
export type DeviceStatus = NonNullable<Attrs<Schemas['Device']>['status']> | 'PROCESSING';
export type Device = Omit<Schemas['Device'], 'attributes'> & {
  attributes?: Omit<Attrs<Schemas['Device']>, 'status'> & { status?: DeviceStatus };
};
export type DeviceCreateRequest = Schemas['DeviceCreateRequest'];
export type DeviceUpdateRequest = Schemas['DeviceUpdateRequest'];
export type DeviceResponse = Omit<Schemas['DeviceResponse'], 'data'> & { data: Device };
export type DevicesResponse = Omit<Schemas['DevicesResponse'], 'data'> & { data: Device[] };

export type BundleId = Schemas['BundleId'];
export type Certificate = Schemas['Certificate'];
export type CertificateType = Schemas['CertificateType'];
type ProfileState = NonNullable<Attrs<Schemas['Profile']>['profileState']> | 'EXPIRED';
export type Profile = Omit<Schemas['Profile'], 'attributes'> & {
  attributes?: Omit<Attrs<Schemas['Profile']>, 'profileState'> & { profileState?: ProfileState };
};
export type ProfileType = NonNullable<Attrs<Schemas['Profile']>['profileType']>;
export type BundleIdCapability = Schemas['BundleIdCapability'];
