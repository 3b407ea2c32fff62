/**
 * A use case's refusal: what was asked conflicts with the state it found (nothing running to
 * abort, a later release in the way, a region already failed over). The API answers it as
 * 409 Conflict with `details` beside the message; the rehearsal reports the message.
 */
import { SwitchyardError } from '../core/errors';

export class RefusedError extends SwitchyardError {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
