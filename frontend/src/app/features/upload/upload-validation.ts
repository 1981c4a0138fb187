import { formatBytes } from '../../shared/format';

/** What the API accepts (docs/api.md, design: JPEG, PNG, WebP, HEIC/HEIF up to 50 MB). */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
export const ACCEPTED_CONTENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/heic',
  'image/heif',
] as const;
export const ACCEPT_ATTRIBUTE = [
  ...ACCEPTED_CONTENT_TYPES,
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.heic',
  '.heif',
].join(',');

const TYPE_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jfif: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

export type FileCheck =
  | { readonly ok: true; readonly contentType: string }
  | { readonly ok: false; readonly reason: string };

/**
 * The content type to declare for a file, or null when it is not an accepted image. Browsers
 * leave `type` empty for HEIC on most systems, so the extension decides when the type is blank.
 */
export function contentTypeOf(file: Pick<File, 'name' | 'type'>): string | null {
  const declared = file.type.toLowerCase() === 'image/jpg' ? 'image/jpeg' : file.type.toLowerCase();
  if ((ACCEPTED_CONTENT_TYPES as readonly string[]).includes(declared)) {
    return declared;
  }
  if (declared && declared !== 'application/octet-stream') {
    return null;
  }
  const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
  return TYPE_BY_EXTENSION[extension] ?? null;
}

/** The client-side check; the server still sniffs the bytes on confirm. */
export function checkFile(
  file: Pick<File, 'name' | 'type' | 'size'>,
  maxBytes = MAX_UPLOAD_BYTES,
): FileCheck {
  const contentType = contentTypeOf(file);
  if (!contentType) {
    const kind = file.type ? ` (${file.type})` : '';
    return {
      ok: false,
      reason: `${file.name}${kind} is not a supported image. Use JPEG, PNG, WebP or HEIC.`,
    };
  }
  if (file.size === 0) {
    return { ok: false, reason: `${file.name} is empty.` };
  }
  if (file.size > maxBytes) {
    return {
      ok: false,
      reason: `${file.name} is ${formatBytes(file.size)}; the limit is ${formatBytes(maxBytes)}.`,
    };
  }
  return { ok: true, contentType };
}
