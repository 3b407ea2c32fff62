/**
 * What a synchronous Lambda invocation answered: its payload as text, read as JSON when it is
 * JSON. A function error's payload is `{ errorType, errorMessage, … }`
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).
 */
export function payloadJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
