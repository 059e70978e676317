/**
 * Keystone's [security_compliance] rules, as pure decisions: lockout after failed logins, password
 * expiry, unique password history, minimum password age and a password pattern. Every rule is off
 * unless configured, as in Keystone.
 */
export interface ComplianceConfig {
  /** Wrong passwords in a row that lock an account; 0: never. */
  lockoutFailureAttempts: number;
  /** How long a lock lasts, in seconds; 0: until an administrator re-enables the user. */
  lockoutDurationSeconds: number;
  /** Days a password is valid; 0: forever. */
  passwordExpiresDays: number;
  /** How many of the latest passwords, the current one included, a self-service change may not reuse; 0: off. */
  uniqueLastPasswordCount: number;
  /** Days a self-set password must be kept before its user may change it again; 0: off. */
  minimumPasswordAgeDays: number;
  /** A pattern every new password must match from its start (Python's re.match); undefined: any password. */
  passwordRegex: string | undefined;
  passwordRegexDescription: string | undefined;
}

export const complianceOff: ComplianceConfig = {
  lockoutFailureAttempts: 0, lockoutDurationSeconds: 0, passwordExpiresDays: 0, uniqueLastPasswordCount: 0,
  minimumPasswordAgeDays: 0, passwordRegex: undefined, passwordRegexDescription: undefined,
};

const DAY_MS = 86_400_000;

export type LockState = 'open' | 'locked' | 'expired-lock';

/**
 * Whether an account is locked: `expired-lock` means it was, the lock has run out, and the failure
 * count starts again from zero.
 */
export function lockState(c: ComplianceConfig, failures: number, lastFailedAt: string | null | undefined, nowMs: number): LockState {
  if (c.lockoutFailureAttempts <= 0 || failures < c.lockoutFailureAttempts) return 'open';
  if (c.lockoutDurationSeconds <= 0 || !lastFailedAt) return 'locked';
  return Date.parse(lastFailedAt) + c.lockoutDurationSeconds * 1000 > nowMs ? 'locked' : 'expired-lock';
}

export const lockedMessage = (userId: string) => `The account is locked for user: ${userId}.`;
export const expiredMessage = (userId: string) => `The password is expired and needs to be changed for user: ${userId}.`;

/** When a password set at `changedAt` expires (ISO), or null when passwords do not expire. */
export function passwordExpiresAt(c: ComplianceConfig, changedAt: string | null | undefined): string | null {
  if (c.passwordExpiresDays <= 0 || !changedAt) return null;
  return new Date(Date.parse(changedAt) + c.passwordExpiresDays * DAY_MS).toISOString();
}

export function isPasswordExpired(c: ComplianceConfig, changedAt: string | null | undefined, nowMs: number): boolean {
  const at = passwordExpiresAt(c, changedAt);
  return at !== null && Date.parse(at) <= nowMs;
}

/** The compiled password pattern, anchored at the start as Python's re.match is; throws on a bad pattern. */
export function passwordPattern(regex: string): RegExp {
  return new RegExp(`^(?:${regex})`, 'u');
}

/** Keystone's 400 message when a new password does not match the pattern, else undefined. */
export function regexViolation(c: ComplianceConfig, password: string): string | undefined {
  if (c.passwordRegex === undefined) return undefined;
  if (passwordPattern(c.passwordRegex).test(password)) return undefined;
  return `The password does not meet the requirements: ${c.passwordRegexDescription ?? c.passwordRegex}.`;
}

/** Keystone's 400 message when a self-set password is too young to change, else undefined. */
export function minimumAgeViolation(c: ComplianceConfig, changedAt: string | null | undefined, selfService: boolean, nowMs: number): string | undefined {
  if (c.minimumPasswordAgeDays <= 0 || !selfService || !changedAt) return undefined;
  const until = Date.parse(changedAt) + c.minimumPasswordAgeDays * DAY_MS;
  if (until <= nowMs) return undefined;
  const daysLeft = Math.ceil((until - nowMs) / DAY_MS);
  return 'You cannot change your password at this time due to the minimum password age. Once you change your password, it must be used for '
    + `${c.minimumPasswordAgeDays} day(s) before it can be changed. Please try again in ${daysLeft} day(s) or contact your administrator to reset your password.`;
}

/** How many of the latest stored hashes a new self-set password is compared with (0: none). */
export const historyWindow = (c: ComplianceConfig) => Math.max(0, c.uniqueLastPasswordCount);

export const historyMessage = (c: ComplianceConfig) =>
  `The new password cannot be identical to a previous password. The total number which includes the new password must be unique is ${c.uniqueLastPasswordCount}.`;

/** How many hashes to keep per user: the window, and at least the current one. */
export const historyKeep = (c: ComplianceConfig) => Math.max(1, historyWindow(c));

/** Just the compliance settings out of a larger configuration. */
export const complianceOf = (c: ComplianceConfig): ComplianceConfig => ({
  lockoutFailureAttempts: c.lockoutFailureAttempts, lockoutDurationSeconds: c.lockoutDurationSeconds,
  passwordExpiresDays: c.passwordExpiresDays, uniqueLastPasswordCount: c.uniqueLastPasswordCount,
  minimumPasswordAgeDays: c.minimumPasswordAgeDays, passwordRegex: c.passwordRegex, passwordRegexDescription: c.passwordRegexDescription,
});
