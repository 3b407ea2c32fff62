/**
 * The part of CloudWatch metric math an alarm of the simulated CloudWatch evaluates: numbers,
 * metric ids, + - * /, comparisons (> < >= <= == !=), AND / OR, and the functions FILL(m, value)
 * and IF(condition, a, b). A missing datapoint is undefined and makes the whole expression
 * missing unless FILL replaces it; a division by zero is missing too (CloudWatch drops it).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 */

type Value = number | undefined;
export type MetricValues = Readonly<Record<string, Value>>;

/** Parses an expression once; the result evaluates it against one period's metric values. */
export function compileMetricMath(expression: string): (values: MetricValues) => Value {
  const tokens = expression.match(/\s*(>=|<=|==|!=|[()+\-*/<>,]|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?)/g);
  if (!tokens || tokens.join('').replace(/\s/g, '') !== expression.replace(/\s/g, ''))
    throw new Error(`the simulated CloudWatch cannot parse the expression ${expression}`);
  const list = tokens.map((token) => token.trim());
  let at = 0;
  type Node = (values: MetricValues) => Value;
  const peek = () => list[at];
  const take = (expected?: string) => {
    const token = list[at++];
    if (token === undefined || (expected !== undefined && token.toUpperCase() !== expected))
      throw new Error(`the simulated CloudWatch expected ${expected ?? 'more'} in ${expression}`);
    return token;
  };
  const binary =
    (next: () => Node, operators: Record<string, (a: number, b: number) => Value>) => (): Node => {
      let left = next();
      for (let op = peek()?.toUpperCase(); op !== undefined && op in operators; op = peek()?.toUpperCase()) {
        take();
        const right = next();
        const apply = operators[op]!;
        const l = left;
        left = (values) => {
          const a = l(values);
          const b = right(values);
          return a === undefined || b === undefined ? undefined : apply(a, b);
        };
      }
      return left;
    };
  const bool = (value: boolean) => (value ? 1 : 0);
  const primary = (): Node => {
    const token = take();
    if (token === '(') {
      const inner = or();
      take(')');
      return inner;
    }
    if (token === '-') {
      const operand = primary();
      return (values) => {
        const value = operand(values);
        return value === undefined ? undefined : -value;
      };
    }
    if (/^\d/.test(token)) {
      const number = Number(token);
      return () => number;
    }
    if (token.toUpperCase() === 'FILL' || token.toUpperCase() === 'IF') {
      take('(');
      const args = [or()];
      while (peek() === ',') {
        take(',');
        args.push(or());
      }
      take(')');
      const [first, second, third] = args;
      if (token.toUpperCase() === 'FILL' && args.length === 2)
        return (values) => first!(values) ?? second!(values);
      if (token.toUpperCase() === 'IF' && args.length === 3)
        return (values) => {
          const condition = first!(values);
          return condition === undefined ? undefined : condition !== 0 ? second!(values) : third!(values);
        };
      throw new Error(`the simulated CloudWatch does not evaluate ${token} with ${args.length} arguments`);
    }
    return (values) => values[token];
  };
  const product = binary(primary, {
    '*': (a, b) => a * b,
    '/': (a, b) => (b === 0 ? undefined : a / b),
  });
  const sum = binary(product, { '+': (a, b) => a + b, '-': (a, b) => a - b });
  const comparison = binary(sum, {
    '>': (a, b) => bool(a > b),
    '<': (a, b) => bool(a < b),
    '>=': (a, b) => bool(a >= b),
    '<=': (a, b) => bool(a <= b),
    '==': (a, b) => bool(a === b),
    '!=': (a, b) => bool(a !== b),
  });
  const and = binary(comparison, { AND: (a, b) => bool(a !== 0 && b !== 0) });
  const or: () => Node = binary(and, { OR: (a, b) => bool(a !== 0 || b !== 0) });
  const root = or();
  if (at !== list.length)
    throw new Error(`the simulated CloudWatch cannot parse the expression ${expression}`);
  return root;
}
