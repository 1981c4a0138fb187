import { checkFile, contentTypeOf, MAX_UPLOAD_BYTES } from './upload-validation';

const file = (name: string, type: string, size: number) => ({ name, type, size });

describe('upload validation', () => {
  it('accepts JPEG, PNG, WebP and HEIC/HEIF up to 50 MB', () => {
    for (const [name, type] of [
      ['a.jpg', 'image/jpeg'],
      ['b.png', 'image/png'],
      ['c.webp', 'image/webp'],
      ['d.heic', 'image/heic'],
      ['e.heif', 'image/heif'],
    ]) {
      expect(checkFile(file(name, type, 1024))).toEqual({ ok: true, contentType: type });
    }
    expect(checkFile(file('max.jpg', 'image/jpeg', MAX_UPLOAD_BYTES)).ok).toBe(true);
  });

  it('refuses other types with a message naming the file', () => {
    const gif = checkFile(file('anim.gif', 'image/gif', 1024));
    expect(gif).toEqual({
      ok: false,
      reason: 'anim.gif (image/gif) is not a supported image. Use JPEG, PNG, WebP or HEIC.',
    });
    expect(checkFile(file('notes.pdf', 'application/pdf', 10)).ok).toBe(false);
    expect(checkFile(file('script.jpg', 'text/javascript', 10)).ok).toBe(false);
  });

  it('refuses files over 50 MB and empty files', () => {
    const big = checkFile(file('huge.png', 'image/png', MAX_UPLOAD_BYTES + 1));
    expect(big).toEqual({ ok: false, reason: 'huge.png is 50 MB; the limit is 50 MB.' });
    const bigger = checkFile(file('huge.png', 'image/png', 63 * 1024 * 1024));
    expect(bigger.ok || bigger.reason).toBe('huge.png is 63 MB; the limit is 50 MB.');
    expect(checkFile(file('zero.jpg', 'image/jpeg', 0))).toEqual({
      ok: false,
      reason: 'zero.jpg is empty.',
    });
  });

  it('falls back to the extension when the browser gives no type (HEIC on most systems)', () => {
    expect(contentTypeOf(file('IMG_0001.HEIC', '', 1))).toBe('image/heic');
    expect(contentTypeOf(file('photo.JPEG', 'application/octet-stream', 1))).toBe('image/jpeg');
    expect(contentTypeOf(file('photo.jpg', 'image/jpg', 1))).toBe('image/jpeg');
    expect(contentTypeOf(file('archive.zip', '', 1))).toBeNull();
    expect(contentTypeOf(file('noextension', '', 1))).toBeNull();
  });
});
