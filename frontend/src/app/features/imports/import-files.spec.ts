import { importFileProblem, importTemplate } from './import-files';

const file = (name: string, type = '', size = 10) => ({ name, type, size });

describe('bulk import files', () => {
  it('takes ZIP archives for a photo import and CSV files for a URL import', () => {
    expect(importFileProblem('zip', file('photos.zip'))).toBeNull();
    expect(importFileProblem('zip', file('photos', 'application/x-zip-compressed'))).toBeNull();
    expect(importFileProblem('zip', file('photos.csv', 'text/csv'))).toContain('not a ZIP');
    expect(importFileProblem('urls', file('urls.CSV'))).toBeNull();
    expect(importFileProblem('urls', file('urls.zip', 'application/zip'))).toContain('not a CSV');
    expect(importFileProblem('urls', file('urls.csv', 'text/csv', 0))).toBe('urls.csv is empty.');
  });

  it('offers templates whose header rows are what the API reads', () => {
    expect(importTemplate('zip').text.split('\r\n')[0]).toBe('filename,title,description,category');
    expect(importTemplate('urls').text.split('\r\n')[0]).toBe('url,title,description,category');
    expect(importTemplate('zip').name).toBe('mapping.csv');
  });
});
