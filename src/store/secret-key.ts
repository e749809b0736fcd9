/**
 * Where the credentials key comes from: `TTSYNC_SECRET_KEY` when set (passed in from config),
 * else a key file next to the data, created on first start with mode 0600 and refused if others
 * can read it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../shared/errors.ts';
import { generateSecretKey, parseSecretKey } from '../shared/secret-box.ts';

/** Where the key came from, for the start-up log (never the key itself). */
export interface LoadedSecretKey {
  key: Buffer;
  source: 'env' | 'file-created' | 'file';
  path?: string;
}

/** The key from `fromEnv`, or from `keyFile` (created when missing). */
export function loadSecretKey(fromEnv: string | undefined, keyFile: string): LoadedSecretKey {
  if (fromEnv !== undefined && fromEnv !== '') {
    return { key: parseSecretKey(fromEnv), source: 'env' };
  }
  if (!existsSync(keyFile)) {
    mkdirSync(dirname(keyFile), { recursive: true });
    try {
      // 'wx': of two processes starting at once, one creates the file and the other reads it.
      writeFileSync(keyFile, `${generateSecretKey()}\n`, { mode: 0o600, flag: 'wx' });
      chmodSync(keyFile, 0o600);
      const key = parseSecretKey(readFileSync(keyFile, 'utf8'));
      return { key, source: 'file-created', path: keyFile };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const mode = statSync(keyFile).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new AppError(
      'secret_key_invalid',
      `The key file ${keyFile} can be read by other users (mode ${mode.toString(8)}). ` +
        `Run \`chmod 600 ${keyFile}\` and start again.`,
    );
  }
  return { key: parseSecretKey(readFileSync(keyFile, 'utf8')), source: 'file', path: keyFile };
}
