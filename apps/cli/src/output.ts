import { dump } from 'js-yaml';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type Colour = 'green' | 'red' | 'yellow' | 'dim' | 'bold';

const ANSI: Record<Colour, [string, string]> = {
  green: ['\x1b[32m', '\x1b[39m'],
  red: ['\x1b[31m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  bold: ['\x1b[1m', '\x1b[22m'],
};

export type Row = Record<string, unknown>;

/** One column of a table: its header and how to read a cell, optionally coloured by its value. */
export interface Column {
  header: string;
  value(row: Row): unknown;
  colour?(row: Row): Colour | undefined;
}

export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
export function colourWanted(stream: TextStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '';
}

/**
 * The one way commands print: aligned tables and `key: value` lines for people, the API's
 * data as it came for scripts (`-o json`, `-o yaml`).
 */
export class Output {
  constructor(
    private readonly stdout: TextStream,
    readonly format: OutputFormat,
    private readonly colour: boolean,
  ) {}

  /** Rows as a table; `data` (the API's answer, by default the rows) for scripts. */
  list(rows: readonly Row[], columns: readonly Column[], data: unknown = rows): void {
    if (this.printedForScripts(data)) return;
    const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
    const widths = columns.map((column, index) =>
      Math.max(column.header.length, ...cells.map((rowCells) => (rowCells[index] ?? '').length)),
    );
    const line = (texts: string[], colours: (Colour | undefined)[]) =>
      texts
        .map((text, index) => {
          const padded = index === texts.length - 1 ? text : text.padEnd(widths[index] ?? 0);
          return this.paint(padded, colours[index]);
        })
        .join('  ')
        .trimEnd();
    this.stdout.write(
      `${line(
        columns.map((column) => column.header),
        columns.map(() => 'bold'),
      )}\n`,
    );
    rows.forEach((row, rowIndex) => {
      const colours = columns.map((column) => column.colour?.(row));
      this.stdout.write(`${line(cells[rowIndex] ?? [], colours)}\n`);
    });
  }

  /** One object as aligned `label: value` lines; `data` for scripts. */
  record(fields: readonly [label: string, value: unknown][], data: unknown): void {
    if (this.printedForScripts(data)) return;
    const width = Math.max(...fields.map(([label]) => label.length)) + 1;
    for (const [label, value] of fields) this.stdout.write(`${`${label}:`.padEnd(width)}  ${cellText(value)}\n`);
  }

  /** A sentence for people (the API's message); `{message}` for scripts. */
  message(text: string): void {
    if (this.printedForScripts({ message: text })) return;
    this.stdout.write(`${text}\n`);
  }

  /** A line of text for people only: scripts get the data through list/record/message. */
  line(text: string): void {
    if (this.format === 'table') this.stdout.write(`${text}\n`);
  }

  /** Data for scripts, printed whatever the format. */
  data(value: unknown): void {
    this.printedForScripts(value);
  }

  /** One item of a stream for scripts: a JSON object per line, or a YAML document each. */
  streamed(value: unknown): void {
    if (this.format === 'json') this.stdout.write(`${JSON.stringify(value)}\n`);
    else if (this.format === 'yaml') this.stdout.write(`---\n${dump(value, { noRefs: true, lineWidth: -1 })}`);
  }

  paint(text: string, colour: Colour | undefined): string {
    if (!this.colour || colour === undefined) return text;
    const [open, close] = ANSI[colour];
    return `${open}${text}${close}`;
  }

  private printedForScripts(data: unknown): boolean {
    if (this.format === 'json') this.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else if (this.format === 'yaml') this.stdout.write(dump(data, { noRefs: true, lineWidth: -1 }));
    return this.format !== 'table';
  }
}

/** How a value reads in a table: `-` for nothing, nested objects as compact JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cellText).join(', ');
  return JSON.stringify(value);
}
