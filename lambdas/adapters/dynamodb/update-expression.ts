import type { Item } from './keys';

/** Builds `SET #a = :a, …` with placeholder names, so reserved words (status, name) are safe. */
export class UpdateExpression {
  private readonly names: Record<string, string> = {};
  private readonly values: Item = {};
  private readonly assignments: string[] = [];

  name(attribute: string): string {
    const placeholder = `#${attribute.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  set(attribute: string, value: unknown): void {
    const placeholder = `:${attribute.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.values[placeholder] = value;
    this.assignments.push(`${this.name(attribute)} = ${placeholder}`);
  }

  /** Adds to a number (from 0 when absent). */
  increment(attribute: string, by: number): void {
    const placeholder = `:${attribute.replace(/[^A-Za-z0-9_]/g, '_')}_by`;
    this.values[placeholder] = by;
    this.values[':zero'] = 0;
    const name = this.name(attribute);
    this.assignments.push(`${name} = if_not_exists(${name}, :zero) + ${placeholder}`);
  }

  /** A condition that the attribute has this value. */
  equals(attribute: string, value: unknown): string {
    const placeholder = `:${attribute.replace(/[^A-Za-z0-9_]/g, '_')}_expected`;
    this.values[placeholder] = value;
    return `${this.name(attribute)} = ${placeholder}`;
  }

  /** A condition that the attribute is one of the values. */
  oneOf(attribute: string, allowed: readonly unknown[]): string {
    const placeholders = allowed.map((value, index) => {
      const placeholder = `:${attribute}_allowed_${index}`;
      this.values[placeholder] = value;
      return placeholder;
    });
    return `${this.name(attribute)} IN (${placeholders.join(', ')})`;
  }

  build() {
    return {
      UpdateExpression: `SET ${this.assignments.join(', ')}`,
      ExpressionAttributeNames: this.names,
      ExpressionAttributeValues: this.values,
    };
  }
}
