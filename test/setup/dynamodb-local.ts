// Placeholder: replaced by the DynamoDB Local global setup (starts the jar once per test run).
export default async function setup(): Promise<() => Promise<void>> {
  return async () => {};
}
