/** Inputs about bundle IDs that several actions share: `bundle-id`, `entitlements` and `capabilities` (interface.md). */
import { InputError } from '../../core/errors.js';
import { quoteValue } from '../../core/redact.js';
import { CAPABILITY_SETTINGS, CAPABILITY_TYPES, type CapabilityType } from '../../apple/capability-types.js';
import { mergeWanted, type WantedCapability } from '../../entitlements/capabilities.js';
import { listInput, type InputSource } from './inputs.js';

const IDENTIFIER = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(\.\*)?$|^\*$/;

/** The `bundle-id` input: one or several, each a bundle identifier (duplicates count once); [] only when not required. */
export function bundleIdentifiers(src: InputSource, required = true): string[] {
  const identifiers = [...new Set(listInput(src, 'bundle-id'))];
  if (identifiers.length === 0 && required) {
    throw new InputError(
      'bundle-id',
      'Input bundle-id is required: the bundle identifier, e.g. com.example.app (several, one a line or comma-separated, for an app and its extensions).',
    );
  }
  for (const id of identifiers) {
    if (!IDENTIFIER.test(id)) {
      throw new InputError(
        'bundle-id',
        `Input bundle-id has ${quoteValue(id)}, but a bundle identifier is letters, digits, hyphens and dots, e.g. com.example.app (several, one a line or comma-separated).`,
      );
    }
  }
  return identifiers;
}

/**
 * The `entitlements` input: `.entitlements` paths one a line, in the order of bundle-id, or
 * `bundle-id=path` lines (a bundle ID may have several). Every bundle ID is in the map ([] for none).
 */
export function entitlementsInput(src: InputSource, identifiers: readonly string[]): Map<string, string[]> {
  const lines = src
    .get('entitlements')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const out = new Map(identifiers.map((id) => [id, [] as string[]]));
  if (lines.length === 0) return out;
  const keyed = lines.filter((l) => /^[^=\s/\\]+=/.test(l) && identifiers.includes(l.slice(0, l.indexOf('='))));
  if (keyed.length > 0) {
    const loose = lines.find((l) => !keyed.includes(l));
    if (loose !== undefined) {
      throw new InputError(
        'entitlements',
        `Input entitlements mixes 'bundle-id=path' lines with '${loose}'; give every line as bundle-id=path (the bundle ID as in bundle-id), or only paths in the order of bundle-id.`,
      );
    }
    for (const l of keyed) out.get(l.slice(0, l.indexOf('=')))?.push(l.slice(l.indexOf('=') + 1).trim());
    return out;
  }
  if (lines.length !== identifiers.length) {
    throw new InputError(
      'entitlements',
      `Input entitlements gives ${lines.length} file(s) for ${identifiers.length} bundle ID(s); give one path a line in the order of bundle-id, or 'bundle-id=path' lines.`,
    );
  }
  lines.forEach((file, i) => out.get(identifiers[i] as string)?.push(file));
  return out;
}

/** The `capabilities` input: `PUSH_NOTIFICATIONS, APP_GROUPS, ICLOUD(ICLOUD_VERSION=XCODE_6)`. */
export function capabilitiesInput(src: InputSource): WantedCapability[] {
  const text = src.get('capabilities');
  const items = text
    .split(/\r?\n/)
    .filter((l) => !l.trim().startsWith('#'))
    .join(',')
    .split(/,(?![^(]*\))/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const out: WantedCapability[] = [];
  for (const item of items) {
    const m = /^([A-Z_]+)\s*(?:\(\s*([A-Z_]+)\s*=\s*([A-Z0-9_]+)\s*\))?$/.exec(item);
    const type = m?.[1] as CapabilityType | undefined;
    if (!m || !type || !(CAPABILITY_TYPES as readonly string[]).includes(type)) {
      throw new InputError(
        'capabilities',
        `Input capabilities has '${item}', but it takes Apple's capability types (${CAPABILITY_TYPES.join(', ')}), comma-separated, with a setting as ICLOUD(ICLOUD_VERSION=XCODE_6).`,
      );
    }
    const settings: WantedCapability['settings'] = [];
    if (m[2] !== undefined) {
      const allowed = CAPABILITY_SETTINGS[type];
      if (!allowed || allowed.key !== m[2] || !(allowed.options as readonly string[]).includes(m[3] ?? '')) {
        const takes = allowed ? `${type}(${allowed.key}=${allowed.options.join('|')})` : `no setting for ${type}`;
        throw new InputError('capabilities', `Input capabilities has '${item}', but Apple takes ${takes}.`);
      }
      settings.push({ key: allowed.key, option: m[3] as (typeof allowed.options)[number] });
    }
    mergeWanted(out, { type, settings, because: ['the capabilities input'] });
  }
  return out;
}
