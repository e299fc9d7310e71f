/** Collects positional parameters while a SQL string is written: `${p.add(x, "uuid")}` yields "$n::uuid". */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value instanceof Date ? value.toISOString() : value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}
