import { filenameFromDisposition } from './download';

describe('download file names', () => {
  it('reads the name the server suggests', () => {
    expect(
      filenameFromDisposition(
        'attachment; filename="imagineai-products-20261125-093900.csv"',
        'x.csv',
      ),
    ).toBe('imagineai-products-20261125-093900.csv');
    expect(filenameFromDisposition('attachment; filename=plain.json', 'x')).toBe('plain.json');
    expect(
      filenameFromDisposition(
        `attachment; filename="fallback.csv"; filename*=UTF-8''produits%20%C3%A9t%C3%A9.csv`,
        'x',
      ),
    ).toBe('produits été.csv');
  });

  it('falls back when the header is missing, hidden by CORS or unsafe', () => {
    expect(filenameFromDisposition(null, 'export.csv')).toBe('export.csv');
    expect(filenameFromDisposition('attachment', 'export.csv')).toBe('export.csv');
    expect(filenameFromDisposition('attachment; filename="../../etc/passwd"', 'e.csv')).toBe(
      'passwd',
    );
    expect(filenameFromDisposition('attachment; filename=".."', 'e.csv')).toBe('e.csv');
  });
});
