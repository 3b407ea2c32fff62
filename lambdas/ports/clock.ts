/** Time, so the rehearsal can run handlers on a virtual clock. */
export interface Clock {
  now(): Date;
}
