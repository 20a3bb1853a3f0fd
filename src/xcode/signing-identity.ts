/**
 * Which signing identity the export and the build settings name: the exact certificate when it is known
 * (provision's, or the one certificate every profile of the step holds), else Xcode's automatic
 * selector for the certificates' kind ("Apple Distribution", "Apple Development", ...), which picks the
 * newest installed identity of that kind.
 */
import type { ProfileType } from '../apple/types.js';
import { profileTypeInfo } from '../profiles/profile-types.js';

type IdentityKind = 'development' | 'distribution' | 'developer-id';

/**
 * The common-name prefixes of Apple's signing certificates and the automatic selector `xcodebuild -help`
 * lists for each ("Mac App Distribution", "iOS Distribution", "iOS Developer", "Developer ID
 * Application", "Apple Distribution", "Mac Developer", "Apple Development").
 */
const PREFIXES: readonly { prefix: string; selector: string; kind: IdentityKind }[] = [
  { prefix: 'Apple Development', selector: 'Apple Development', kind: 'development' },
  { prefix: 'iPhone Developer', selector: 'iOS Developer', kind: 'development' },
  { prefix: 'Mac Developer', selector: 'Mac Developer', kind: 'development' },
  { prefix: 'Apple Distribution', selector: 'Apple Distribution', kind: 'distribution' },
  { prefix: 'iPhone Distribution', selector: 'iOS Distribution', kind: 'distribution' },
  { prefix: '3rd Party Mac Developer Application', selector: 'Mac App Distribution', kind: 'distribution' },
  { prefix: 'Developer ID Application', selector: 'Developer ID Application', kind: 'developer-id' },
];

const GENERIC: Record<IdentityKind, string> = {
  development: 'Apple Development',
  distribution: 'Apple Distribution',
  'developer-id': 'Developer ID Application',
};

/** A certificate as the export needs it. */
export interface CertificateName {
  sha1: string;
  commonName: string;
}

export interface SigningIdentity {
  /** The exact certificate, when known. */
  certificate?: CertificateName;
  /** Xcode's automatic selector for the kind: what is named when the certificate is not known. */
  selector: string;
}

function prefixOf(commonName: string): (typeof PREFIXES)[number] | undefined {
  return PREFIXES.find((p) => commonName === p.prefix || commonName.startsWith(`${p.prefix}:`));
}

/** The kind of certificate a profile type signs with. */
function identityKindFor(type: ProfileType): IdentityKind {
  const info = profileTypeInfo(type);
  if (info.development) return 'development';
  return info.certificateTypes.some((t) => t.startsWith('DEVELOPER_ID')) ? 'developer-id' : 'distribution';
}

const KIND_TEXT: Record<IdentityKind, string> = {
  development: 'a development certificate (Apple Development)',
  distribution: 'a distribution certificate (Apple Distribution)',
  'developer-id': 'a Developer ID Application certificate',
};

/**
 * The identity for a step's profiles. `held` lists, per profile, the certificates it holds; `known` is the
 * certificate the step itself installed (provision). Returns a sentence instead when the profiles cannot
 * be exported with what they hold.
 */
export function resolveSigningIdentity(
  type: ProfileType,
  held: readonly (readonly CertificateName[])[],
  known: CertificateName | undefined,
): SigningIdentity | { problem: string } {
  const want = identityKindFor(type);
  const mismatch = (c: CertificateName): string | undefined => {
    const kind = prefixOf(c.commonName)?.kind;
    return kind && kind !== want ? `signs with ${KIND_TEXT[want]}, but the certificate is '${c.commonName}'` : undefined;
  };
  if (known) {
    const problem = mismatch(known);
    return problem ? { problem: `${type} ${problem}` } : { certificate: known, selector: prefixOf(known.commonName)?.selector ?? GENERIC[want] };
  }
  const [first = [], ...rest] = held;
  const common = first.filter((c) => rest.every((certs) => certs.some((d) => d.sha1 === c.sha1)));
  if (common.length === 1) {
    const only = common[0] as CertificateName;
    const problem = mismatch(only);
    return problem ? { problem: `${type} ${problem}` } : { certificate: only, selector: prefixOf(only.commonName)?.selector ?? GENERIC[want] };
  }
  const all = held.flat();
  const fitting = all.filter((c) => !mismatch(c));
  if (fitting.length === 0) {
    const holds = all.length === 0 ? 'the profile holds no certificate' : `the profile holds only '${all[0]?.commonName ?? ''}'`;
    return { problem: `${type} signs with ${KIND_TEXT[want]}, but ${holds}` };
  }
  const selectors = new Set(fitting.map((c) => prefixOf(c.commonName)?.selector ?? GENERIC[want]));
  return { selector: selectors.size === 1 ? ([...selectors][0] as string) : GENERIC[want] };
}
