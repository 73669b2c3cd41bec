/**
 * A small streaming RFC 4180 parser for the tests: feed text chunks as they arrive, get whole
 * rows back. Quoted fields may hold commas, CR/LF and doubled quotes; a quote inside an unquoted
 * field, text after a closing quote or a bare CR is an error (the export must produce none).
 */
type State = "plain" | "quoted" | "quoteInQuoted" | "closed" | "cr";

export class CsvParser {
  private field = "";
  private row: string[] = [];
  private state: State = "plain";

  push(chunk: string): string[][] {
    const rows: string[][] = [];
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!;
      switch (this.state) {
        case "quoted":
          if (ch === '"') this.state = "quoteInQuoted";
          else this.field += ch;
          continue;
        case "quoteInQuoted":
          if (ch === '"') {
            this.field += '"';
            this.state = "quoted";
            continue;
          }
          this.state = "closed";
          break; // the quote closed the field: read ch as what follows it
        case "cr":
          if (ch !== "\n") throw new Error("bare CR outside quotes");
          rows.push(this.endRow());
          continue;
      }
      if (ch === ",") this.endField();
      else if (ch === "\r") this.state = "cr";
      else if (ch === "\n") rows.push(this.endRow());
      else if (this.state === "closed") throw new Error("text after a closing quote");
      else if (ch === '"') {
        if (this.field !== "") throw new Error("quote inside an unquoted field");
        this.state = "quoted";
      } else this.field += ch;
    }
    return rows;
  }

  /** The last row when the text does not end with a line break. */
  end(): string[][] {
    if (this.state === "quoted") throw new Error("unterminated quoted field");
    if (this.state === "cr" || this.state === "closed" || this.state === "quoteInQuoted" || this.field !== "" || this.row.length) return [this.endRow()];
    return [];
  }

  private endField() {
    this.row.push(this.field);
    this.field = "";
    this.state = "plain";
  }

  private endRow(): string[] {
    this.endField();
    const row = this.row;
    this.row = [];
    return row;
  }
}

export const parseCsv = (text: string) => {
  const p = new CsvParser();
  return [...p.push(text), ...p.end()];
};

/** Undoes the export's formula guard: one leading ' before = + - @ tab or CR. */
export const unguard = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);
