/**
 * The build settings for archiving with manual signing, as a .xcconfig for `xcodebuild -xcconfig` (or
 * `#include` from a project's own file). The profile reaches only the targets it belongs to: each bundle
 * ID's profile name goes into a variable named after the bundle ID, and PROVISIONING_PROFILE_SPECIFIER
 * looks the variable up by the target's own PRODUCT_BUNDLE_IDENTIFIER:
 *
 *   PROVISIONING_PROFILE_SPECIFIER_com_example_app = com.example.app IOS_APP_STORE
 *   PROVISIONING_PROFILE_SPECIFIER = $(PROVISIONING_PROFILE_SPECIFIER_$(PRODUCT_BUNDLE_IDENTIFIER:c99extidentifier))
 *
 * A CocoaPods or Swift package target has a bundle ID of its own with no variable, so its specifier
 * evaluates to empty, as if unset. Xcode's build system parses a reference's name as an expression
 * that may itself hold references, and has the `c99extidentifier` operator (swiftlang/swift-build,
 * Sources/SWBMacro/MacroExpressionParsing.swift and MacroEvaluationProgram.swift).
 */
import type { ProfileType } from '../apple/types.js';

/** A value that cannot go into a build setting as it is. */
export class XcconfigValueError extends Error {
  override readonly name = 'XcconfigValueError';
}

/**
 * What would change a line's meaning: a line break starts another setting (or an #include), `$` a
 * reference to another setting, `//` a comment that cuts the value, `\` and `"` quoting, `=` a second
 * assignment in the eyes of a careless reader, and a trailing `;` or surrounding spaces are dropped.
 */
const UNSAFE: readonly [RegExp, string][] = [
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  [/[\u0000-\u001f\u007f\u0085\u2028\u2029]/, 'a line break or control character'],
  [/\$/, "'$' (a build-setting reference)"],
  [/\/\//, "'//' (a comment)"],
  [/\\/, 'a backslash'],
  [/"/, 'a double quote'],
  [/=/, "'='"],
  [/;\s*$/, "a trailing ';'"],
  [/^\s|\s$/, 'leading or trailing spaces'],
];

/** Why `value` cannot be a build setting's value as it is, or undefined when it can. */
export function unsafeXcconfigValue(value: string): string | undefined {
  if (value === '') return 'nothing';
  return UNSAFE.find(([re]) => re.test(value))?.[1];
}

function checked(what: string, value: string): string {
  const problem = unsafeXcconfigValue(value);
  if (problem) throw new XcconfigValueError(`${what} '${value}' holds ${problem}, which cannot go into a .xcconfig safely`);
  return value;
}

/**
 * Xcode's `:c99extidentifier` for a bundle identifier (letters, digits, '-' and '.'): every character
 * other than a letter, digit or '_' becomes '_', and so does a leading digit.
 */
export function c99ExtIdentifier(identifier: string): string {
  return identifier.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[0-9]/, '_');
}

const PROFILE_VARIABLE_PREFIX = 'PROVISIONING_PROFILE_SPECIFIER_';

export interface XcconfigSigning {
  teamId: string;
  /** CODE_SIGN_IDENTITY: the certificate's common name, or Xcode's selector for its kind. */
  identity: string;
  profiles: readonly { bundleId: string; profileName: string }[];
  profileType: ProfileType;
}

/** The .xcconfig text; throws XcconfigValueError when a value is unsafe or two bundle IDs share a variable. */
export function signingXcconfig(s: XcconfigSigning): string {
  const lines = [
    `// Manual signing for ${s.profileType} profiles, written by apple-signing-actions.`,
    '// Generated; pass it to xcodebuild archive with -xcconfig, or #include it from your target configuration.',
    'CODE_SIGN_STYLE = Manual',
    `DEVELOPMENT_TEAM = ${checked('Team ID', s.teamId)}`,
    `CODE_SIGN_IDENTITY = ${checked('Signing identity', s.identity)}`,
  ];
  const seen = new Map<string, string>();
  for (const p of [...s.profiles].sort((a, b) => (a.bundleId < b.bundleId ? -1 : a.bundleId > b.bundleId ? 1 : 0))) {
    if (!/^[A-Za-z0-9.-]+$/.test(p.bundleId))
      throw new XcconfigValueError(`Bundle ID '${p.bundleId}' is not an explicit identifier, so no target can look its profile up`);
    const variable = `${PROFILE_VARIABLE_PREFIX}${c99ExtIdentifier(p.bundleId)}`;
    const other = seen.get(variable);
    if (other)
      throw new XcconfigValueError(
        `Bundle IDs '${other}' and '${p.bundleId}' both become ${variable} in Xcode's c99extidentifier form, so their profiles cannot be told apart`,
      );
    seen.set(variable, p.bundleId);
    lines.push(`${variable} = ${checked(`Profile name`, p.profileName)}`);
  }
  lines.push(`PROVISIONING_PROFILE_SPECIFIER = $(${PROFILE_VARIABLE_PREFIX}$(PRODUCT_BUNDLE_IDENTIFIER:c99extidentifier))`);
  return `${lines.join('\n')}\n`;
}
