import { ImportKind } from '../../core/api/imports.api';

export const IMPORT_ACCEPT: Record<ImportKind, string> = {
  zip: '.zip,application/zip,application/x-zip-compressed',
  urls: '.csv,text/csv',
};

/** Why a picked file is not what the chosen import takes, before sending it. */
export function importFileProblem(
  kind: ImportKind,
  file: Pick<File, 'name' | 'type' | 'size'>,
): string | null {
  const extension = file.name.split('.').pop()?.toLowerCase() ?? '';
  const type = file.type.toLowerCase();
  if (file.size === 0) {
    return `${file.name} is empty.`;
  }
  if (kind === 'zip') {
    const zip =
      extension === 'zip' || type === 'application/zip' || type === 'application/x-zip-compressed';
    return zip ? null : `${file.name} is not a ZIP archive. Pack the photos into a .zip first.`;
  }
  const csv = extension === 'csv' || type === 'text/csv';
  return csv ? null : `${file.name} is not a CSV file. Save the list as .csv (UTF-8).`;
}

/** A CSV template for the chosen import, with the columns the API reads. */
export function importTemplate(kind: ImportKind): { name: string; text: string } {
  return kind === 'zip'
    ? {
        name: 'mapping.csv',
        text:
          'filename,title,description,category\r\n' +
          'red_mug_front.jpg,Red enamel mug,Enamel mug with a white rim,kitchen\r\n' +
          'red_mug_side.jpg,Red enamel mug,,\r\n',
      }
    : {
        name: 'image-urls.csv',
        text:
          'url,title,description,category\r\n' +
          'https://images.example.com/red_mug_front.jpg,Red enamel mug,Enamel mug,kitchen\r\n' +
          'https://images.example.com/red_mug_side.jpg,Red enamel mug,,\r\n',
      };
}
