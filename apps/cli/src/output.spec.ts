import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { colourWanted, type Column, Output, type OutputFormat } from './output';

function printed(format: OutputFormat, colour: boolean, print: (output: Output) => void): string {
  let text = '';
  print(new Output({ write: (chunk: string) => (text += chunk) }, format, colour));
  return text;
}

const columns: Column[] = [
  { header: 'ID', value: (row) => row.id },
  { header: 'RESULT', value: (row) => row.result, colour: (row) => (row.result === 'ok' ? 'green' : 'red') },
  { header: 'ERROR', value: (row) => row.error },
];
const rows = [
  { id: 1, result: 'ok', error: null },
  { id: 10234, result: 'failed', error: 'quota exceeded' },
];

describe(Output.name, () => {
  it('aligns table columns, writing - for nothing', () => {
    expect(printed('table', false, (output) => output.list(rows, columns))).toBe(
      'ID     RESULT  ERROR\n1      ok      -\n10234  failed  quota exceeded\n',
    );
  });

  it('colours cells without breaking the alignment', () => {
    const lines = printed('table', true, (output) => output.list(rows, columns)).split('\n');
    expect(lines[1]).toBe('1      \x1b[32mok    \x1b[39m  -');
  });

  it('prints the data itself as JSON or YAML, and nothing meant for people', () => {
    const page = { items: rows, nextCursor: null };
    const json = printed('json', false, (output) => {
      output.list(rows, columns, page);
      output.line('more: ...');
    });
    expect(JSON.parse(json)).toEqual(page);
    expect(load(printed('yaml', false, (output) => output.record([['id', 1]], { id: 1 })))).toEqual({ id: 1 });
    expect(JSON.parse(printed('json', false, (output) => output.message('done')))).toEqual({ message: 'done' });
  });

  it('wants colour only on a terminal without NO_COLOR', () => {
    expect(colourWanted({ write: () => true, isTTY: true }, {})).toBe(true);
    expect(colourWanted({ write: () => true, isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted({ write: () => true }, {})).toBe(false);
  });
});
