import { randomBytes } from 'node:crypto';
import { MYSQL_SECRET_KEYS } from './manifests';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/**
 * A random password of letters and digits only, so it is safe in any
 * shell, SQL or YAML context it may pass through.
 *
 * @public
 */
export function generatePassword(length = 24): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (const byte of bytes) {
    // Rejection sampling keeps every character equally likely.
    if (byte < 256 - (256 % ALPHABET.length))
      out += ALPHABET[byte % ALPHABET.length];
    if (out.length === length) return out;
  }
  return out + generatePassword(length - out.length);
}

/**
 * The instance Secret's password entries, freshly generated: root, the
 * application user, the monitoring user and the backup user. They go into the Secret only.
 *
 * @public
 */
export function generateInstancePasswords(): Record<string, string> {
  return {
    [MYSQL_SECRET_KEYS.rootPassword]: generatePassword(),
    [MYSQL_SECRET_KEYS.password]: generatePassword(),
    [MYSQL_SECRET_KEYS.monitorPassword]: generatePassword(),
    [MYSQL_SECRET_KEYS.backupPassword]: generatePassword(),
  };
}
